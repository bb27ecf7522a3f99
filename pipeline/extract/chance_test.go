package extract

import (
	"maps"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// The proof that a value filed as read is never one that validated by chance: readings are
// corrupted so that the printed code cannot be recovered (one character misread as another
// that no look-alike rule maps back) and repairs have choices to make (look-alikes, a glyph
// doubled or lost), so that now and then a wrong value passes every check. Every such value
// must end up a candidate (Uncertain), never among IDNumbers or USCC, whether it came from
// the text, from re-reading or from the case's confirmation (its documents, or the codes the
// window typed for its parties); the printed value confirmed by the case is still filed. A reading that validates in the one way its characters allow,
// misreads and all, is no choice among readings: it is counted apart (misreads the checks
// cannot see, as on any clean reading).
func TestChanceValidatedNeverFiled(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	const samples = 2000
	type tally struct{ chance, filedWrong, filedRight, asPrinted int }
	results := map[string]*tally{}
	// elsewhere are the readings of the code in the case's other documents: a value one of them
	// reads as printed, misreads and all, is filed there by itself and confirms this one.
	count := func(name, truth, raw string, r *Result, elsewhere ...string) {
		tl := results[name]
		if tl == nil {
			tl = &tally{}
			results[name] = tl
		}
		for _, u := range r.Uncertain {
			for _, c := range u.Candidates {
				if c != truth {
					tl.chance++
				}
			}
		}
		for _, v := range append(append([]string{}, r.IDNumbers...), r.USCC...) {
			if v == truth {
				tl.filedRight++
				continue
			}
			if src := r.Sources[v]; (src == SourceClean || src == SourceRepaired) && v == oneReading(raw) {
				tl.asPrinted++
				continue
			}
			if src := r.Sources[v]; src == SourceConfirmed && slices.ContainsFunc(elsewhere, func(o string) bool { return v == oneReading(o) }) {
				tl.asPrinted++
				continue
			}
			tl.filedWrong++
			tl.chance++
			t.Errorf("%s: filed %s (%s) for %s", name, v, r.Sources[v], truth)
		}
	}
	for i := range samples {
		kind, truth, label := KindUSCC, randomUSCC(rng), "统一社会信用代码："
		if i%2 == 1 {
			kind, truth, label = KindID, randomID(rng), "公民身份号码："
		}
		for _, c := range corruptions {
			raw := c.corrupt(rng, kind, truth)
			text := "授权委托书\n" + label + raw + "\n"

			alone := Fields(text)
			Confirm([]*Result{&alone}, nil)
			count(c.name+", text alone", truth, raw, &alone)

			// Read again scale after scale, each misreading other places, until two readings
			// agree, as reread.Page does.
			reread := Fields(text)
			var rereads []string
			for range targetScales {
				rereads = append(rereads, misread(rng, kind, truth, 1+rng.Intn(2)))
				v, agreed, ok := Reread(kind, raw, rereads...)
				if ok && (agreed || len(rereads) == len(targetScales)) {
					reread.AddReading(kind, raw, v, agreed)
				}
				if agreed {
					break
				}
			}
			Confirm([]*Result{&reread}, nil)
			count(c.name+", re-read", truth, raw, &reread)

			// Read again where some scales read it right and two others make the same
			// misreading, as neighbouring scales do: the printed value is filed, never the
			// repeated misreading (it validates by chance now and then).
			mixed := Fields(text)
			repeated := misread(rng, kind, truth, 2)
			mixedReads := []string{repeated, repeated}
			for j := range targetScales[2:] {
				if j%2 == 0 {
					mixedReads = append(mixedReads, truth)
				} else {
					mixedReads = append(mixedReads, misread(rng, kind, truth, 1+rng.Intn(2)))
				}
			}
			if v, agreed, ok := Reread(kind, raw, mixedReads...); ok {
				mixed.AddReading(kind, raw, v, agreed)
			}
			Confirm([]*Result{&mixed}, nil)
			count(c.name+", re-read, a misreading repeated", truth, raw, &mixed)

			// Another document of the case guessed too, from another misreading.
			otherRaw := c.corrupt(rng, kind, truth)
			other := Fields(label + otherRaw)
			pair := Fields(text)
			Confirm([]*Result{&pair, &other}, nil)
			count(c.name+", two guesses", truth, raw, &pair, otherRaw)

			// The case holds the printed value: the guess or near miss is that value, and
			// nothing else is filed.
			cased := Fields(text)
			Confirm([]*Result{&cased}, []Code{{Kind: kind, Value: truth}})
			count(c.name+", case knows it", truth, raw, &cased)

			// The window typed the printed value for the applicant, beside the agent's and the
			// representative's codes: the guess or near miss is filed as the window's value.
			typed := Fields(text)
			Confirm([]*Result{&typed}, []Code{{Kind: KindID, Value: randomID(rng), Source: SourceWindow},
				{Kind: kind, Value: truth, Source: SourceWindow}, {Kind: KindUSCC, Value: randomUSCC(rng), Source: SourceWindow}})
			count(c.name+", window typed it", truth, raw, &typed)
			if src := typed.Sources[truth]; src == SourceConfirmed || src == SourceUncertain {
				t.Errorf("window typed it: %s filed as %s, want its source %s", c.name, src, SourceWindow)
			}

			// The window typed other parties' codes only: they confirm nothing of this one.
			others := Fields(text)
			Confirm([]*Result{&others}, []Code{{Kind: KindID, Value: randomID(rng), Source: SourceWindow},
				{Kind: KindUSCC, Value: randomUSCC(rng), Source: SourceWindow}})
			count(c.name+", window typed others", truth, raw, &others)
		}
	}
	chance := 0
	for _, name := range slices.Sorted(maps.Keys(results)) {
		tl := results[name]
		t.Logf("%-50s chance-validated wrong values %4d, let through %d, printed value filed %4d, misread as printed %d",
			name, tl.chance, tl.filedWrong, tl.filedRight, tl.asPrinted)
		chance += tl.chance
	}
	// Without chance validations the test proves nothing.
	if chance == 0 {
		t.Fatal("no corrupted reading validated by chance: the corruptions are too mild to test anything")
	}
}

// oneReading is raw read in the one way its characters allow, as an ID number or a credit code.
func oneReading(raw string) string {
	if v, ok := repairIDNumber(raw); ok {
		return v
	}
	v, _ := readUSCC(raw)
	return v
}

// targetScales stands for the scales a region is read again at.
var targetScales = [8]int{40, 40, 56, 56, 32, 48, 40, 56} // reread.scans

var corruptions = []struct {
	name    string
	corrupt func(rng *rand.Rand, kind, truth string) string
}{
	{"misread and look-alikes", func(rng *rand.Rand, kind, truth string) string {
		return lookalikes(rng, misread(rng, kind, truth, 1), 2+rng.Intn(3))
	}},
	{"two misreads and look-alikes", func(rng *rand.Rand, kind, truth string) string {
		return lookalikes(rng, misread(rng, kind, truth, 2), 1+rng.Intn(3))
	}},
	{"misread and a glyph lost", func(rng *rand.Rand, kind, truth string) string {
		s := []rune(misread(rng, kind, truth, 1))
		i := rng.Intn(len(s))
		return string(append(s[:i:i], s[i+1:]...))
	}},
	{"misread and a glyph doubled", func(rng *rand.Rand, kind, truth string) string {
		s := []rune(lookalikes(rng, misread(rng, kind, truth, 1), 1))
		i := rng.Intn(len(s))
		return string(s[:i+1]) + string(s[i:])
	}},
}

// misread replaces n places of s with another character of the code's alphabet that is not a
// look-alike of the one printed: an error no repair can see.
func misread(rng *rand.Rand, kind, s string, n int) string {
	alphabet := usccChars
	if kind == KindID {
		alphabet = "0123456789"
	}
	b := []byte(s)
	for _, i := range rng.Perm(len(b))[:n] {
		for {
			c := alphabet[rng.Intn(len(alphabet))]
			if glyphClass(rune(c)) != glyphClass(rune(b[i])) {
				b[i] = c
				break
			}
		}
	}
	return string(b)
}

// lookalikes replaces up to n characters that have a look-alike with one.
func lookalikes(rng *rand.Rand, s string, n int) string {
	r := []rune(s)
	for _, i := range rng.Perm(len(r)) {
		if n == 0 {
			break
		}
		if alts := lookalikeLetters[r[i]]; alts != "" {
			a := []rune(alts)
			r[i] = a[rng.Intn(len(a))]
			n--
		}
	}
	return string(r)
}

var lookalikeLetters = map[rune]string{'0': "ODQ", '1': "Il|", '2': "Z", '5': "S", '6': "Gb", '8': "B", '9': "g",
	'P': "F", 'F': "P", 'J': "|"}

func randomDivision(rng *rand.Rand) string {
	provinces := make([]string, 0, len(provinceCodes))
	for p := range provinceCodes {
		if p[0] != '7' && p[0] != '8' {
			provinces = append(provinces, p)
		}
	}
	// Sorted, so the seed gives the same codes on every run.
	for i := 1; i < len(provinces); i++ {
		for j := i; j > 0 && provinces[j] < provinces[j-1]; j-- {
			provinces[j], provinces[j-1] = provinces[j-1], provinces[j]
		}
	}
	return provinces[rng.Intn(len(provinces))] + twoDigits(1+rng.Intn(20)) + twoDigits(1+rng.Intn(30))
}

func twoDigits(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func randomID(rng *rand.Rand) string {
	for {
		s := randomDivision(rng) + twoDigits(19+rng.Intn(2)) + twoDigits(rng.Intn(100)) + twoDigits(1+rng.Intn(12)) +
			twoDigits(1+rng.Intn(28)) + twoDigits(rng.Intn(100)) + string(rune('0'+rng.Intn(10)))
		sum := 0
		for i := range 17 {
			sum += int(s[i]-'0') * idWeights[i]
		}
		if s += string(idCheckChars[sum%11]); ValidIDNumber(s) {
			return s
		}
	}
}

func randomUSCC(rng *rand.Rand) string {
	for {
		var b strings.Builder
		b.WriteString("91")
		b.WriteString(randomDivision(rng))
		sum := 0
		for i := range 8 {
			c := usccChars[rng.Intn(len(usccChars))]
			b.WriteByte(c)
			v := int(c - '0')
			if c >= 'A' {
				v = int(c-'A') + 10
			}
			sum += v * orgWeights[i]
		}
		switch c := 11 - sum%11; c {
		case 10:
			b.WriteByte('X')
		case 11:
			b.WriteByte('0')
		default:
			b.WriteByte(byte('0' + c))
		}
		s := b.String()
		sum = 0
		for i := range 17 {
			sum += strings.IndexByte(usccChars, s[i]) * usccWeights[i]
		}
		if s += string(usccChars[(31-sum%31)%31]); ValidUSCC(s) {
			return s
		}
	}
}
