package casedesk_test

import (
	"fmt"
	"strings"
	"testing"

	"onewindow/cases"
)

// TestIntakeAndRefusal: a case opened with the applicant's phone and address, an agent and a
// legal representative shows their numbers masked to a role without full IDs; a refusal
// without a catalogue reason is refused and changes nothing; with two it files a notice that
// lists them with their legal basis, the window and the clerk; the list finds the case by
// number or applicant name, a page at a time.
func TestIntakeAndRefusal(t *testing.T) {
	e := newEnv(t, nil)
	const org = "912201011234567884"
	open := map[string]any{"matter": "JL-SC-001", "window": "综合窗口2",
		"applicant":      map[string]string{"name": "长春福满楼餐饮有限公司", "uscc": org, "phone": "0431-88881234", "address": "长春市南关区人民大街1号"},
		"submitter":      map[string]string{"name": "李经办", "id_number": idZhang, "phone": "13904310000"},
		"representative": map[string]string{"name": "王法人", "id_number": "11010519491231002X", "phone": "13804311234"}}
	var c caseJSON
	if status := e.do("POST", "/api/v1/cases", "window:赵窗口", open, nil, &c); status != 201 {
		t.Fatalf("open: %d %+v", status, c.Error)
	}
	var masked []byte
	e.do("GET", "/api/v1/cases/"+c.CaseNo, "viewer:v", nil, nil, &masked)
	for _, whole := range []string{idZhang, "11010519491231002X", "13904310000", "13804311234"} {
		if strings.Contains(string(masked), whole) {
			t.Errorf("a viewer sees %s whole: %s", whole, masked)
		}
	}
	var full []byte
	e.do("GET", "/api/v1/cases/"+c.CaseNo, "window:w", nil, nil, &full)
	for _, want := range []string{`"representative":{"kind":"person","name":"王法人","id_number":"11010519491231002X","phone":"13804311234"}`,
		`"address":"长春市南关区人民大街1号"`, `"submitter":{"kind":"person","name":"李经办"`} {
		if !strings.Contains(string(full), want) {
			t.Errorf("the window does not see %s in %s", want, full)
		}
	}

	decide := func(body map[string]any, out *caseJSON) int {
		return e.do("POST", "/api/v1/cases/"+c.CaseNo+"/decision", "window:赵窗口", body, map[string]string{"If-Match": fmt.Sprint(c.Version)}, out)
	}
	var got caseJSON
	if status := decide(map[string]any{"decision": "reject", "reason": "名称不合规", "refusals": []string{}}, &got); status != 422 || got.Error.Code != "refusal_reason_required" {
		t.Fatalf("a refusal without a catalogue reason: %d %+v", status, got.Error)
	}
	if status := decide(map[string]any{"decision": "reject", "refusals": []string{"no_such"}}, &got); status != 400 || got.Error.Code != "unknown_refusal" {
		t.Fatalf("a refusal with an unknown reason: %d %+v", status, got.Error)
	}
	var same caseJSON
	if e.do("GET", "/api/v1/cases/"+c.CaseNo, "window:w", nil, nil, &same); same.Version != c.Version || len(same.Notices) != 0 {
		t.Fatalf("refused decisions changed the case: version %d, notices %v", same.Version, same.Notices)
	}
	body := map[string]any{"decision": "reject", "reason": "经当场核查", "refusals": []string{"not_our_competence", "name_not_registrable"}}
	if status := decide(body, &got); status != 200 || got.State != cases.StateRejected {
		t.Fatalf("refusal: %d %+v", status, got.Error)
	}
	id, kind := got.lastNotice()
	var pdf []byte
	e.do("GET", "/api/v1/notices/"+id+"/pdf", "window:w", nil, nil, &pdf)
	text := strings.ReplaceAll(pdfText(t, pdf), "\n", "")
	for _, want := range []string{"不予受理决定书", "申请事项依法不属于本机关职权范围", "依据：《中华人民共和国行政许可法》第三十二条第一款第二项",
		"企业名称不符合企业名称登记管理规定", "补充说明：经当场核查", "受理窗口：综合窗口2", "经办人：赵窗口"} {
		if !strings.Contains(text, want) {
			t.Errorf("the %s notice does not say %q:\n%s", kind, want, text)
		}
	}

	// Two more cases; the list finds by case number or name, and pages.
	for _, name := range []string{"张三", "张三丰"} {
		if status := e.do("POST", "/api/v1/cases", "window:w", map[string]any{"matter": "JL-RS-001",
			"applicant": map[string]string{"name": name, "id_number": idZhang}}, nil, nil); status != 201 {
			t.Fatalf("open %s: %d", name, status)
		}
	}
	type list struct {
		Total int `json:"total"`
		Cases []struct {
			CaseNo    string `json:"case_no"`
			Applicant string `json:"applicant"`
		} `json:"cases"`
	}
	for q, want := range map[string]int{"张三": 2, "福满楼": 1, c.CaseNo: 1, "nobody": 0} {
		var l list
		e.do("GET", "/api/v1/cases?q="+q, "window:w", nil, nil, &l)
		if l.Total != want || len(l.Cases) != want {
			t.Errorf("q=%s: total %d, %d cases, want %d", q, l.Total, len(l.Cases), want)
		}
	}
	var p2 list
	e.do("GET", "/api/v1/cases?q=张三&per_page=1&page=2", "window:w", nil, nil, &p2)
	if p2.Total != 2 || len(p2.Cases) != 1 {
		t.Errorf("second page of one: %+v", p2)
	}
}
