package extract

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"onewindow/pipeline/internal/edit"
)

// How a field's value was obtained, from most to least direct; documents carry one per value
// (Result.Sources) so a reviewer knows which to check first.
const (
	SourceClean     = "clean"     // read as printed, check character right
	SourceRepaired  = "repaired"  // look-alikes read as the one character their places allow
	SourceReread    = "reread"    // read again from the page image, check character right
	SourceConfirmed = "confirmed" // a guess or near miss matching a code read elsewhere in the case
	SourceWindow    = "window"    // a guess or near miss matching a code the window typed for the case
	SourceReviewer  = "reviewer"  // typed or corrected by a reviewer
	// SourceUncertain marks a candidate: a value chosen among readings because it alone
	// validates, that nothing confirmed (Result.Uncertain). It is never filed as read.
	SourceUncertain = "uncertain"
)

// guessed is how resolveSpan marks a value it chose among several readings: the checks pass
// by chance for one wrong reading in a few hundred, so it needs confirming.
const guessed = "guessed"

// Kinds of code a label announces.
const (
	KindID   = "id_number"
	KindUSCC = "uscc"
)

// NearMiss is the text after a label that announces a code but does not validate, even after
// the repairs the text alone allows. Start and End are rune offsets of the code's characters
// in the text given to Fields or NearMisses.
type NearMiss struct {
	Kind       string
	Raw        string // the code characters as OCR read them, spaces removed
	Start, End int
}

// codeLabels maps each label printed before a code to the kind of code, longest first (see
// init) so 统一社会信用代码 is not also taken for 信用代码. Forms word the labels many ways;
// each of these is in use on some issuer's forms (社会统一信用代码 is a common slip of the
// official name, 统一代码 the short form on business licences).
var codeLabels = []struct{ label, kind string }{
	{"统一社会信用代码", KindUSCC}, {"社会统一信用代码", KindUSCC}, {"社会信用代码", KindUSCC},
	{"统一信用代码", KindUSCC}, {"信用代码", KindUSCC}, {"统一代码", KindUSCC},
	{"公民身份号码", KindID}, {"身份证件号码", KindID}, {"身份证件编号", KindID}, {"身份证明号码", KindID},
	{"身份证号码", KindID}, {"身份证编号", KindID}, {"身份证件号", KindID}, {"身份证号", KindID},
	{"证件号码", KindID}, {"证件编号", KindID}, {"身份号码", KindID}, {"证件号", KindID}, {"身份证", KindID},
}

func init() {
	slices.SortStableFunc(codeLabels, func(a, b struct{ label, kind string }) int {
		return utf8.RuneCountInString(b.label) - utf8.RuneCountInString(a.label)
	})
}

// NearMisses returns the labelled codes of text that do not validate, or only as a guess:
// the regions worth reading again from the image.
func NearMisses(text string) []NearMiss {
	runes := normalize(text)
	var out []NearMiss
	for _, span := range labelledSpans(runes) {
		if _, src, ok := resolveSpan(span.kind, span.raw); ok && src != guessed {
			continue
		}
		out = append(out, NearMiss{Kind: span.kind, Raw: span.raw, Start: span.start, End: span.end})
	}
	return out
}

type labelSpan struct {
	kind, raw  string
	start, end int
}

// labelledSpans finds, after each label, the code characters that follow on the same line: past
// a colon and spaces, and past one Chinese glyph glued to the first character (OCR's reading
// of a digit it could not place). Spaces inside the code are dropped from raw.
func labelledSpans(runes []rune) []labelSpan {
	var out []labelSpan
	for i := 0; i < len(runes); i++ {
		kind, n := labelAt(runes, i)
		if n == 0 {
			continue
		}
		j := pastLabel(runes, i, i+n)
		if j+1 < len(runes) && unicode.Is(unicode.Han, runes[j]) && isCodeRune(runes[j+1]) {
			j++
		}
		start := j
		var raw strings.Builder
		end := j
		for j < len(runes) && (isCodeRune(runes[j]) || isHorizontalSpace(runes[j])) {
			if isCodeRune(runes[j]) {
				raw.WriteRune(runes[j])
				end = j + 1
			}
			j++
		}
		// A short run is a code OCR could not make out ("RS" for eighteen digits): a near
		// miss to read again, never resolved from the text.
		if l := len([]rune(raw.String())); l >= 1 && l <= 21 {
			out = append(out, labelSpan{kind: kind, raw: raw.String(), start: start, end: end})
		}
		i = max(i, end-1)
	}
	return out
}

