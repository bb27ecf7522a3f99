package archive

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTolerantSearch(t *testing.T) {
	x, err := OpenIndex(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	recs := testRecords()
	recs = append(recs, struct {
		rec  Record
		text string
	}{Record{DocumentID: "b3-001", CaseNo: "JL-3", Type: "business_license", Title: "营业执照",
		Fields: map[string][]string{"uscc": {"91220101MA0Y3XXX2Q"}, "id_numbers": {"220681199001011234"}}, FiledAt: time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)},
		// OCR read 某 as 呆 in the company's name.
		"营业执照 名称：长春市某呆食品有限公司 法定代表人身份证 220681199001011234"})
	for _, r := range recs {
		if err := x.Add(&r.rec, r.text); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		q    Query
		want []string // in rank order
	}{
		{"exact first, one character off after", Query{Text: "长春市某某食品有限公司"}, []string{"b2-001", "b3-001"}},
		{"quoted stays exact", Query{Text: `"长春市某某食品有限公司"`}, []string{"b2-001"}},
		{"short queries stay exact", Query{Text: "某某食品"}, []string{"b2-001"}},
		{"id prefix in q", Query{Text: "220681199*"}, []string{"b3-001"}},
		{"id prefix and words", Query{Text: "营业执照 220681199*"}, []string{"b3-001"}},
		{"id_prefix filter", Query{IDPrefix: "220103"}, []string{"b1-001"}},
		{"uscc_prefix filter, lower case", Query{USCCPrefix: "91220101ma0y"}, []string{"b3-001", "b2-001"}},
		{"prefix of nothing", Query{IDPrefix: "110105"}, nil},
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
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	res, _ := x.Search(Query{Text: "长春市某某食品有限公司"})
	for _, h := range res.Hits {
		if !strings.Contains(h.Highlight, "<mark>") {
			t.Errorf("%s: no highlight in %q", h.DocumentID, h.Highlight)
		}
	}
	if _, err := x.Search(Query{Text: "2206*"}); !errors.Is(err, ErrShortPrefix) {
		t.Errorf("short prefix: err %v, want ErrShortPrefix", err)
	}
}
