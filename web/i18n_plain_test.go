package web

import (
	"encoding/json"
	"strings"
	"testing"
)

// An inconsistency names both values and where each was read, in the page's language.
func TestInconsistencyWords(t *testing.T) {
	var in inconsistency
	raw := `{"code":"form_id_card_mismatch","message":"申请书上填写的身份证号码与身份证件上的号码不一致。","values":[
		{"source":"application_form","value":"220103********5957","id_number":true},{"source":"id_card","value":"220103********5975","id_number":true}]}`
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		t.Fatal(err)
	}
	old := inconsistency{Code: "applicant_uscc_mismatch"} // checked before values were kept
	unknown := inconsistency{Code: "something_new"}
	tests := []struct {
		l    lang
		in   inconsistency
		want string
	}{
		{lang{"zh"}, in, "申请表上身份证号 220103********5957 与 身份证上身份证号 220103********5975 不一致"},
		{lang{"en"}, in, "ID numbers differ: ID number 220103********5957 (Application form) and 220103********5975 (ID card)"},
		{lang{"zh"}, old, "统一社会信用代码不一致"},
		{lang{"zh"}, unknown, "材料之间不一致"},
	}
	for _, tc := range tests {
		if got := tc.l.Inconsistency(tc.in); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.l.code, tc.in.Code, got, tc.want)
		}
	}
	if got := (lang{"zh"}).ServerSentence("The bytes are not PDF."); got != "" {
		t.Errorf("a Chinese page shows the server's sentence %q", got)
	}
	if got := (lang{"zh"}).Err("a_code_no_page_knows"); !strings.Contains(got, "请返回上一页再试一次") {
		t.Errorf("an unknown code reads %q, not what to do", got)
	}
	if got := (lang{"zh"}).CaseEvent("something_new"); got != "办件记录" {
		t.Errorf("an unknown case event reads %q", got)
	}
}
