package extract

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"onewindow/internal/fields"
)

func init() {
	// Birth dates are checked against today; pin it so the tests never age.
	now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
}

const (
	id1   = "220103198909195957"
	id2   = "220102198404222247"
	idX   = "11010519491231002X"
	uscc1 = "91220102QFWNB571XW"
	uscc2 = "912202044N0DRTU88H"
)

func TestValidators(t *testing.T) {
	tests := []struct {
		s        string
		id, code bool
	}{
		{id1, true, false},
		{idX, true, false},
		{"220103198909195958", false, false}, // wrong check digit
		{"990103198909195955", false, false}, // unknown province (check digit right)
		{"220103189909195952", false, false}, // born before 1900
		{"220103202712015958", false, false}, // born in the future
		{uscc1, false, true},
		{uscc2, false, true},
		{"91220102QFWNB571XX", false, false}, // wrong final check
		{"91220102QFWNB5710W", false, false}, // wrong organisation-code check
		{"B1220102QFWNB571XW", false, false}, // unknown department
	}
	for _, tc := range tests {
		if got := ValidIDNumber(tc.s); got != tc.id {
			t.Errorf("ValidIDNumber(%q) = %v, want %v", tc.s, got, tc.id)
		}
		if got := ValidUSCC(tc.s); got != tc.code {
			t.Errorf("ValidUSCC(%q) = %v, want %v", tc.s, got, tc.code)
		}
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Result
	}{
		{"labelled", "委托人：杨佳  身份证号码：" + id1 + "\n", Result{IDNumbers: []string{id1}}},
		{"two ids", "委托人 " + id1 + " 受托人 " + id2, Result{IDNumbers: []string{id1, id2}}},
		{"duplicate kept once", id1 + "\n" + id1, Result{IDNumbers: []string{id1}}},
		{"spaces inserted by OCR", "身份证号码 2201 0319 8909 195957", Result{IDNumbers: []string{id1}}},
		{"every digit spaced", "2 2 0 1 0 3 1 9 8 9 0 9 1 9 5 9 5 7", Result{IDNumbers: []string{id1}}},
		{"full-width digits", "身份证号码：２２０１０３１９８９０９１９５９５７", Result{IDNumbers: []string{id1}}},
		{"look-alikes repaired", "公民身份号码 22O1O31989O9l95957", Result{IDNumbers: []string{id1}}},
		{"lower-case x check", "号码 11010519491231002x", Result{IDNumbers: []string{idX}}},
		{"wrong check refused", "身份证号码 220103198909195958", Result{}},
		{"repair that fails check refused", "身份证号码 22O1O3l989O9I9S9S8", Result{}},
		{"inside longer run refused", "编号 9220103198909195957", Result{}},
		{"inside longer run with letters refused", "不动产单元号 " + id1 + "GB00012F00000001", Result{}},
		{"too many repairs refused", "ZZOIOSI989O9I9S9S7", Result{}},
		{"uscc", "统一社会信用代码 " + uscc1, Result{USCC: []string{uscc1}}},
		{"uscc lower case and spaced", "统一社会信用代码：9122 0102 qfwn b571 xw", Result{USCC: []string{uscc1}}},
		{"uscc O for 0", "代码 9122O2O44NODRTU88H", Result{USCC: []string{uscc2}}},
		{"uscc 8 read as B", "代码 9122O2O44N0DRTUB8H", guess(KindUSCC, uscc2)},
		{"uscc wrong check refused", "代码 91220102QFWNB571XX", Result{}},
		// OCR read one glyph twice as the same character; only a label on the line licenses
		// dropping one of an identical pair, so account numbers stay untouched.
		{"labelled id with a doubled digit", "法定代表人：贺鹏 身份证号码：2202021995121724335", guess(KindID, "220202199512172435")},
		{"unlabelled 19 digits with a doubled digit refused", "账号：2202021995121724335", Result{}},
		{"uscc P read as F", "统一社会信用代码：91220102AU0945NM2F", guess(KindUSCC, "91220102AU0945NM2P")},
		{"labelled uscc with a doubled letter", "统一社会信用代码：91220104CKLL1MHGAXJ", guess(KindUSCC, "91220104CKL1MHGAXJ")},
		// Forms print the value under its label: the label ending the line above counts.
		{"label closing the line above", "身份证号码：\n2202021995121724335", guess(KindID, "220202199512172435")},
		{"label inside the line above does not count", "身份证号码：王伟\n2202021995121724335", Result{}},
		{"label alone on the line above", "统一社会信用代码\n91220104CKLL1MHGAXJ", guess(KindUSCC, "91220104CKL1MHGAXJ")},
		{"prose ending with the word does not count", "办理时请携带身份证\n2202021995121724335", Result{}},
		{"label with a note", "统一社会信用代码（注册号）：91220104CKLL1MHGAXJ", guess(KindUSCC, "91220104CKL1MHGAXJ")},
		{"label with a slash", "统一社会信用代码/注册号 91220104CKLL1MHGAXJ", guess(KindUSCC, "91220104CKL1MHGAXJ")},
		{"short label", "统一代码：91220104CKLL1MHGAXJ", guess(KindUSCC, "91220104CKL1MHGAXJ")},
		// Real Tesseract output: one glyph read twice as two look-alikes.
		{"uscc glyph read twice", "统一社会信用代码：91220202WLDXB13D1l1", guess(KindUSCC, "91220202WLDXB13D11")},
		{"id glyph read twice", "身份证号码：2201031l98909195957", guess(KindID, id1)},
		{"id glyph read twice, spaced", "身份证号码 220103 19890O9 195957", guess(KindID, id1)},
		{"19 digits: a repeated digit is never dropped", "账号 2201033198909195957", Result{}},
		{"id and uscc", "统一社会信用代码：" + uscc1 + "\n法定代表人：王伟 身份证号码：" + id1,
			Result{IDNumbers: []string{id1}, USCC: []string{uscc1}}},
		{"phones", "联系电话：13912345678 座机 (0431)88886666 传真 0431-8888666 手机 139 1234 5679",
			Result{Found: map[string][]string{fields.Phones: {"13912345678", "13912345679", "0431-88886666", "0431-8888666"}}}},
		{"phone not cut from an id", "号码 220103139123456780", Result{}},
		{"dates", "申请日期：2021年1月2日 有效期限 2021.01.02-2027.05.14 成立 2020-3-9 Date: 03 April 2024",
			Result{Found: map[string][]string{fields.Dates: {"2021-01-02", "2027-05-14", "2020-03-09", "2024-04-03"}}}},
		{"spaced chinese date", "日期：2024 年 7 月 24 日", Result{Found: map[string][]string{fields.Dates: {"2024-07-24"}}}},
		{"invalid date dropped", "2021年2月30日", Result{}},
		{"no date inside an id", id1, Result{IDNumbers: []string{id1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Fields(tc.text)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Result{}, "Sources", "NearMisses"),
				cmpopts.IgnoreFields(Uncertain{}, "Raw")); diff != "" {
				t.Errorf("Fields(%q) mismatch (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

// guess is what Fields makes of a code it could only choose among readings: a candidate,
// not a value.
func guess(kind, value string) Result {
	return Result{Uncertain: []Uncertain{{Kind: kind, Candidates: []string{value}}}}
}

func TestFieldsNeverNilLists(t *testing.T) {
	f := Fields("nothing here")
	if f.IDNumbers == nil || f.USCC == nil {
		t.Fatalf("Fields returned nil lists: %#v", f)
	}
}

func FuzzFields(f *testing.F) {
	for _, s := range []string{
		"身份证号码：" + id1, "2201 0319 8909 195957", uscc1, "9122O2O44NODRTUB8H",
		"2021年1月2日 13912345678 (0431)88886666", "03 April 2024", "", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Fields(s)
		for _, id := range r.IDNumbers {
			if !ValidIDNumber(id) {
				t.Errorf("returned invalid ID number %q", id)
			}
		}
		for _, c := range r.USCC {
			if !ValidUSCC(c) {
				t.Errorf("returned invalid credit code %q", c)
			}
		}
		for _, d := range r.Found[fields.Dates] {
			if _, err := time.Parse("2006-01-02", d); err != nil || !utf8.ValidString(d) {
				t.Errorf("returned bad date %q", d)
			}
		}
	})
}
