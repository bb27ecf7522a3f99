package archive

import (
	"errors"
	"math"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/search/query"
	"golang.org/x/text/width"

	"onewindow/internal/fields"
)

// ErrShortPrefix is returned for a prefix search (q=220681*, id_prefix, uscc_prefix) of
// fewer than MinPrefix characters: it would expand to most of the index's codes.
var ErrShortPrefix = errors.New("prefix too short")

// MinPrefix is the shortest code prefix searched: a division code.
const MinPrefix = 6

// tolerant switches the bigram match on; the corpus measurement turns it off to compare.
var tolerant = true

// exactBoost lifts documents holding the query's text as typed above those that hold most of
// it (an OCR error or two away).
const exactBoost = 8

// textAnalyzer is the index's analyser of OCR text (CJK bigrams, Latin words), used to cut a
// query into the terms the index holds.
var textAnalyzer = sync.OnceValue(func() analysis.Analyzer {
	return indexMapping().AnalyzerNamed(cjk.AnalyzerName)
})

// textQuery matches q.Text as people type it, full-width or half-width alike (foldWidth):
// quoted, as a phrase in the text or title; unquoted, every word (a Chinese word as a phrase,
// a Latin word as a word or a word's beginning) in the text, the title or the applicant's
// name, or, ranked below those, most of its Chinese bigrams in the text (OCR read a character
// or two of it wrong). A run of MinPrefix or more letters and digits finds the codes and
// numbers holding it (codeRun); one ending in * those starting with it (q=220681199*).
func textQuery(raw string) (query.Query, error) {
	raw = foldWidth(raw)
	var must []query.Query
	var words []string
	quoted := strings.HasPrefix(strings.TrimSpace(raw), `"`)
	for _, w := range strings.Fields(raw) {
		if p, ok := strings.CutSuffix(w, "*"); ok && isCode(p) {
			q, err := codePrefix(p, "")
			if err != nil {
				return nil, err
			}
			must = append(must, q)
			continue
		}
		if !quoted && isCode(w) && len(w) >= MinPrefix {
			must = append(must, codeRun(w))
			continue
		}
		words = append(words, w)
	}
	if t := strings.TrimSpace(NormalizeText(strings.Join(words, " "))); t != "" {
		must = append(must, plainText(t))
	}
	switch len(must) {
	case 0:
		return nil, nil
	case 1:
		return must[0], nil
	}
	return bleve.NewConjunctionQuery(must...), nil
}

// plainText is the query for text without codes.
func plainText(t string) query.Query {
	if len(t) >= 2 && strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`) {
		t = strings.Trim(t, `"`)
		text := bleve.NewMatchPhraseQuery(t)
		text.SetField("text")
		title := bleve.NewMatchPhraseQuery(t)
		title.SetField("title")
		return bleve.NewDisjunctionQuery(text, title)
	}
	var all []query.Query
	for _, w := range strings.Fields(t) {
		all = append(all, typedWord(w))
	}
	var exact query.BoostableQuery = bleve.NewConjunctionQuery(all...)
	fuzzy := mostBigrams(t)
	if fuzzy == nil || !tolerant {
		return exact
	}
	exact.SetBoost(exactBoost)
	return bleve.NewDisjunctionQuery(exact, fuzzy)
}

// minLatinPrefix is the shortest Latin word matched by its beginning: shorter ones would
// expand to too many of the index's words to look up quickly.
const minLatinPrefix = 3

