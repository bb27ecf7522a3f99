// Package extract finds key fields in OCR text: resident ID numbers, unified social credit
// codes, phone numbers and dates.
//
// Numbers that carry a check character are repaired for OCR look-alike confusions (O/0, I/1,
// S/5, B/8, ...) but only ever returned when the check character validates: a wrong number
// filed against a case is worse than a missing one. A value chosen among several readings
// because it alone validates passes its checks by chance now and then (GB 32100's check
// character is one of 31), so it is only a candidate (Result.Uncertain) until something
// independent confirms it (Confirm, Result.AddReading).
package extract

import (
	"regexp"
	"strings"
	"time"
)

// Result holds the key fields found in one document's text. IDNumbers and USCC are never nil
// so they encode as JSON arrays, as the batch API shows them.
type Result struct {
	IDNumbers []string `json:"id_numbers"`
	USCC      []string `json:"uscc"`
	// Found are the text fields' values by field (Finders): phones, dates (YYYY-MM-DD), ...
	Found map[string][]string `json:"found,omitempty"`
	// Sources says for each ID number and credit code how it was obtained (SourceClean, ...).
	Sources map[string]string `json:"sources,omitempty"`
	// Uncertain are values chosen among readings that nothing has confirmed: candidates for a
	// reviewer, never among IDNumbers or USCC.
	Uncertain []Uncertain `json:"uncertain,omitempty"`
	// NearMisses are labelled codes that did not validate, or only as a guess: for
	// re-reading and for confirmation by another document of the case (Confirm).
	NearMisses []NearMiss `json:"-"`
}

// maxRepairs bounds how many characters of one candidate may be changed; beyond it the
// candidate is more guess than reading.
const maxRepairs = 4

