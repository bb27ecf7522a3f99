package archive

import (
	"strings"
	"testing"
	"time"
)

// typedIndex holds testRecords and documents whose text people look for as they remember it:
// a registration number with full-width brackets, a Latin company name, an applicant the
// window typed who is named nowhere in the text.
func typedIndex(t *testing.T) *Index {
	t.Helper()
	x := testIndex(t)
	day := time.Date(2024, 4, 1, 10, 0, 0, 0, time.UTC)
	addRecords(t, x, []testRecord{
		{Record{DocumentID: "b4-001", CaseNo: "JL-4", Type: "property_certificate", Title: "不动产权证书", Applicant: "王晓明", FiledAt: day},
			"不动产权证书\n吉（2022）长春市不动产权第0012345号 编号 JLI2345O\n权利人 王某\n坐落 长春市南关区人民大街1号"},
		{Record{DocumentID: "b5-001", CaseNo: "JL-5", Type: "foreign_document", Title: "CERTIFICATE OF INCORPORATION", FiledAt: day,
			Fields: map[string][]string{"uscc": {"91220104CKL1MHGAXJ"}}},
			"CERTIFICATE OF INCORPORATION\nNorthbridge Analytics Ltd.\n统一社会信用代码 91220104CKL1MHGAXJ\nTel. ０４３１－８８８８６６６６"},
	})
	return x
}

// testRecord is a record with its text, to index.
type testRecord = struct {
	rec  Record
	text string
}

func addRecords(t *testing.T, x *Index, recs []testRecord) {
	t.Helper()
	for _, r := range recs {
		if err := x.Add(&r.rec, r.text); err != nil {
			t.Fatal(err)
		}
	}
}

// hitIDs runs q and lists the hits' document IDs in rank order.
func hitIDs(t *testing.T, x *Index, q Query) []string {
	t.Helper()
	res, err := x.Search(q)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.DocumentID)
	}
	return got
}

// What people type into the search box, by kind, and what it must find.
func TestSearchAsTyped(t *testing.T) {
	x := typedIndex(t)
	tests := []struct {
		kind, name, q string
		want          []string // in any order
	}{
		{"code", "first 8 digits of an ID number", "22010319", []string{"b1-001"}},
		{"code", "first 6 digits of an ID number", "220103", []string{"b1-001"}},
		{"code", "middle of an ID number", "19890919", []string{"b1-001"}},
		{"code", "first 8 characters of a credit code", "91220101", []string{"b2-001"}},
		{"code", "credit code's first characters, lower case", "91220104ckl1", []string{"b5-001"}},
		{"code", "end of a credit code", "MHGAXJ", []string{"b5-001"}},
		{"code", "full-width digits", "２２０１０３１９", []string{"b1-001"}},
		{"code", "a landline in full-width digits in the text", "88886666", []string{"b5-001"}},
		{"code", "registration number in the text", "0012345", []string{"b4-001"}},
		{"code", "prefix with a star stays", "22010319*", []string{"b1-001"}},
		{"code", "typed with a zero where OCR read O", "123450", []string{"b4-001"}},
		{"chinese", "two characters", "食品", []string{"b1-001", "b2-001"}},
		{"chinese", "company name's first 8 characters", "长春市某某食品有", []string{"b2-001"}},
		{"chinese", "full-width brackets", "吉（2022）长春市", []string{"b4-001"}},
		{"chinese", "half-width brackets", "吉(2022)长春市", []string{"b4-001"}},
		{"chinese", "spaced as typed", "吉 2022 长春市不动产权", []string{"b4-001"}},
		{"chinese", "applicant the window typed", "王晓明", []string{"b4-001"}},
		{"chinese", "quoted stays exact", `"长春市某某食品有限公司"`, []string{"b2-001"}},
		{"latin", "word cut short", "Analytic", []string{"b5-001"}},
		{"latin", "word cut short, lower case", "northbr", []string{"b5-001"}},
		{"latin", "two words, the last cut short", "Northbridge Analy", []string{"b5-001"}},
		{"latin", "whole word", "commitment", []string{"b1-002"}},
	}
	found := map[string][2]int{}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.name, func(t *testing.T) {
			got := map[string]bool{}
			for _, id := range hitIDs(t, x, Query{Text: tt.q}) {
				got[id] = true
			}
			ok := len(got) == len(tt.want)
			for _, id := range tt.want {
				ok = ok && got[id]
			}
			n := found[tt.kind]
			n[1]++
			if ok {
				n[0]++
			} else {
				t.Errorf("%q found %v, want %v", tt.q, keys(got), tt.want)
			}
			found[tt.kind] = n
		})
	}
	for kind, n := range found {
		t.Logf("%-8s %d of %d", kind, n[0], n[1])
	}
}

func keys(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return strings.Join(out, ",")
}

// The archive page's ID-number and credit-code fields take a code whole or its beginning.
func TestCodeFields(t *testing.T) {
	x := typedIndex(t)
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"whole ID number", Query{IDNumber: "220103198909195957"}, []string{"b1-001"}},
		{"first 8 digits of an ID number", Query{IDNumber: "22010319"}, []string{"b1-001"}},
		{"ID number with spaces and a star", Query{IDNumber: "220103 1989*"}, []string{"b1-001"}},
		{"a credit code's digits are no ID number's", Query{IDNumber: "91220101"}, nil},
		{"first 8 of a credit code, full width", Query{USCC: "９１２２０１０１"}, []string{"b2-001"}},
		{"whole credit code, lower case", Query{USCC: "91220104ckl1mhgaxj"}, []string{"b5-001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hitIDs(t, x, tt.q); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("found %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := x.Search(Query{IDNumber: "2201"}); err == nil {
		t.Error("a 4-digit ID number search ran: it would list most of the archive")
	}
}

// A query is outside input: whatever is typed, building it neither panics nor loops.
func FuzzTextQuery(f *testing.F) {
	for _, s := range []string{"22010319", "吉（2022）长春市", `"长春市某某食品有限公司"`, "Analytic 2206811990010112345678*",
		"９１２２０１０１ＭＡ０Ｙ", "a*", "\xff\xfe", "申请人 Commit*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := textQuery(s); err != nil && err != ErrShortPrefix {
			t.Errorf("textQuery(%q): %v", s, err)
		}
		prefixTerms(Query{Text: s, IDNumber: s, USCC: s})
	})
}
