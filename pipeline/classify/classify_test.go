package classify

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"onewindow/internal/yamlfile"
)

var update = flag.Bool("update", false, "rewrite testdata/classify-want.json")

type golden struct {
	Type       string  `json:"type"`
	Confidence float64 `json:"confidence"`
}

// TestGolden classifies the committed samples, written in wording of their own (not the
// corpus templates) with OCR-like spacing, and compares with testdata/classify-want.json.
// The file name says the type a person would give; a sample classified otherwise fails.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/samples/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	c := New(Default(), nil)
	got := map[string]golden{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		typ, conf := c.Classify(string(data))
		name := filepath.Base(f)
		got[name] = golden{typ, float64(int(conf*100+0.5)) / 100}
		if want := strings.SplitN(name, "-", 2)[0]; typ != want {
			t.Errorf("%s: classified %s (%.2f), want %s", name, typ, conf, want)
		}
	}
	const wantFile = "testdata/classify-want.json"
	if *update {
		data, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(wantFile, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(wantFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	var want map[string]golden
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("classifier output changed (-want +got), rerun with -update if intended:\n%s", diff)
	}
}

func TestClassifyBasics(t *testing.T) {
	c := New(nil, nil)
	tests := []struct {
		text string
		want string
	}{
		{"", Other},
		{"授 权 委 托 书\n委托人：张三 身份证号码：220103198909195957\n受托人：李四", "power_of_attorney"},
		{"营业执照\n统一社会信用代码 91220102QFWNB571XW\n名称 长春某某有限公司\n登记机关 长春市市场监督管理局", "business_license"},
		{"CERTIFICATE OF INCORPORATION\nCompany name: Example Trading Ltd.\nRegistered number: 01234567", "foreign_document"},
		// One misread character in the title is tolerated.
		{"授权委托苦\n委托人：张三\n受托人：李四\n委托期限：一年", "power_of_attorney"},
	}
	for _, tc := range tests {
		typ, conf := c.Classify(tc.text)
		if typ != tc.want {
			t.Errorf("Classify(%q) = %s (%.2f), want %s", tc.text, typ, conf, tc.want)
		}
		if conf < 0 || conf > 1 {
			t.Errorf("confidence %v out of [0,1]", conf)
		}
	}
}

func TestNeedsReview(t *testing.T) {
	if !NeedsReview(0.3, DefaultReviewThreshold) || NeedsReview(0.9, DefaultReviewThreshold) {
		t.Error("NeedsReview does not compare with the threshold")
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		wantLine int
		reason   string
	}{
		{"syntax", "types:\n  - name: other\n    label: [unclosed\n", -1, ""},
		{"unknown field", "min_score: 4\ntypes:\n  - name: other\n    colour: red\n", 4, "colour"},
		{"bad regex", "types:\n  - name: x\n    patterns:\n      - {regex: 'a(b', weight: 1}\n  - name: other\n", 4, "bad regex"},
		{"duplicate type", "types:\n  - name: x\n  - name: other\n  - name: x\n", 4, "duplicate"},
		{"missing other", "min_score: 4\ntypes:\n  - name: x\n", 2, "other"},
		{"bad weight", "types:\n  - name: x\n    keywords:\n      - {text: 申请, weight: 0}\n  - name: other\n", 4, "weight"},
		{"bad name", "types:\n  - name: Bad Name\n  - name: other\n", 2, "type name"},
		{"empty", "", 0, "empty"},
		{"wrong shape", "types: 3\n", 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.yaml))
			var le *yamlfile.Error
			if !errors.As(err, &le) {
				t.Fatalf("Load error = %v, want *yamlfile.Error", err)
			}
			if !errors.Is(err, ErrInvalidTaxonomy) {
				t.Errorf("error %v does not wrap ErrInvalidTaxonomy", err)
			}
			if tc.wantLine == -1 && le.Line > 0 {
				tc.wantLine = le.Line // any line will do, yaml.v3 decides which
			}
			if le.Line != tc.wantLine || !strings.Contains(le.Reason, tc.reason) {
				t.Errorf("got line %d reason %q, want line %d reason containing %q", le.Line, le.Reason, tc.wantLine, tc.reason)
			}
		})
	}
}