// Fields returns the fields found in text, each list in order of first appearance without
// duplicates.
func Fields(text string) Result {
	runes := normalize(text)
	f := Result{IDNumbers: []string{}, USCC: []string{}, Sources: map[string]string{}}
	// Guesses wait until the labels have been read: a labelled one is also a near miss, so
	// it is read again from the image.
	type pending struct {
		kind, value, raw string
		start, end       int
	}
	var guesses []pending
	for _, c := range codeCandidates(runes) {
		if c.extra {
			if blanked(runes, c.start, c.end) {
				continue
			}
			if id, ok := withoutDoubledGlyph(c.text, repairIDNumber, labelled(runes, c.start, KindID)); ok {
				guesses = append(guesses, pending{KindID, id, c.text, c.start, c.end})
			} else if code, ok := withoutDoubledGlyph(c.text, repairUSCC, labelled(runes, c.start, KindUSCC)); ok {
				guesses = append(guesses, pending{KindUSCC, code, c.text, c.start, c.end})
			}
			continue
		}
		// A label names the kind: an ID number's digits are not taken for a credit code that
		// validates by chance, nor the other way round.
		if id, ok := repairIDNumber(c.text); ok && !labelled(runes, c.start, KindUSCC) {
			f.add(KindID, id, howRead(c.text, id))
			blank(runes, c.start, c.end)
			continue
		}
		if labelled(runes, c.start, KindID) {
			continue
		}
		if code, ok := readUSCC(c.text); ok {
			f.add(KindUSCC, code, howRead(c.text, code))
			blank(runes, c.start, c.end)
		} else if code, ok := repairUSCC(c.text); ok {
			guesses = append(guesses, pending{KindUSCC, code, c.text, c.start, c.end})
		}
	}
	// What a label announces may need more than look-alikes: a glyph read once for a doubled
	// one, a first digit lost to a glued glyph, a bar for a J.
	for _, span := range labelledSpans(runes) {
		v, src, ok := resolveSpan(span.kind, span.raw)
		if ok {
			blank(runes, span.start, span.end)
		}
		if ok && src != guessed {
			f.add(span.kind, v, src)
			continue
		}
		if ok {
			f.guess(span.kind, v, span.raw)
		}
		f.NearMisses = append(f.NearMisses, NearMiss{Kind: span.kind, Raw: span.raw, Start: span.start, End: span.end})
	}
	for _, g := range guesses {
		f.guess(g.kind, g.value, g.raw)
		blank(runes, g.start, g.end)
	}
	f.settle()
	// Text fields are searched with the codes blanked out, so digits of an ID number are
	// never read as a phone number.
	f.Found = find(string(runes))
	return f
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func blanked(runes []rune, start, end int) bool {
	for _, r := range runes[start:end] {
		if r == '#' {
			return true
		}
	}
	return false
}

// withoutDoubledGlyph repairs a 19-character reading in which OCR read one glyph twice: as two
// different look-alikes ("1l", "0O"), or, only where a label on the line says what the
// number is (identical), as the same character twice ("2433" for "243"). It drops one of each
// such pair and keeps the result only when exactly one reading validates. Without a label,
// pairs of identical characters are never dropped, so a 19-digit account number is never
// shortened into an ID number.
func withoutDoubledGlyph(s string, repair func(string) (string, bool), identical bool) (string, bool) {
	runes := []rune(s)
	if len(runes) != 19 {
		return "", false
	}
	found := ""
	for k := 0; k+1 < len(runes); k++ {
		a, b := runes[k], runes[k+1]
		if (a == b && !identical) || glyphClass(a) != glyphClass(b) {
			continue
		}
		for _, drop := range []int{k, k + 1} {
			cand := string(runes[:drop]) + string(runes[drop+1:])
			got, ok := repair(cand)
			if !ok {
				continue
			}
			if found != "" && found != got {
				return "", false
			}
			found = got
		}
	}
	return found, found != ""
}

// labelLookback is how far before a number, on its line, its label may stand: 身份证号码：
// and a few spaces or characters OCR put in between (（注册号）, say).
const labelLookback = 16

// labelled reports whether a label of kind (codeLabels) stands within labelLookback
// characters before position start on its line, or closes the line before as a form's field
// (labelClosesLine) when the number starts its own line.
func labelled(runes []rune, start int, kind string) bool {
	from := start
	for from > 0 && start-from < labelLookback && runes[from-1] != '\n' {
		from--
	}
	before := string(runes[from:start])
	if strings.TrimSpace(before) == "" && from > 0 {
		// The number starts its line: the label may close the line above.
		prev := from - 1
		for prev > 0 && runes[prev-1] != '\n' {
			prev--
		}
		for _, l := range codeLabels {
			if l.kind == kind && labelClosesLine(string(runes[prev:from-1]), l.label) {
				return true
			}
		}
		return false
	}
	for _, l := range codeLabels {
		if l.kind == kind && strings.Contains(before, l.label) {
			return true
		}
	}
	return false
}

// glyphClass folds a character to the digit it may stand for, or its upper-case form.
func glyphClass(r rune) rune {
	if d, ok := digitLookalikes[r]; ok {
		return rune(d)
	}
	if r >= 'a' && r <= 'z' {
		return r - 'a' + 'A'
	}
	return r
}

func blank(runes []rune, start, end int) {
	for i := start; i < end; i++ {
		if runes[i] != ' ' {
			runes[i] = '#'
		}
	}
}

// normalize folds full-width ASCII and ideographic spaces to their ASCII forms.
func normalize(text string) []rune {
	runes := []rune(text)
	for i, r := range runes {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			runes[i] = r - 0xFEE0
		case r == 0x3000 || r == 0x00A0:
			runes[i] = ' '
		}
	}
	return runes
}

// candidate is an 18-character run of code characters, possibly assembled from pieces that
// OCR separated by spaces; start and end are rune offsets in the normalised text.
type candidate struct {
	text       string
	start, end int
	extra      bool // 19 characters: one may be a glyph OCR read twice
}

func isCodeRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' ||
		r == '|' || r == '×' || r == 'Х'
}

func isHorizontalSpace(r rune) bool { return r == ' ' || r == '\t' }

// codeCandidates finds every sequence of whole space-separated pieces whose characters add up
// to exactly 18. A piece is never cut, so an 18-digit tail of a longer number is never taken.
func codeCandidates(runes []rune) []candidate {
	type piece struct{ start, end int }
	var out []candidate
	var seg []piece
	flush := func() {
		for i := range seg {
			n := 0
			for j := i; j < len(seg); j++ {
				n += seg[j].end - seg[j].start
				if n > 19 {
					break
				}
				if n >= 18 {
					var b strings.Builder
					for _, p := range seg[i : j+1] {
						b.WriteString(string(runes[p.start:p.end]))
					}
					out = append(out, candidate{text: b.String(), start: seg[i].start, end: seg[j].end, extra: n == 19})
					break
				}
			}
		}
		seg = seg[:0]
	}
	i := 0
	for i < len(runes) {
		if !isCodeRune(runes[i]) {
			if !isHorizontalSpace(runes[i]) {
				flush()
			}
			i++
			continue
		}
		start := i
		for i < len(runes) && isCodeRune(runes[i]) {
			i++
		}
		seg = append(seg, piece{start, i})
	}
	flush()
	return out
}