// labelSeparators are what may stand between a label and its code.
const labelSeparators = ":：;；,，.。 \t"

// pastLabel returns where the code after the label runes[start:end] starts: past a colon
// and spaces; past a short note on the label, such as （注册号）, (身份证) or /注册号; and onto
// the next line when the label closes a form's field there (labelClosesLine).
func pastLabel(runes []rune, start, end int) int {
	skip := func(j int) int {
		for j < len(runes) && strings.ContainsRune(labelSeparators, runes[j]) {
			j++
		}
		return j
	}
	j := skip(end)
	if j < len(runes) {
		switch runes[j] {
		case '(', '（', '[', '【':
			if k := slices.IndexFunc(runes[j+1:min(len(runes), j+10)], func(r rune) bool {
				return r == ')' || r == '）' || r == ']' || r == '】'
			}); k >= 0 && !slices.ContainsFunc(runes[j+1:j+1+k], unicode.IsDigit) {
				j = skip(j + k + 2)
			}
		case '/', '、':
			k := j + 1
			for k < len(runes) && k-j <= 6 && unicode.Is(unicode.Han, runes[k]) {
				k++
			}
			if k > j+1 {
				j = skip(k)
			}
		}
	}
	if j < len(runes) && runes[j] == '\n' {
		lineStart := start
		for lineStart > 0 && runes[lineStart-1] != '\n' {
			lineStart--
		}
		if labelClosesLine(string(runes[lineStart:j]), string(runes[start:end])) {
			j = skip(j + 1)
		}
	}
	return j
}

// labelClosesLine reports whether line ends with label as a form's field whose value is
// printed under it: followed by a colon, or standing alone on its line. Prose that ends with
// the word (请携带身份证) announces nothing on the next line.
func labelClosesLine(line, label string) bool {
	tail := strings.TrimRight(line, " \t")
	colon := strings.HasSuffix(tail, ":") || strings.HasSuffix(tail, "：")
	tail = strings.TrimRight(tail, labelSeparators)
	i := strings.LastIndex(tail, label)
	if i < 0 {
		return false
	}
	head := strings.TrimSpace(tail[:i])
	rest := strings.TrimSpace(tail[i+len(label):])
	// A note on the label (（注册号）) may stand between it and the line's end.
	if rest != "" && !strings.HasPrefix(rest, "(") && !strings.HasPrefix(rest, "（") && !strings.HasPrefix(rest, "/") {
		return false
	}
	return colon || head == ""
}

// labelAt returns the kind and length of the label starting at runes[i]. A label of six
// characters or more may have one of them misread (统一社会信用代吗): that alone only sends
// the code to re-reading and the repairs, which still have to validate.
func labelAt(runes []rune, i int) (kind string, n int) {
	for _, l := range codeLabels {
		lr := []rune(l.label)
		if i+len(lr) <= len(runes) && string(runes[i:i+len(lr)]) == l.label {
			return l.kind, len(lr)
		}
	}
	for _, l := range codeLabels {
		lr := []rune(l.label)
		if len(lr) < 6 || i+len(lr) > len(runes) || runes[i] != lr[0] {
			continue
		}
		wrong := 0
		for k, r := range lr {
			if runes[i+k] != r {
				wrong++
			}
		}
		if wrong <= 1 {
			return l.kind, len(lr)
		}
	}
	return "", 0
}