func TestLoadHallFile(t *testing.T) {
	const hall = `
min_score: 3
types:
  - name: marriage_certificate
    label: 结婚证
    title_keywords: [结婚证]
    keywords:
      - {text: 持证人, weight: 3}
      - {text: 登记日期, weight: 1}
    patterns:
      - {regex: 'j\d{6}-\d{4,}', weight: 2}
  - name: other
    label: 其他
`
	tax, err := Load(strings.NewReader(hall))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"marriage_certificate", Other}, tax.Names()); diff != "" {
		t.Error(diff)
	}
	typ, _ := New(tax, nil).Classify("结 婚 证\n持证人 王五\n登记日期 2020年1月1日\n结婚证字号 J220102-2020-00012")
	if typ != "marriage_certificate" {
		t.Errorf("hall taxonomy classified %s", typ)
	}
	if got := tax.Label("marriage_certificate"); got != "结婚证" {
		t.Errorf("Label = %q", got)
	}
}

func TestDefaultYAMLLoads(t *testing.T) {
	tax, err := Load(strings.NewReader(string(DefaultYAML())))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"application_form", "id_card", "business_license", "power_of_attorney", "commitment_letter",
		"property_certificate", "household_register", "articles_of_association", "foreign_document", "other"}
	got := tax.Names()
	sort.Strings(got)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default taxonomy types (-want +got):\n%s", diff)
	}
}

func TestTitleMatch(t *testing.T) {
	tax := Default()
	tests := []struct {
		line, want string
	}{
		{"授 权 委 托 书", "power_of_attorney"},
		{"营业执照（副本）", "business_license"},
		{"不动产权证书", "property_certificate"},
		{"第五条 公司注册资本为人民币50万元。", ""},
	}
	for _, tc := range tests {
		got, _ := tax.TitleMatch(tc.line)
		if got != tc.want {
			t.Errorf("TitleMatch(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestModelLearnsAndRoundTrips(t *testing.T) {
	m := NewModel()
	for i := 0; i < 6; i++ {
		m.Train("结婚证 持证人 登记日期 结婚证字号", "marriage")
		m.Train("离婚证 持证人 离婚证字号 登记机关", "divorce")
	}
	p := m.Predict("持证人 结婚证字号")
	if p["marriage"] <= p["divorce"] {
		t.Errorf("Predict = %v, want marriage first", p)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	m2 := NewModel()
	if err := json.Unmarshal(data, m2); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, m2.Predict("持证人 结婚证字号")); diff != "" {
		t.Errorf("prediction changed after round trip:\n%s", diff)
	}
	if m2.Examples() != 12 {
		t.Errorf("Examples = %d, want 12", m2.Examples())
	}
	if err := json.Unmarshal([]byte(`{"version":9}`), m2); err == nil {
		t.Error("unknown model version accepted")
	}
}

// The model tips the balance where the rules know nothing of a hall's own form.
func TestModelCombinedWithRules(t *testing.T) {
	m := NewModel()
	for i := 0; i < 20; i++ {
		m.Train("残疾人证 残疾类别 残疾等级 监护人", "other")
		m.Train("授权委托书 委托人 受托人 委托期限", "power_of_attorney")
	}
	c := New(Default(), m)
	if typ, _ := c.Classify("残疾人证\n残疾类别 肢体\n残疾等级 三级"); typ != Other {
		t.Errorf("got %s", typ)
	}
	if typ, conf := c.Classify("授权委托书\n委托人 张三\n受托人 李四"); typ != "power_of_attorney" || conf < 0.8 {
		t.Errorf("got %s %.2f", typ, conf)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add(string(DefaultYAML()))
	f.Add("types:\n  - name: other\n")
	f.Add("types:\n  - name: x\n    patterns:\n      - {regex: 'a(b', weight: 1}\n")
	f.Fuzz(func(t *testing.T, s string) {
		tax, err := Load(strings.NewReader(s))
		if err != nil {
			var le *yamlfile.Error
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not a *yamlfile.Error", err)
			}
			return
		}
		New(tax, nil).Classify(s)
	})
}

// A Latin page printed in a font without Latin glyphs, as Tesseract (chi_sim+eng) reads it:
// the glyph boxes come out as 0, o and O, and not one Chinese character.
func TestUnreadableScriptIsForeign(t *testing.T) {
	line := "0000000 0000000000000000 QO00000 00090 ooog 00 0000000000000000000000\n"
	text := "00000000000000000000000000\n" + strings.Repeat(line, 3)
	if typ, _ := New(nil, nil).Classify(text); typ != "foreign_document" {
		t.Errorf("unreadable Latin page classified %s, want foreign_document", typ)
	}
	// A short run of digits without Chinese is no such evidence.
	if typ, _ := New(nil, nil).Classify("2024 0431 88886666"); typ == "foreign_document" {
		t.Errorf("a few digits classified foreign_document")
	}
}
