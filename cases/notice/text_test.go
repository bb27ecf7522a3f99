package notice

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/cases"
)

// decided opens a case of matter JL-SC-001 for an organisation, files docs into it and takes
// decision, through package cases as the desk does, and answers the notice's data.
func decided(t *testing.T, docs []cases.DocumentFacts, in cases.DecisionInput) (*cases.Case, Data) {
	t.Helper()
	m, _ := cases.DefaultCatalogue().Matter("JL-SC-001")
	cal := cases.DefaultCalendar()
	opened := time.Date(2026, 3, 2, 9, 30, 0, 0, cst)
	c := &cases.Case{}
	e, err := cases.Open(m, cal, cases.OpenInput{CaseNo: "20260302-00042", Window: "综合窗口3", By: cases.Actor{Name: "赵窗口", Role: "window"}, At: opened,
		Applicant:      cases.Applicant{Name: "长春市南关区福满楼餐饮有限公司", USCC: "912201011234567884", Phone: "0431-88881234"},
		Representative: &cases.Party{Name: "王法人"}})
	if err == nil {
		err = c.Apply(e)
	}
	if err == nil && docs != nil {
		e, _, err = cases.BatchDone(c, m, cal, "b1", docs, cases.Actor{Name: "pipeline"}, opened)
		if err == nil {
			err = c.Apply(e)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	in.By, in.At = cases.Actor{Name: "赵窗口", Role: "window"}, issued
	e, err = cases.Decide(c, m, cal, in)
	if err == nil {
		err = c.Apply(e)
	}
	if err != nil {
		t.Fatal(err)
	}
	var d cases.DecidedData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		t.Fatal(err)
	}
	n := FromDecision(c, m, d, e.Reason, e.At)
	n.Clerk = e.By
	return c, n
}

// pdfText is the text pdftotext reads from a notice, a line per line, blank lines dropped.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "n.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(strings.Trim(l, "\f")); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestNoticeTextGolden: each decision's notice says what is true of its case, word for word
// as testdata/text/{name}.txt (go test -update rewrites them).
func TestNoticeTextGolden(t *testing.T) {
	r := renderer(t)
	all := []cases.DocumentFacts{{ID: "d1", Type: "application_form"}, {ID: "d2", Type: "id_card"},
		{ID: "d3", Type: "articles_of_association"}, {ID: "d4", Type: "property_certificate"}}
	tests := []struct {
		name      string
		docs      []cases.DocumentFacts
		in        cases.DecisionInput
		want, not []string
	}{
		{"accepted", all, cases.DecisionInput{Decision: cases.DecisionAccept},
			[]string{"申请材料齐全、符合法定形式", "公司章程", "已收取，1件", "受理窗口：综合窗口3", "经办人：赵窗口", "2026年3月6日前"}, []string{"受理意见"}},
		{"accepted_despite", all[1:], cases.DecisionInput{Decision: cases.DecisionAccept, Reason: "申请书原件已当场核验"},
			[]string{"未提交公司登记（备案）申请书", "经窗口核实", "受理意见：申请书原件已当场核验", "经办人：赵窗口"}, []string{"齐全、符合法定形式"}},
		{"deferred", all[:3], cases.DecisionInput{Decision: cases.DecisionAcceptDeferred},
			[]string{"住所使用证明", "请于2026年3月17日前补齐", "受理窗口：综合窗口3", "经办人：赵窗口"}, []string{"（无）"}},
		{"refusal", all, cases.DecisionInput{Decision: cases.DecisionReject, Reason: "经核查", Refusals: []string{"not_our_competence", "name_not_registrable"}},
			[]string{"申请事项依法不属于本机关职权范围", "依据：《中华人民共和国行政许可法》第三十二条第一款第二项", "企业名称不符合企业名称登记管理规定",
				"《企业名称登记管理规定》第十一条", "补充说明：经核查"}, []string{"（无）"}},
		{"correction", []cases.DocumentFacts{{ID: "d1", Type: "application_form"}}, cases.DecisionInput{Decision: cases.DecisionCorrection},
			[]string{"法定代表人身份证件复印件", "公司章程", "住所使用证明", "未提交，请补充提交"}, []string{"其他需要说明的事项"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, n := decided(t, tt.docs, tt.in)
			pdf, err := r.Render(n)
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, pdf)
			flat := strings.ReplaceAll(text, "\n", "") // paragraphs wrap anywhere
			for _, w := range tt.want {
				if !strings.Contains(flat, w) {
					t.Errorf("the notice does not say %q:\n%s", w, text)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(flat, w) {
					t.Errorf("the notice says %q:\n%s", w, text)
				}
			}
			if tt.name == "correction" { // the checklist's names, not others
				for _, it := range c.Check.Items {
					if it.Status != cases.StatusPresent && !strings.Contains(flat, it.Name) {
						t.Errorf("the one-time notice does not list the checklist's %q:\n%s", it.Name, text)
					}
				}
			}
			golden := filepath.Join("testdata", "text", tt.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if string(want) != text {
				t.Errorf("the notice's text differs from %s:\n%s", golden, text)
			}
		})
	}
}