// resolveSpan reads a labelled code: as printed (clean) or in the one way look-alikes allow
// (repaired, see readUSCC), else, when exactly one of several readings validates, with
// look-alikes taken either way or the one insertion or deletion a label licenses (guessed:
// a choice among readings validates by chance now and then, so it is never filed as read).
func resolveSpan(kind, raw string) (value, source string, ok bool) {
	repair, read := repairUSCC, readUSCC
	if kind == KindID {
		repair, read = repairIDNumber, repairIDNumber
	}
	if v, ok := read(raw); ok {
		return v, howRead(raw, v), true
	}
	if v, ok := repair(raw); ok {
		return v, guessed, true
	}
	if kind == KindUSCC {
		if v, ok := repairUSCCLabelled(raw); ok {
			return v, guessed, true
		}
	}
	if v, ok := withoutDoubledGlyph(raw, repair, true); ok {
		return v, guessed, true
	}
	if v, ok := oneEdit(raw, kind); ok {
		return v, guessed, true
	}
	return "", "", false
}

// repairUSCCLabelled tries the readings a vertical bar or a capital I may stand for in a
// labelled credit code: J as well as 1, which the unlabelled repair does not risk.
func repairUSCCLabelled(raw string) (string, bool) {
	r := []rune(raw)
	if len(r) != 18 {
		return "", false
	}
	found := ""
	for i, c := range r {
		if c != '|' && c != 'I' && c != 'l' && c != ']' {
			continue
		}
		if i >= 2 && i < 8 { // division code: digits only
			continue
		}
		cand := string(r[:i]) + "J" + string(r[i+1:])
		if v, ok := repairUSCC(cand); ok {
			if found != "" && found != v {
				return "", false
			}
			found = v
		}
	}
	return found, found != ""
}

// oneEdit repairs a credit code that OCR read one character short or long: a doubled letter
// read once, a first character lost to a glued glyph, one stray character. Only insertions
// that repeat a neighbour (or restore a first character) are tried, and all deletions: few
// enough readings that a wrong one validating by chance is rare (its two check characters pass
// one reading in 341), and none is taken unless it is the only one. ID numbers are left alone:
// their one mod-11 check lets one wrong reading in eleven through.
func oneEdit(raw, kind string) (string, bool) {
	if kind != KindUSCC {
		return "", false
	}
	r := []rune(raw)
	found := map[string]bool{}
	try := func(s string) {
		if v, ok := repairUSCC(s); ok {
			found[v] = true
		}
	}
	switch len(r) {
	case 17:
		for _, c := range "123456789ANY" {
			try(string(c) + string(r))
		}
		for i := 1; i <= len(r); i++ {
			try(string(r[:i]) + string(r[i-1]) + string(r[i:]))
		}
	case 19:
		for i := range r {
			try(string(r[:i]) + string(r[i+1:]))
		}
	}
	if len(found) != 1 {
		return "", false
	}
	for v := range found {
		return v, true
	}
	return "", false
}

// maxDisagreements bounds the places in which two readings of a code may differ for a value
// to be pieced together from them: each choice is one more chance of a wrong value validating,
// and a credit code's two check characters make that far rarer than an ID number's one.
var maxDisagreements = map[string]int{KindID: 2, KindUSCC: 3}

// Reread resolves a code read again from the page image (rereads, spaces ignored) against
// what the page's OCR read there (raw). Every way of reading considered must agree on one
// value, or none is taken: a reread that validates as read or with look-alikes repaired; a
// value pieced together place by place from two readings that differ in a few places; the
// place-by-place majority of three, or of any of them where each has another place wrong. A
// value must stay within a few edits of the page's own reading, so two readings agree on it,
// unless two rereads agree on it exactly. A reread read as printed outweighs another repaired.
//
// agreed is true only when two rereads (at different scales) each read the value in the one
// way their characters allow: anything else, a reread repaired, a value pieced together or a
// majority, validates by chance now and then, so the caller reads again while it can and
// files a value that never agreed as a candidate (Result.AddReading).
func Reread(kind, raw string, rereads ...string) (value string, agreed, ok bool) {
	rereads = slices.Clone(rereads)
	for i, r := range rereads {
		rereads[i] = codeOf(r)
	}
	value, ok = rereadValue(kind, raw, rereads)
	if !ok {
		return "", false, false
	}
	direct := 0
	for _, r := range rereads {
		if v, src, ok := resolveSpan(kind, clean(r)); ok && src != guessed && v == value {
			direct++
		}
	}
	return value, direct >= 2 && !outvoted(kind, value, rereads), true
}

