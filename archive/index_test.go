package archive

import (
	"strings"
	"testing"
	"time"
)

func testRecords() []struct {
	rec  Record
	text string
} {
	day := func(d int) time.Time { return time.Date(2024, 3, d, 10, 0, 0, 0, time.UTC) }
	return []struct {
		rec  Record
		text string
	}{
		{Record{DocumentID: "b1-001", CaseNo: "JL-1", Type: "power_of_attorney", Title: "授权委托书", Applicant: "杨佳",
			Matter: "食品经营许可", Departments: []string{"市场监管局", "卫健委"},
			Fields: map[string][]string{"id_numbers": {"220103198909195957"}}, FiledAt: day(1)},
			"授 权 委 托 书\n委托人：杨佳 身份证号码：220103198909195957\n现委托受托人代为办理食品经营许可相关事宜。 Power of Attorney"},
		{Record{DocumentID: "b1-002", CaseNo: "JL-1", Type: "commitment_letter", Title: "容缺受理承诺书", FiledAt: day(2)},
			"容缺受理承诺书 本人申请办理建设工程规划许可，承诺补齐材料。 Commitment letter"},
		{Record{DocumentID: "b2-001", CaseNo: "JL-2", Type: "business_license", Title: "营业执照", ArchivalCode: "OW-ZW·2024-D30-JL-2-0001",
			Fields: map[string][]string{"uscc": {"91220101MA0Y3XXX1K"}}, FiledAt: day(5)},
			"营业执照 统一社会信用代码 91220101MA0Y3XXX1K 名称：长春市某某食品有限公司 经营范围：食品销售"},
	}
}

// testIndex is a new index holding testRecords, closed when the test ends.
func testIndex(t *testing.T) *Index {
	t.Helper()
	x, err := OpenIndex(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	addRecords(t, x, testRecords())
	return x
}

func TestIndexSearch(t *testing.T) {
	x := testIndex(t)
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"chinese phrase in spaced OCR text", Query{Text: "委托书"}, []string{"b1-001"}},
		{"chinese words across documents", Query{Text: "食品"}, []string{"b1-001", "b2-001"}},
		{"english, any case", Query{Text: "commitment"}, []string{"b1-002"}},
		{"all words must match", Query{Text: "食品 承诺"}, nil},
		{"type filter", Query{Text: "食品", Type: "business_license"}, []string{"b2-001"}},
		{"case number alone", Query{CaseNo: "JL-1"}, []string{"b1-002", "b1-001"}},
		{"id number", Query{IDNumber: "220103198909195957"}, []string{"b1-001"}},
		{"credit code, lower case", Query{USCC: "91220101ma0y3xxx1k"}, []string{"b2-001"}},
		{"applicant", Query{Applicant: "杨佳"}, []string{"b1-001"}},
		{"matter", Query{Matter: "食品经营许可"}, []string{"b1-001"}},
		{"department", Query{Department: "卫健委"}, []string{"b1-001"}},
		{"archival code", Query{ArchivalCode: "OW-ZW·2024-D30-JL-2-0001"}, []string{"b2-001"}},
		{"department and case", Query{Department: "市场监管局", CaseNo: "JL-2"}, nil},
		{"date range inclusive", Query{From: time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)}, []string{"b2-001", "b1-002"}},
		{"nothing", Query{Text: "不存在的词"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Search(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.DocumentID)
			}
			if tt.q.Text != "" { // ranked: compare as sets
				if strings.Join(sorted(got), ",") != strings.Join(sorted(tt.want), ",") {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			} else if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if int(res.Total) != len(tt.want) {
				t.Errorf("total %d, want %d", res.Total, len(tt.want))
			}
		})
	}
	res, _ := x.Search(Query{Text: "委托书"})
	if h := res.Hits[0]; h.Applicant != "杨佳" || h.Matter != "食品经营许可" || len(res.Facets["departments"]) != 2 {
		t.Errorf("hit %+v, facets %v: want the applicant, the matter and a departments facet", h, res.Facets)
	}
	if h := res.Hits[0]; !strings.Contains(h.Highlight, "<mark>") || !strings.Contains(h.Snippet, "委托书") || h.CaseNo != "JL-1" {
		t.Errorf("hit %+v", h)
	}
	res, _ = x.Search(Query{})
	if len(res.Facets["case_no"]) != 2 || res.Facets["type"] == nil {
		t.Errorf("facets %+v", res.Facets)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestNormalizeText(t *testing.T) {
	for in, want := range map[string]string{
		"委 托 书":        "委托书",
		"Power of 委 托": "Power of 委托",
		"号码： 2201":     "号码: 2201", // full-width forms folded, as queries are
		"吉（２０２２）辽":     "吉(2022)辽",
		"a b":          "a b",
		"第一页\f第 二 页":   "第一页\f第二页",
	} {
		if got := NormalizeText(in); got != want {
			t.Errorf("NormalizeText(%q) = %q, want %q", in, got, want)
		}
	}
}
