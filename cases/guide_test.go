package cases

import (
	"errors"
	"strings"
	"testing"

	"onewindow/internal/yamlfile"
)

// A guide's fields are optional (an old catalogue loads as before) and checked with line and
// reason when given.
func TestGuideFields(t *testing.T) {
	const head = "matters:\n  - code: A1\n    name: 甲\n    departments: [market-regulation]\n    time_limit_days: 3\n"
	const mat = "    materials: [{type: id_card, name: 身份证, required: true}]\n"
	good := "hall: {place: 一楼, hours: 工作日, phone: 0431-1}\ndepartment_names: {market-regulation: 市场监督管理局}\n" +
		head + "    conditions: [年满十八周岁]\n    legal_basis: [《条例》第三条]\n    fees: 不收费\n    hours: 周一\n" +
		"    forms: [{name: 申请书样表, href: /static/forms/a1.pdf}]\n" +
		"    materials: [{type: id_card, name: 身份证, required: true, original_or_copy: both}]\n"
	c, err := LoadCatalogue(strings.NewReader(good), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := c.Matter("A1")
	g := c.GuideFor(m)
	if g.Place != "一楼" || g.Hours != "周一" || g.Phone != "0431-1" || g.Fees != "不收费" || len(g.Conditions) != 1 ||
		len(g.Forms) != 1 || m.Materials[0].OriginalOrCopy != PaperBoth || c.DepartmentName("market-regulation") != "市场监督管理局" {
		t.Errorf("guide = %+v, matter = %+v", g, m)
	}
	if _, err := LoadCatalogue(strings.NewReader(head+mat), nil); err != nil {
		t.Errorf("a catalogue without guide fields: %v", err)
	}
	for _, tt := range []struct {
		name, yaml string
		line       int
		reason     string
	}{
		{"paper", head + "    materials: [{type: id_card, name: 身份证, original_or_copy: scan}]\n", 6, "original_or_copy must be"},
		{"empty condition", head + "    conditions: [\"\"]\n" + mat, 6, "condition 1 is empty"},
		{"script form", head + "    forms: [{name: 表, href: \"javascript:alert(1)\"}]\n" + mat, 6, "href must be"},
		{"form without name", head + "    forms: [{href: /a.pdf}]\n" + mat, 6, "has no name"},
		{"department name", "department_names: {Tax: 税务}\n" + head + mat, 1, `department id "Tax"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCatalogue(strings.NewReader(tt.yaml), nil)
			var le *yamlfile.Error
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a *yamlfile.Error", err)
			}
			if le.Line != tt.line || !strings.Contains(le.Reason, tt.reason) {
				t.Errorf("got line %d %q, want line %d containing %q", le.Line, le.Reason, tt.line, tt.reason)
			}
		})
	}
}
