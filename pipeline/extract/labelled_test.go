package extract

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLabelledRepairs(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
		source     string
	}{
		// Repairs that choose among readings give candidates, for re-reading and confirmation.
		{"glyph glued to the first digit, which is lost", "统一社会信用代码：码1220102QFWNB571XW", []string{uscc1}, SourceUncertain},
		{"doubled digit read once", "统一社会信用代码：912202044N0DRTU8H", []string{uscc2}, SourceUncertain},
		{"bar for J", "统一社会信用代码：91220104CKL1MHGAX|", []string{"91220104CKL1MHGAXJ"}, SourceUncertain},
		{"semicolon after the label", "身份证号码；" + id1, []string{id1}, SourceClean},
		{"look-alikes where only digits stand", "统一社会信用代码：9122OlO2QFWNB571XW", []string{uscc1}, SourceRepaired},
		{"label with a misread character", "统一社会信用代吗：码1220102QFWNB571XW", []string{uscc1}, SourceUncertain},
		{"digit misread: not guessed", "身份证号码：220103198909195958", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Fields(tc.text)
			all := append(append([]string{}, got.IDNumbers...), got.USCC...)
			if tc.source == SourceUncertain {
				if len(all) != 0 || len(got.Uncertain) != 1 || len(got.NearMisses) != 1 {
					t.Fatalf("Fields(%q) filed %v, candidates %v, near misses %v; want one candidate to read again",
						tc.text, all, got.Uncertain, got.NearMisses)
				}
				all = got.Uncertain[0].Candidates
			}
			if tc.want == nil {
				if len(all) != 0 {
					t.Fatalf("Fields(%q) = %v, want nothing", tc.text, all)
				}
				return
			}
			if diff := cmp.Diff(tc.want, all); diff != "" {
				t.Fatalf("Fields(%q) (-want +got):\n%s", tc.text, diff)
			}
			if tc.source != SourceUncertain && got.Sources[tc.want[0]] != tc.source {
				t.Errorf("source %q, want %q", got.Sources[tc.want[0]], tc.source)
			}
		})
	}
}

func TestNearMisses(t *testing.T) {
	got := NearMisses("法定代表人：王伟 身份证号码：220103198909195958\n统一社会信用代码：" + uscc1)
	want := []NearMiss{{Kind: KindID, Raw: "220103198909195958", Start: 15, End: 33}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("NearMisses (-want +got):\n%s", diff)
	}
}

func TestReread(t *testing.T) {
	tests := []struct {
		name, kind, raw string
		rereads         []string
		want            string
	}{
		{"reread validates", KindUSCC, "91220106GDEBS4BKSE", []string{"912201 06GDEB84BK8E\n"}, "91220106GDEB84BK8E"},
		{"pieced from two readings", KindID, "222401195705254651", []string{"222101195705251654"}, ""},
		{"pieced from two readings, two places", KindID, "222401195705254651", []string{"222101195705254654"}, "222401195705254654"},
		{"reread far from the page's reading refused", KindID, "222401195705254651", []string{id1}, ""},
		{"nothing validates", KindID, "222401195705254651", []string{"222401195705254651"}, ""},
		{"empty reread", KindUSCC, "91220106GDEBS4BKSE", []string{""}, ""},
		// Every reading has a place wrong, each a different one; the crop cut the first
		// glyph, which no credit code can begin with as read (J).
		{"pieced from three readings", KindUSCC, "912204021P4E83GUSN",
			[]string{"J12204021P4E83GUB8N", "J12204021P4E83GUEM", "112204021P4E83GU8N"}, "912204021P4E83GU8M"},
		// The page lost three digits to a speck; two scales of the crop read the code alike.
		{"two rereads agree", KindID, "220102196005616", []string{"220102196003105163", "220102196003105163"}, "220102196003105163"},
		{"one reread far from the page", KindID, "220102196005616", []string{"220102196003105163"}, ""},
		{"too many ways to piece", KindUSCC, "912204021P4E83GUSN",
			[]string{"712204021P4E83GUEM", "112204021P4E83GU8N", "A12204021P4E83GUBK"}, ""},
		// A 17-character reread validated with a glyph put back by chance; a reread at another
		// scale reads the code as printed, and wins.
		{"read as printed outweighs repaired", KindUSCC, "912206815UIX8JReX0",
			[]string{"912206815U1X8K6X0", "912206815U1X8KX", "912206815U1X8JK6X0"}, "912206815U1X8JK6X0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, ok := Reread(tc.kind, tc.raw, tc.rereads...)
			if got != tc.want || ok != (tc.want != "") {
				t.Fatalf("Reread(%q, %q) = %q, %v; want %q", tc.raw, tc.rereads, got, ok, tc.want)
			}
		})
	}
	// Only two rereads that read the value as it stands agree on it; anything else is a
	// candidate, and the caller reads at another scale while it can.
	for _, tc := range []struct {
		name    string
		rereads []string
		agreed  bool
	}{
		{"one reread repaired", []string{"912206815U1X8K6X0"}, false},
		{"one reread as printed", []string{"912206815U1X8JK6X0"}, false},
		{"two rereads as printed", []string{"912206815U1X8JK6X0", "912206815U1X8JK6X0"}, true},
		{"two rereads, one repaired", []string{"912206815U1X8JK6X0", "912206815U1X8K6X0"}, false},
	} {
		if _, agreed, ok := Reread(KindUSCC, "912206815UIX8JReX0", tc.rereads...); !ok || agreed != tc.agreed {
			t.Errorf("%s: agreed %v ok %v, want agreed %v", tc.name, agreed, ok, tc.agreed)
		}
	}
}

