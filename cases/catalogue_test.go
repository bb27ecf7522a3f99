package cases

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"onewindow/internal/yamlfile"
)

func TestDefaultCatalogue(t *testing.T) {
	c := DefaultCatalogue()
	if len(c.Matters) < 8 {
		t.Fatalf("sample catalogue has %d matters, want at least 8", len(c.Matters))
	}
	m := matter(t, "JL-SC-001")
	if m.Name != "企业设立登记" || len(m.Departments) != 3 || m.Materials[0].Count != 1 {
		t.Errorf("JL-SC-001 = %+v", m)
	}
	b, err := json.Marshal(map[string]any{"matters": c.Matters[:1]})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Matters []struct {
			Code          string   `json:"code"`
			Name          string   `json:"name"`
			Departments   []string `json:"departments"`
			TimeLimitDays *int     `json:"time_limit_days"`
			Materials     []struct {
				Type       string `json:"type"`
				Required   *bool  `json:"required"`
				Deferrable *bool  `json:"deferrable"`
			} `json:"materials"`
		} `json:"matters"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	g := got.Matters[0]
	if g.Code == "" || g.Name == "" || len(g.Departments) == 0 || g.TimeLimitDays == nil ||
		g.Materials[0].Type == "" || g.Materials[0].Required == nil || g.Materials[0].Deferrable == nil {
		t.Errorf("matters JSON lacks a contract field: %s", b)
	}
}

func TestLoadCatalogueRefuses(t *testing.T) {
	const head = "matters:\n  - code: A1\n    name: 甲\n    departments: [market-regulation]\n    time_limit_days: 3\n"
	tests := []struct {
		name, yaml string
		line       int
		reason     string
	}{
		{"empty", "", 0, "empty file"},
		{"no matters", "matters: []\n", 1, "no matters"},
		{"unknown field", "matters:\n  - code: A1\n    nam: 甲\n", 3, "field nam is not a known setting"},
		{"unknown type", head + "    materials:\n      - {type: passport, name: 护照, required: true}\n", 7, `unknown document type "passport"`},
		{"missing name", "matters:\n  - code: A1\n    departments: [x]\n", 2, "has no name"},
		{"duplicate code", head + "    materials: [{type: id_card, name: 身份证, required: true}]\n" +
			"  - code: A1\n    name: 乙\n    departments: [x]\n    materials: [{type: id_card, name: 身份证, required: true}]\n", 7, `duplicate matter code "A1"`},
		{"no department", "matters:\n  - code: A1\n    name: 甲\n    materials: [{type: id_card, name: 身份证}]\n", 2, "names no department"},
		{"bad department", "matters:\n  - code: A1\n    name: 甲\n    departments: [Market Reg]\n    materials: [{type: id_card, name: 身份证}]\n", 4, "department id"},
		{"deferrable optional", head + "    materials:\n      - {type: id_card, name: 身份证, deferrable: true, defer_days: 3}\n", 7, "deferrable but not required"},
		{"no defer days", head + "    materials:\n      - {type: id_card, name: 身份证, required: true, deferrable: true}\n", 7, "needs defer_days"},
		{"refusal without basis", head + "    materials: [{type: id_card, name: 身份证}]\n    refusals:\n      - {code: no, reason: 不行}\n", 8, "no legal basis"},
		{"refusal without reason", head + "    materials: [{type: id_card, name: 身份证}]\n    refusals:\n      - {code: no, legal_basis: 某法}\n", 8, "refusal no has no reason"},
		{"refusal code not snake_case", head + "    materials: [{type: id_card, name: 身份证}]\n    refusals:\n      - {code: Not-Ours, reason: 不行, legal_basis: 某法}\n", 8, "must be snake_case"},
		{"duplicate refusal", head + "    materials: [{type: id_card, name: 身份证}]\n    refusals:\n      - {code: no, reason: 不行, legal_basis: 某法}\n      - {code: no, reason: 也不行, legal_basis: 某法}\n", 9, `duplicate refusal code "no"`},
		{"bad code", "matters:\n  - code: \"A 1\"\n    name: 甲\n", 2, "must be letters"},
		{"days of another department", head + "    department_days: {taxation: 1}\n    materials: [{type: id_card, name: 身份证}]\n", 6, `names "taxation", which is not one of its departments`},
		{"days past the matter's", head + "    department_days: {market-regulation: 4}\n    materials: [{type: id_card, name: 身份证}]\n", 6, "from 1 to the matter's time_limit_days (3), not 4"},
		{"syntax", "matters:\n  - code: [\n", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCatalogue(strings.NewReader(tt.yaml), nil)
			var le *yamlfile.Error
			if !errors.As(err, &le) || !errors.Is(err, ErrInvalidFile) {
				t.Fatalf("err = %v, want a *yamlfile.Error", err)
			}
			if le.Line != tt.line || !strings.Contains(le.Reason, tt.reason) {
				t.Errorf("got line %d %q, want line %d containing %q", le.Line, le.Reason, tt.line, tt.reason)
			}
		})
	}
}

func TestLoadCatalogueKnownType(t *testing.T) {
	y := "matters:\n  - code: A1\n    name: 甲\n    departments: [x]\n    materials: [{type: permit, name: 许可证, required: true}]\n"
	if _, err := LoadCatalogue(strings.NewReader(y), nil); err == nil {
		t.Fatal("default taxonomy accepted type permit")
	}
	c, err := LoadCatalogue(strings.NewReader(y), func(s string) bool { return s == "permit" })
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := c.Matter("A1"); !ok || m.Materials[0].Count != 1 {
		t.Errorf("Matter(A1) = %+v, %v", m, ok)
	}
}