// typedWord matches one word of a query: in the text or the title, a Chinese word as a phrase
// (its characters in a row), a Latin word whole or, from minLatinPrefix letters, as a word's
// beginning (Analytic finds Analytics); and the applicant's name as the window typed it.
func typedWord(w string) query.Query {
	var qs []query.Query
	for _, f := range []string{"text", "title"} {
		pq := bleve.NewMatchPhraseQuery(w)
		pq.SetField(f)
		qs = append(qs, pq)
	}
	applicant := bleve.NewMatchQuery(w)
	applicant.SetField("applicant")
	applicant.SetOperator(query.MatchQueryOperatorAnd)
	qs = append(qs, applicant)
	if latinWord(w) && len(w) >= minLatinPrefix {
		for _, f := range []string{"text", "title"} {
			pq := bleve.NewPrefixQuery(strings.ToLower(w))
			pq.SetField(f)
			qs = append(qs, pq)
		}
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// latinWord reports whether w is ASCII letters alone.
func latinWord(w string) bool {
	for _, r := range w {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return w != ""
}

// foldWidth folds full-width letters, digits and punctuation to their ASCII forms and the
// ideographic space to a space: people type 吉（2022）, OCR reads 吉(2022), or the other way.
func foldWidth(s string) string { return width.Fold.String(s) }

// mostBigrams matches documents whose text holds most of t's terms: every term but those one
// wrong character spoils (two, from nine terms up). nil when t has too few Chinese bigrams for
// "most" to mean anything.
func mostBigrams(t string) query.Query {
	seen := map[string]bool{}
	var terms []query.Query
	cjkTerms := 0
	toks := textAnalyzer().Analyze([]byte(t))
	for _, tok := range toks {
		term := string(tok.Term)
		if seen[term] {
			continue
		}
		seen[term] = true
		if tok.Type == analysis.Double {
			cjkTerms++
		}
		tq := bleve.NewTermQuery(term)
		tq.SetField("text")
		terms = append(terms, tq)
	}
	if cjkTerms < 4 {
		return nil
	}
	n := len(terms)
	errs := 1
	if n >= 9 {
		errs = 2
	}
	need := max(int(math.Ceil(float64(n)/2)), n-2*errs)
	if need >= n {
		return nil
	}
	most := bleve.NewDisjunctionQuery(terms...)
	most.SetMin(float64(need))
	// Asked alone, "most of these bigrams" walks every posting of every bigram, common ones
	// too. A text errs characters away from t still holds one of errs+1 runs of t's terms
	// whole when the runs are cut with one term left out between them (one wrong character
	// spoils two neighbouring terms, never two runs): the runs, as phrases (their characters
	// in a row, far rarer than their bigrams anywhere in a text), find the few candidates,
	// and "most" is only checked on those.
	var runs []query.Query
	size := (len(toks) - errs) / (errs + 1)
	for k := 0; k <= errs && size >= 2; k++ {
		from := k * (size + 1)
		to := from + size
		if k == errs {
			to = len(toks)
		}
		run := bleve.NewMatchPhraseQuery(t[toks[from].Start:toks[to-1].End])
		run.SetField("text")
		runs = append(runs, run)
	}
	if len(runs) != errs+1 {
		return most
	}
	return bleve.NewConjunctionQuery(bleve.NewDisjunctionQuery(runs...), most)
}

// Prefix terms: each code of a document is indexed with every prefix of MinPrefix to
// maxPrefixTerm characters, upper-cased and tagged with its kind, in the keyword field
// prefixField. A prefix search is then the postings of one term, however many codes share the
// prefix: a prefix query would expand to every matching code first (ten thousand terms for
// 220103198001* in a hundred thousand records: a second's work). Infix terms, every run of
// MinPrefix to infixLen characters anywhere in a code, let a run typed without * find the
// codes holding it the same way.
const (
	prefixField   = "code_prefixes"
	maxPrefixTerm = 18 // an ID number's or a credit code's length
	infixLen      = 8  // the longest infix term; a longer run is looked up by its infixes
)

// Tags of the prefix terms: ID numbers, credit codes, and every code or number of the text
// or the fields (what q=220681199* looks for); and of the infix terms.
const (
	tagID    = "id:"
	tagUSCC  = "uscc:"
	tagAny   = "num:"
	tagInfix = "in:"
)

// fieldTags maps the fields a prefix is searched in to the tag of their prefix terms; another
// searchable field's tag is its name and a colon (tagOf).
var fieldTags = map[string]string{fields.IDNumbers: tagID, fields.USCC: tagUSCC}

func tagOf(field string) string {
	if tag, ok := fieldTags[field]; ok {
		return tag
	}
	return field + ":"
}

// codePrefixTerms lists the tagged prefix and infix terms of a document's codes (the values of
// its searchable fields, by field) and the numbers in its text (runs of ASCII letters and
// digits holding a digit).
func codePrefixTerms(codes map[string][]string, text string) []string {
	seen := map[string]bool{}
	var out []string
	term := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	add := func(tag, code string) {
		code = strings.ToUpper(code)
		for n := MinPrefix; n <= min(len(code), maxPrefixTerm); n++ {
			term(tag + code[:n])
		}
		if tag != tagAny {
			return
		}
		folded := foldLookalikes(code)
		for i := 0; i+MinPrefix <= len(folded); i++ {
			for n := MinPrefix; n <= infixLen && i+n <= len(folded); n++ {
				term(tagInfix + folded[i:i+n])
			}
		}
	}
	for _, field := range fields.Searchable() {
		for _, v := range codes[field] {
			add(tagOf(field), v)
			add(tagAny, v)
		}
	}
	for _, run := range numberRuns(text) {
		add(tagAny, run)
	}
	return out
}

// lookalikeDigits maps the capitals no ID number or credit code holds (GB 32100 leaves out
// I, O, S, V and Z) to the digits OCR takes them for, and back: infix terms and the runs
// looked up by them are folded alike, so 204GGGL0 typed finds 204GGGLO read.
var lookalikeDigits = strings.NewReplacer("O", "0", "I", "1", "S", "5", "Z", "2")

// foldLookalikes folds an upper-cased code's look-alike capitals to digits (lookalikeDigits).
func foldLookalikes(code string) string { return lookalikeDigits.Replace(code) }

// codeRun matches a run of letters and digits typed without *: the codes and numbers that
// hold it, at their start or inside (all of its infixes, which for a run up to infixLen long
// is one term), or the run as a word of the text (a word of letters alone also by its
// beginning).
func codeRun(w string) query.Query {
	up := foldLookalikes(strings.ToUpper(w))
	var infixes []query.Query
	for i := 0; ; i += infixLen / 2 {
		i = min(i, max(0, len(up)-infixLen))
		tq := bleve.NewTermQuery(tagInfix + up[i:min(len(up), i+infixLen)])
		tq.SetField(prefixField)
		infixes = append(infixes, tq)
		if i+infixLen >= len(up) {
			break
		}
	}
	var code query.Query = infixes[0]
	if len(infixes) > 1 {
		code = bleve.NewConjunctionQuery(infixes...)
	}
	return bleve.NewDisjunctionQuery(code, typedWord(w))
}

// numberRuns are the runs of at least MinPrefix ASCII letters and digits in text that hold a
// digit: codes, phone and other numbers, not words.
func numberRuns(text string) []string {
	var out []string
	start, digit := -1, false
	flush := func(end int) {
		if start >= 0 && digit && end-start >= MinPrefix {
			out = append(out, text[start:end])
		}
		start, digit = -1, false
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		alnum := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !alnum {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
		}
		digit = digit || c >= '0' && c <= '9'
	}
	flush(len(text))
	return out
}

// prefixTerms lists the prefix terms q's code prefixes are looked up by (codePrefix).
func prefixTerms(q Query) []string {
	var out []string
	term := func(p, field string) {
		p = strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(p), "*"))
		if len([]rune(p)) < MinPrefix || len(p) > maxPrefixTerm || !strings.ContainsAny(p, "0123456789") {
			return
		}
		tag := tagAny
		if field != "" {
			tag = tagOf(field)
		}
		out = append(out, tag+p)
	}
	text := foldWidth(q.Text)
	for _, w := range strings.Fields(text) {
		if p, ok := strings.CutSuffix(w, "*"); ok && isCode(p) {
			term(p, "")
		} else if isCode(w) && len(w) >= MinPrefix && !strings.HasPrefix(strings.TrimSpace(text), `"`) {
			out = append(out, tagInfix+foldLookalikes(strings.ToUpper(w)))
		}
	}
	term(q.IDPrefix, fields.IDNumbers)
	term(q.USCCPrefix, fields.USCC)
	for field, v := range map[string]string{fields.IDNumbers: codeField(q.IDNumber), fields.USCC: codeField(q.USCC)} {
		if len(v) < maxPrefixTerm {
			term(v, field)
		}
	}
	return out
}

// codePrefix matches documents with a code starting with p in field (a searchable field of
// the table, or "" for any code or number, the text's included): one prefix term, or, for a prefix
// longer than any indexed or without a digit (a word's beginning), a prefix query, which
// such a prefix keeps short.
func codePrefix(p, field string) (query.Query, error) {
	if len([]rune(p)) < MinPrefix {
		return nil, ErrShortPrefix
	}
	p = strings.ToUpper(p)
	tag := tagAny
	if field != "" {
		tag = fieldTags[field]
	}
	if len(p) <= maxPrefixTerm && strings.ContainsAny(p, "0123456789") {
		tq := bleve.NewTermQuery(tag + p)
		tq.SetField(prefixField)
		return tq, nil
	}
	in := []string{field}
	if field == "" {
		in = append(fields.Searchable(), "text")
	}
	var qs []query.Query
	for _, f := range in {
		v := p
		if f == "text" { // analysed: lower case, as the analyser left it
			v = strings.ToLower(p)
		}
		pq := bleve.NewPrefixQuery(v)
		pq.SetField(f)
		qs = append(qs, pq)
	}
	if len(qs) == 1 {
		return qs[0], nil
	}
	return bleve.NewDisjunctionQuery(qs...), nil
}

// isCode reports whether s could begin an ID number or a credit code.
func isCode(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > unicode.MaxASCII || !(unicode.IsDigit(r) || unicode.IsLetter(r)) {
			return false
		}
	}
	return true
}
