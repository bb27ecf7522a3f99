package archive

import (
	"errors"
	"strings"
	"testing"
	"time"

	"onewindow/internal/fields"
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
		"营业执照 名称：长春市某呆食品有限公司 法定代表人身份证 220681199001011234 电话 13904312345"})
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
		{"whole code as prefix", Query{Text: "220681199001011234*"}, []string{"b3-001"}},
		{"phone number in the text", Query{Text: "1390431*"}, []string{"b3-001"}},
		{"id_prefix is not a credit code's", Query{IDPrefix: "91220101"}, nil},
		{"uscc_prefix is not an ID number's", Query{USCCPrefix: "220681"}, nil},
		{"longer than any code", Query{Text: "220681199001011234567*"}, nil},
		{"a word's beginning", Query{Text: "Commit*"}, []string{"b1-002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hitIDs(t, x, tt.q); strings.Join(got, ",") != strings.Join(tt.want, ",") {
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

func TestCodePrefixTerms(t *testing.T) {
	got := codePrefixTerms(map[string][]string{fields.IDNumbers: {"220681199001011234"}, fields.USCC: {"91220101ma0y3xxx2q"}}, "电话 13904312345，编号 AB-12 No.abcdefg 2206811990")
	want := map[string]bool{
		"id:220681": true, "id:220681199001011234": true, "num:220681199001011234": true,
		"uscc:91220101MA0Y3XXX2Q": true, "uscc:912201": true, "num:91220101MA": true,
		"num:13904312345": true, "num:139043": true, "num:2206811990": true,
	}
	for _, term := range got {
		delete(want, term)
		if strings.HasPrefix(term, "num:ABC") || strings.HasPrefix(term, "id:9") || len(term) > len("uscc:")+maxPrefixTerm {
			t.Errorf("unexpected term %q", term)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing terms %v in %v", want, got)
	}
}

// An index written before the current mapping is stale until rebuilt: Reset, then Persist
// (TestIndexSchemaMigratesOnce follows it across restarts).
func TestStaleIndex(t *testing.T) {
	dir := t.TempDir()
	x, err := OpenIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if x.Stale() {
		t.Error("a new index is stale")
	}
	x.mu.Lock()
	err = x.idx.DeleteInternal(schemaKey) // as an index of the first mapping was
	x.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	x.Close()
	if x, err = OpenIndex(dir); err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !x.Stale() {
		t.Error("an index without a schema version is not stale")
	}
	if err := x.Reset(); err != nil || !x.Stale() {
		t.Errorf("after Reset, before the rebuild is persisted: stale %v, err %v", x.Stale(), err)
	}
	if err := x.Persist(); err != nil || x.Stale() {
		t.Errorf("after the rebuild is persisted: stale %v, err %v", x.Stale(), err)
	}
}

// A code prefix matching more than facetLimit documents is answered without facets.
func TestBroadPrefixOmitsFacets(t *testing.T) {
	x := testIndex(t)
	defer func(n uint64) { facetLimit = n }(facetLimit)
	facetLimit = 0
	for _, tt := range []struct {
		q    Query
		omit bool
	}{
		{Query{Text: "220103*"}, true},
		{Query{IDPrefix: "220103"}, true},
		{Query{IDPrefix: "110105"}, false}, // matches nothing
		{Query{Text: "食品"}, false},
	} {
		res, err := x.Search(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if res.FacetsOmitted != tt.omit || (!tt.omit && len(res.Facets) == 0) || res.Facets == nil {
			t.Errorf("%+v: facets %v omitted %v, want omitted %v", tt.q, res.Facets, res.FacetsOmitted, tt.omit)
		}
	}
}