// digitLookalikes maps characters OCR produces in place of digits to the digit they stand for.
var digitLookalikes = map[rune]byte{
	'O': '0', 'o': '0', 'D': '0', 'Q': '0',
	'I': '1', 'l': '1', 'i': '1', '|': '1',
	'Z': '2', 'z': '2',
	'S': '5', 's': '5',
	'G': '6', 'b': '6',
	'T': '7',
	'B': '8',
	'g': '9', 'q': '9',
}

// letterLookalikes pairs capital letters of the credit-code alphabet that OCR confuses with
// each other (the bowl of a P closed off into an F).
var letterLookalikes = map[rune]byte{'P': 'F', 'F': 'P'}

// repairIDNumber maps look-alikes to digits (and x/× to X in the last place) and returns the
// result if it is a valid ID number.
func repairIDNumber(s string) (string, bool) {
	runes := []rune(s)
	if len(runes) != 18 {
		return "", false
	}
	out := make([]byte, 18)
	repairs := 0
	for i, r := range runes {
		switch {
		case r >= '0' && r <= '9':
			out[i] = byte(r)
		case i == 17 && (r == 'X' || r == 'x' || r == '×' || r == 'Х'):
			out[i] = 'X'
		default:
			d, ok := digitLookalikes[r]
			if !ok {
				return "", false
			}
			out[i] = d
			repairs++
		}
	}
	if repairs > maxRepairs || !ValidIDNumber(string(out)) {
		return "", false
	}
	return string(out), true
}

// maxUSCCAlternatives bounds the characters that may be either a letter or a digit: each one
// doubles the readings tried, and every reading tried is a chance of a false match.
const maxUSCCAlternatives = 6

// readUSCC returns s as a credit code when its one sure reading validates: letters of the
// code's alphabet read as printed, and a look-alike taken for a digit only where the code
// allows nothing else (an O, which no credit code holds, or a letter among the division's
// digits). There is no choice in it, so a wrong value validates no more often than a clean
// reading's misread would.
func readUSCC(s string) (string, bool) {
	options, ok := usccOptions(s)
	if !ok {
		return "", false
	}
	first := make([]byte, 18)
	for i, o := range options {
		first[i] = o[0]
	}
	return string(first), ValidUSCC(string(first))
}

// repairUSCC tries the readings of s that look-alike confusions allow and returns the code if
// the reading as printed validates, or else if exactly one alternative reading does.
func repairUSCC(s string) (string, bool) {
	if v, ok := readUSCC(s); ok {
		return v, true
	}
	options, ok := usccOptions(s)
	if !ok {
		return "", false
	}
	alternatives, forced := 0, 0
	for i, o := range options {
		alternatives += len(o) - 1
		if len(o) == 1 && o[0] != byte(upperCode([]rune(s)[i])) {
			forced++
		}
	}
	if alternatives == 0 || alternatives > maxUSCCAlternatives || forced+1 > maxRepairs {
		return "", false
	}
	var found []string
	buf := make([]byte, 18)
	var walk func(i int)
	walk = func(i int) {
		if i == 18 {
			if ValidUSCC(string(buf)) {
				found = append(found, string(buf))
			}
			return
		}
		for _, c := range options[i] {
			buf[i] = c
			walk(i + 1)
		}
	}
	walk(0)
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// usccOptions lists, place by place, the characters the reading s of a credit code may stand
// for, the reading as printed first; false when s cannot be one.
func usccOptions(s string) ([][]byte, bool) {
	runes := []rune(s)
	if len(runes) != 18 {
		return nil, false
	}
	options := make([][]byte, 18)
	forced := 0
	for i, r := range runes {
		up := upperCode(r)
		digitOnly := i >= 2 && i < 8
		d, look := digitLookalikes[r]
		switch {
		case r >= '0' && r <= '9':
			options[i] = []byte{byte(r)}
		case up < 128 && strings.IndexByte(usccChars, byte(up)) >= 0 && !digitOnly:
			options[i] = []byte{byte(up)}
			if look {
				options[i] = append(options[i], d)
			}
			if other, ok := letterLookalikes[up]; ok {
				options[i] = append(options[i], other)
			}
		case look:
			options[i] = []byte{d}
			forced++
		default:
			return nil, false
		}
	}
	return options, forced <= maxRepairs
}

// howRead is the source of a value read in one way from raw: clean when as printed, else
// repaired (look-alikes read as the one character their places allow).
func howRead(raw, value string) string {
	if value == asPrinted(raw) {
		return SourceClean
	}
	return SourceRepaired
}

// asPrinted is a reading of a code with its letters upper-cased: the value, if it validates
// as printed.
func asPrinted(s string) string {
	r := []rune(s)
	for i := range r {
		r[i] = upperCode(r[i])
	}
	return string(r)
}

// upperCode upper-cases a Latin letter and reads a multiplication sign as X.
func upperCode(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z':
		return r - 'a' + 'A'
	case r == '×' || r == 'Х':
		return 'X'
	}
	return r
}