// codeOf is the code in a reading of a region: where the region reached past the code (a
// short reading is widened to the right, and the next field may stand there), the pieces
// that make up its eighteen characters from the left, else the reading without spaces.
func codeOf(reading string) string {
	pieces := strings.Fields(reading)
	n := 0
	for i, piece := range pieces[:max(0, len(pieces)-1)] {
		if n += utf8.RuneCountInString(piece); n == 18 {
			return clean(strings.Join(pieces[:i+1], ""))
		}
	}
	return clean(reading)
}

// outvoted reports whether the rereads, place by place, point at another valid value: among
// many scales two misreadings now and then agree with each other, and such a pair validates by
// chance once in a few dozen, while the scales that read those places right outvote it. A
// majority that does not validate (one scale's misreading repeated by its neighbours) does
// not count against two readings that do.
func outvoted(kind, value string, rereads []string) bool {
	want := []rune(fold(value))
	major := slices.Clone(want)
	for i, w := range want {
		votes := map[rune]int{}
		for _, r := range rereads {
			if c := []rune(fold(clean(r))); len(c) == len(want) {
				votes[c[i]]++
			}
		}
		for _, c := range slices.Sorted(maps.Keys(votes)) { // sorted: ties go the same way each time
			if n := votes[c]; n > votes[major[i]] || n == votes[major[i]] && major[i] != w && c == w {
				major[i] = c
			}
		}
	}
	if string(major) == string(want) {
		return false
	}
	v, src, ok := resolveSpan(kind, string(major))
	return ok && src != guessed && v != value
}

func rereadValue(kind, raw string, rereads []string) (string, bool) {
	repair := repairUSCC
	limit := 4
	if kind == KindID {
		repair = repairIDNumber
	}
	readings := []string{clean(raw)}
	for _, r := range rereads {
		if c := clean(r); c != "" {
			readings = append(readings, c)
		}
	}
	found := map[string]bool{}
	near := func(v string) bool { return distance(fold(raw), fold(v)) <= limit }
	clean, repaired := map[string]bool{}, map[string]bool{}
	for _, r := range readings[1:] {
		if v, src, ok := resolveSpan(kind, r); ok && near(v) {
			if src == SourceClean {
				clean[v] = true
			} else {
				repaired[v] = true
			}
		}
	}
	switch {
	case len(clean) > 0:
		found = clean
	case len(repaired) == 1:
		for v := range repaired {
			return v, true
		}
	default:
		found = repaired
	}
	if len(found) == 0 {
		// The page's reading may have lost several characters (a speck, a broken line): two
		// readings of the crop at different scales that agree, and validate as read, stand
		// without it.
		for v := range agreed(readings[1:]) {
			if v, src, ok := resolveSpan(kind, v); ok && src == SourceClean {
				found[v] = true
			}
		}
	}
	if len(found) == 0 {
		for i := range readings {
			for j := i + 1; j < len(readings); j++ {
				for v := range combine(readings[i], readings[j], maxDisagreements[kind], repair) {
					found[v] = true
				}
			}
		}
	}
	if len(found) == 0 && len(readings) >= 3 {
		if v, ok := repair(majority(readings)); ok && near(v) {
			found[v] = true
		}
	}
	if len(found) == 0 && len(readings) >= 3 {
		// Each reading may have a different place wrong: any place's character may come from
		// any of them.
		for v := range lattice(kind, readings, maxLattice[kind], repair) {
			if near(v) {
				found[v] = true
			}
		}
	}
	if len(found) != 1 {
		return "", false
	}
	for v := range found {
		return v, true
	}
	return "", false
}

// majority is, place by place, the character most 18-character readings agree on (the
// first reading's on a tie); "" when fewer than three readings have 18 characters.
func majority(readings []string) string {
	var rs [][]rune
	for _, r := range readings {
		if x := []rune(r); len(x) == 18 {
			rs = append(rs, x)
		}
	}
	if len(rs) < 3 {
		return ""
	}
	out := make([]rune, 18)
	for i := range out {
		best, bestN := rs[0][i], 0
		for _, a := range rs {
			n := 0
			for _, b := range rs {
				if glyphClass(a[i]) == glyphClass(b[i]) {
					n++
				}
			}
			if n > bestN {
				best, bestN = a[i], n
			}
		}
		out[i] = best
	}
	return string(out)
}