func TestConfirm(t *testing.T) {
	clean := Fields("统一社会信用代码：" + uscc1 + "\n法定代表人身份证号码：" + id1)
	// Two characters wrong in the credit code, one in the ID number, on another document.
	near := Fields("统一社会信用代码：91220102QFWNB57IXX\n身份证号码：220103198909195958")
	other := Fields("身份证号码：220102198404222248") // far from every known code
	Confirm([]*Result{&clean, &near, &other}, nil)
	if diff := cmp.Diff([]string{uscc1}, near.USCC); diff != "" {
		t.Errorf("uscc (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{id1}, near.IDNumbers); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if near.Sources[uscc1] != SourceConfirmed || near.Sources[id1] != SourceConfirmed {
		t.Errorf("sources %v", near.Sources)
	}
	if len(other.IDNumbers) != 0 {
		t.Errorf("a far near miss was confirmed: %v", other.IDNumbers)
	}
}

// A code an earlier batch of the case filed confirms a near miss as one of the batch's own
// documents would; a filed value that does not validate confirms nothing.
func TestConfirmFiled(t *testing.T) {
	tests := []struct {
		name  string
		filed []Code
		want  []string
	}{
		{"filed code", []Code{{KindUSCC, uscc1, ""}}, []string{uscc1}},
		{"filed as the other kind", []Code{{KindID, uscc1, ""}}, []string{}},
		{"two close codes: neither", []Code{{KindUSCC, uscc1, ""}, {KindUSCC, "912201022FWNB5P1XX", ""}}, []string{}},
		{"filed value that does not validate", []Code{{KindUSCC, "91220102QFWNB57IXA", ""}}, []string{}},
		{"nothing filed", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			near := Fields("统一社会信用代码：91220102QFWNB57IXX")
			Confirm([]*Result{&near}, tt.filed)
			if diff := cmp.Diff(tt.want, near.USCC); diff != "" {
				t.Errorf("uscc (-want +got):\n%s", diff)
			}
			if len(tt.want) > 0 && near.Sources[uscc1] != SourceConfirmed {
				t.Errorf("sources %v", near.Sources)
			}
		})
	}
}

func TestCodeOf(t *testing.T) {
	for in, want := range map[string]string{
		"220402199708124647 197":  "220402199708124647",
		"220104 199905091457":     "220104199905091457",
		"220104 1999050 91457 12": "220104199905091457",
		"2204021997081246 47 197": "220402199708124647",
		"22040219970812464 197":   "22040219970812464197",
		"9122010 2yf99fmaa49":     "91220102YF99FMAA49",
	} {
		if got := codeOf(in); got != want {
			t.Errorf("codeOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLabelClosesLine(t *testing.T) {
	for _, tc := range []struct {
		line, label string
		want        bool
	}{
		{"身份证号码：", "身份证号码", true},
		{"委托人：王伟  身份证号码: ", "身份证号码", true},
		{"统一社会信用代码", "统一社会信用代码", true},
		{"统一社会信用代码（注册号）：", "统一社会信用代码", true},
		{"办理时请携带身份证", "身份证", false},
		{"身份证号码：王伟", "身份证号码", false},
		{"居民身份证（复印件）", "身份证", false},
	} {
		if got := labelClosesLine(tc.line, tc.label); got != tc.want {
			t.Errorf("labelClosesLine(%q, %q) = %v, want %v", tc.line, tc.label, got, tc.want)
		}
	}
}