var (
	// A mobile number may be printed in 3-4-4 groups.
	mobileRe   = regexp.MustCompile(`1[3-9]\d[ -]?\d{4}[ -]?\d{4}`)
	landlineRe = regexp.MustCompile(`(?:\(0\d{2,3}\)|0\d{2,3}-)\s?\d{7,8}`)
	// OCR often reads 日 as 曰 or 目.
	cnDateRe  = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日曰目]?`)
	numDateRe = regexp.MustCompile(`(\d{4})([-./])(\d{1,2})([-./])(\d{1,2})`)
	enDateRe  = regexp.MustCompile(`(?i)\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b`)
	enDate2Re = regexp.MustCompile(`(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b`)
)

// digitBounded reports whether the match s[start:end] is not part of a longer digit run.
func digitBounded(s string, start, end int) bool {
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	return (start == 0 || !isDigit(s[start-1])) && (end == len(s) || !isDigit(s[end]))
}

func findPhones(s string) []string {
	var out []string
	for _, m := range mobileRe.FindAllStringIndex(s, -1) {
		if digitBounded(s, m[0], m[1]) {
			out = appendUnique(out, strings.NewReplacer(" ", "", "-", "").Replace(s[m[0]:m[1]]))
		}
	}
	for _, m := range landlineRe.FindAllStringIndex(s, -1) {
		if !digitBounded(s, m[0], m[1]) {
			continue
		}
		p := strings.NewReplacer("(", "", " ", "").Replace(s[m[0]:m[1]])
		if !strings.Contains(p, "-") {
			p = strings.Replace(p, ")", "-", 1)
		}
		out = appendUnique(out, strings.ReplaceAll(p, ")", ""))
	}
	return out
}

var months = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

type datePos struct {
	pos  int
	date string
}

func findDates(s string) []string {
	var found []datePos
	add := func(pos int, y, m, d string) {
		if iso, ok := isoDate(y, m, d); ok {
			found = append(found, datePos{pos, iso})
		}
	}
	for _, m := range cnDateRe.FindAllStringSubmatchIndex(s, -1) {
		if digitBounded(s, m[0], m[1]) {
			add(m[0], s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]])
		}
	}
	for _, m := range numDateRe.FindAllStringSubmatchIndex(s, -1) {
		if digitBounded(s, m[0], m[1]) && s[m[4]:m[5]] == s[m[8]:m[9]] {
			add(m[0], s[m[2]:m[3]], s[m[6]:m[7]], s[m[10]:m[11]])
		}
	}
	for _, m := range enDateRe.FindAllStringSubmatchIndex(s, -1) {
		add(m[0], s[m[6]:m[7]], monthNumber(s[m[4]:m[5]]), s[m[2]:m[3]])
	}
	for _, m := range enDate2Re.FindAllStringSubmatchIndex(s, -1) {
		add(m[0], s[m[6]:m[7]], monthNumber(s[m[2]:m[3]]), s[m[4]:m[5]])
	}
	// Keep the order in which dates appear in the text.
	for i := 1; i < len(found); i++ {
		for j := i; j > 0 && found[j].pos < found[j-1].pos; j-- {
			found[j], found[j-1] = found[j-1], found[j]
		}
	}
	var out []string
	for _, f := range found {
		out = appendUnique(out, f.date)
	}
	return out
}

func monthNumber(name string) string {
	m := months[strings.ToLower(name)]
	return string(rune('0'+int(m)/10)) + string(rune('0'+int(m)%10))
}

// isoDate validates a calendar date and formats it as YYYY-MM-DD.
func isoDate(y, m, d string) (string, bool) {
	if len(m) == 1 {
		m = "0" + m
	}
	if len(d) == 1 {
		d = "0" + d
	}
	t, err := time.Parse("2006-01-02", y+"-"+m+"-"+d)
	if err != nil || t.Year() < 1900 || t.Year() > 2199 {
		return "", false
	}
	return t.Format("2006-01-02"), true
}