// agreed returns the readings that at least two of rereads read alike.
func agreed(rereads []string) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	for _, r := range rereads {
		if seen[r]++; seen[r] == 2 {
			out[r] = true
		}
	}
	return out
}

// maxLattice bounds the values lattice tries: a credit code's two check characters let one
// wrong value in about 341 through, an ID number's one in 11.
var maxLattice = map[string]int{KindID: 4, KindUSCC: 16}

// lattice returns the one value that validates among the strings taking at each place one of
// the characters the 18-character readings have there; nothing when several do, or when
// there would be more than limit strings to try.
func lattice(kind string, readings []string, limit int, repair func(string) (string, bool)) map[string]bool {
	var rs [][]rune
	for _, r := range readings {
		if x := []rune(r); len(x) == 18 {
			rs = append(rs, x)
		}
	}
	if len(rs) < 2 {
		return nil
	}
	options := make([][]rune, 18)
	combos := 1
	for i := range options {
		seen := map[rune]bool{}
		for _, r := range rs {
			if c := glyphClass(r[i]); !seen[c] && plausible(kind, i, c) {
				seen[c] = true
				options[i] = append(options[i], r[i])
			}
		}
		if len(options[i]) == 0 {
			return nil
		}
		if combos *= len(options[i]); combos > limit {
			return nil
		}
	}
	found := map[string]bool{}
	buf := make([]rune, 18)
	for n := range combos {
		for i, opts := range options {
			buf[i] = opts[n%len(opts)]
			n /= len(opts)
		}
		if v, ok := repair(string(buf)); ok {
			found[v] = true
		}
	}
	if len(found) != 1 {
		return nil
	}
	return found
}

// plausible reports whether c (a glyph class) may stand at place i of a code of kind: a
// character a place cannot hold is a misreading, not an option (a credit code's first
// character is a registration authority, its third to eighth a division code; an ID number
// is digits but for its check character).
func plausible(kind string, i int, c rune) bool {
	if c > 0x7f {
		return false
	}
	switch {
	case kind == KindID:
		return c >= '0' && c <= '9' || i == 17 && c == 'X'
	case i == 0:
		_, ok := usccOrgTypes[byte(c)]
		return ok
	case i >= 2 && i < 8:
		return c >= '0' && c <= '9'
	}
	return strings.ContainsRune(usccChars, c)
}

// clean upper-cases a reading and drops its spaces and line breaks.
func clean(s string) string {
	var b strings.Builder
	for _, r := range normalize(s) {
		switch {
		case unicode.IsSpace(r):
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// combine returns the values that validate among the strings taking, at each place where two
// 18-character readings differ, one or the other's character; nothing when they differ in
// more than limit places. Only a single validating value is returned.
func combine(a, b string, limit int, repair func(string) (string, bool)) map[string]bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != 18 || len(rb) != 18 {
		return nil
	}
	var diff []int
	for i := range ra {
		if glyphClass(ra[i]) != glyphClass(rb[i]) {
			diff = append(diff, i)
		}
	}
	if len(diff) == 0 || len(diff) > limit {
		return nil
	}
	found := map[string]bool{}
	buf := append([]rune(nil), ra...)
	for mask := 0; mask < 1<<len(diff); mask++ {
		for k, i := range diff {
			if mask&(1<<k) != 0 {
				buf[i] = rb[i]
			} else {
				buf[i] = ra[i]
			}
		}
		if v, ok := repair(string(buf)); ok {
			found[v] = true
		}
	}
	if len(found) != 1 {
		return nil
	}
	return found
}

// fold maps a raw reading to upper-case with digit look-alikes folded, for comparing readings.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(glyphClass(r))
	}
	return b.String()
}

// distance is the edit distance between two short strings, rune by rune.
func distance(a, b string) int { return edit.Distance([]rune(a), []rune(b)) }
