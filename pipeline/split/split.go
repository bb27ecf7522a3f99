// Package split cuts a stack of scanned pages into documents when the scan station put no
// separator sheets between them, from what each page shows: a title at the top (named by the
// taxonomy, or only printed as one: short, larger and centred), page numbering, clause
// numbering that goes on or starts again, the field labels of a form seen again, a change
// of document type; and, for a page without a title, text that runs on from the page before
// or the codes the document already holds.
package split

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"onewindow/pipeline"
	"onewindow/pipeline/classify"
)

// Page is what the splitter knows of one kept page, in scan order.
type Page struct {
	Text string
	// Words and the page size locate the first lines and their glyph size; both may be
	// empty, and then the first short line is taken for a title.
	Words         []pipeline.Word
	Width, Height int
	// Type and Confidence are the page's own classification; when Type is empty the
	// splitter classifies the page with the taxonomy's rules.
	Type       string
	Confidence float64
	// AfterSeparator is set when a separator sheet came right before this page.
	AfterSeparator bool
}

// Mode says which evidence may start a document.
type Mode int

const (
	// Auto trusts separator sheets alone when the stack has any, else reads the pages.
	Auto Mode = iota
	// SeparatorsOnly starts documents only after separator sheets.
	SeparatorsOnly
	// Content starts documents from page content, and also after separator sheets.
	Content
)

// Options tune Pages; the zero value is the default.
type Options struct {
	Mode Mode
}

// Evidence weights: a page starts a document when its evidence reaches boundaryThreshold.
const (
	boundaryThreshold = 2.0
	titleKeyword      = 3.0 // a line at the top names a document type
	titleKeywordSmall = 1.5 // ... but the boxes show it is no bigger than the body text
	largeTopLine      = 1.5 // a short line at the top printed larger than the body, or centred
	layoutTitle       = 2.5 // ... both larger and centred: a title OCR may have misread
	firstPageNumber   = 2.5 // "第 1 页", "1/3", "Page 1 of 3"
	laterPageNumber   = -4.0
	clauseStart       = -2.5 // starts with 第X条 / 第X章: the middle of articles or rules
	clauseRestart     = 2.5  // starts with 第一条 though the document already had one
	typeChange        = 2.5  // the page is confidently of another type than the document
	sureType          = 0.85 // confidence needed for a type change to count
	likelyType        = 0.6  // ... and for a weaker one
	likelyTypeChange  = 1.0
	titleGap          = 1.5 // the text starts well below where the stack's pages start theirs
	titleGapLines     = 2.5 // ... by this many body glyph heights
	repeatedForm      = 2.0 // the page repeats the field labels the document already showed
	minRepeatedLabels = 3
	// A page with no more than a small title's evidence (titleKeywordSmall) may be the next
	// page of the document running: its first sentence goes on from the last of the page
	// before, or it holds an ID number or credit code the document holds.
	runsOn     = -2.5
	sharesCode = -1.5
	// untitledTypeChange is what a change of type weighs on a page without a title: the next
	// page of a form often reads like another type (an applicant's declaration, a commitment),
	// and a new document almost always shows its title.
	untitledTypeChange = 1.0
)

// Pages groups page positions (0-based, in order) into documents.
func Pages(pages []Page, tax *classify.Taxonomy, opts Options) [][]int {
	if len(pages) == 0 {
		return nil
	}
	if tax == nil {
		tax = classify.Default()
	}
	mode := opts.Mode
	if mode == Auto {
		mode = Content
		for _, p := range pages[1:] {
			if p.AfterSeparator {
				mode = SeparatorsOnly
				break
			}
		}
	}
	var cls *classify.Classifier
	types := make([]string, len(pages))
	confs := make([]float64, len(pages))
	if mode == Content {
		for i, p := range pages {
			types[i], confs[i] = p.Type, p.Confidence
			if types[i] == "" {
				if cls == nil {
					cls = classify.New(tax, nil)
				}
				types[i], confs[i] = cls.Classify(p.Text)
			}
		}
	}
	var layouts []layout
	textTop := -1
	if mode == Content {
		layouts = make([]layout, len(pages))
		var tops []int
		for i, p := range pages {
			layouts[i] = layoutOf(p, 3)
			if ls := layouts[i].lines; len(ls) > 0 && layouts[i].body > 0 {
				tops = append(tops, ls[0].top)
			}
		}
		// The lower quartile: pages that lost their title to OCR are common enough that the
		// median of a short stack may be one of them.
		if len(tops) >= 2 {
			sort.Ints(tops)
			textTop = tops[(len(tops)-1)/4]
		}
	}
	groups := [][]int{{0}}
	docType, docConf := types[0], confs[0]
	var docLabels map[string]bool
	var docClauses map[rune]bool
	var docCodes map[string]bool
	if mode == Content {
		docLabels = lineLabels(pages[0].Text)
		docClauses = firstClausesOf(pages[0].Text, nil)
		docCodes = codesOf(pages[0].Text, nil)
	}
	for i := 1; i < len(pages); i++ {
		start := pages[i].AfterSeparator
		var labels map[string]bool
		if mode == Content {
			labels = lineLabels(pages[i].Text)
		}
		if !start && mode == Content {
			run := running{prev: pages[i-1].Text, firstClauses: docClauses, codes: docCodes}
			e := evidence(pages[i], layouts[i], textTop, run, types[i], confs[i], docType, docConf, tax)
			if repeatsForm(labels, docLabels) {
				e += repeatedForm
			}
			start = e >= boundaryThreshold
		}
		if start {
			groups = append(groups, []int{i})
			docType, docConf = types[i], confs[i]
			docLabels = labels
			if mode == Content {
				docClauses = firstClausesOf(pages[i].Text, nil)
				docCodes = codesOf(pages[i].Text, nil)
			}
			continue
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], i)
		if mode == Content {
			for l := range labels {
				docLabels[l] = true
			}
			firstClausesOf(pages[i].Text, docClauses)
			codesOf(pages[i].Text, docCodes)
		}
		// A document's type is what its surest page says; continuation pages are often vague,
		// and so is a first page that lost its title to OCR.
		if confs[i] > docConf && (docType == "" || docType == classify.Other || types[i] == docType) {
			docType, docConf = types[i], confs[i]
		}
	}
	return groups
}

// Evidence scores how strongly page p begins a new document, given the type of the
// document running so far. Positive values argue for a new document.
func Evidence(p Page, pageType string, pageConf float64, docType string, docConf float64, tax *classify.Taxonomy) float64 {
	return evidence(p, layoutOf(p, 3), -1, running{}, pageType, pageConf, docType, docConf, tax)
}

// running is what the splitter knows of the document running before a page.
type running struct {
	prev         string          // the text of the page before
	firstClauses map[rune]bool   // the kinds of clause (条, 章, 节) it numbered 1 already
	codes        map[string]bool // the ID numbers and credit codes it holds (codesOf)
}

// evidence is Evidence with the page's layout worked out; textTop, the stack's usual top of
// text in pixels (-1 unknown): a page whose text starts well below it has lost its title to OCR;
// and what is known of the document running.
func evidence(p Page, lay layout, textTop int, run running, pageType string, pageConf float64, docType string, docConf float64, tax *classify.Taxonomy) float64 {
	firstClauses := run.firstClauses
	lines := lay.lines
	score := 0.0
	if n, _, ok := PageNumber(p.Text); ok {
		if n == 1 {
			score += firstPageNumber
		} else {
			score += laterPageNumber
		}
	}
	restart := false
	for _, l := range lines[:min(2, len(lines))] {
		// 第一条 again: the numbering restarts, so does the document. The second line counts
		// too, as OCR often garbles the number of a chapter heading (第_章 总则).
		if kind, first, ok := clause(l.text); ok && first && firstClauses[kind] {
			restart = true
		}
	}
	if restart {
		score += clauseRestart
	} else if len(lines) > 0 {
		if _, first, ok := clause(lines[0].text); ok && !first {
			score += clauseStart
		}
	}
	title := 0.0
	for _, l := range lines {
		// Specks and show-through read as marks around a title (：不动产权证书, ”营业执照).
		text := closeUp(strings.TrimFunc(l.text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
		if !titleShaped(text) {
			continue
		}
		_, named := tax.TitleMatch(text)
		looks := l.large == sizeLarge || l.centred
		switch {
		case named && (l.large == sizeUnknown || looks):
			title = max(title, titleKeyword)
		case named:
			title = max(title, titleKeywordSmall)
		case l.large == sizeLarge && l.centred:
			title = max(title, layoutTitle)
		case looks:
			title = max(title, largeTopLine)
		}
	}
	if title == 0 && textTop >= 0 && len(lines) > 0 && lay.body > 0 &&
		float64(lines[0].top-textTop) >= titleGapLines*float64(lay.body) {
		title = titleGap
	}
	score += title
	change := 0.0
	if pageType != "" && pageType != classify.Other && pageType != docType {
		switch {
		case pageConf >= sureType && (docConf >= sureType || docType == classify.Other):
			change = typeChange
		case pageConf >= likelyType && docConf >= likelyType && docType != classify.Other:
			change = likelyTypeChange
		}
	}
	if title == 0 {
		change = min(change, untitledTypeChange)
	}
	score += change
	if title <= titleKeywordSmall {
		if continues(run.prev, p.Text) {
			score += runsOn
		}
		if sharedCode(run.codes, p.Text) {
			score += sharesCode
		}
	}
	return score
}

// lineLabels returns the first two letters of each line of at least four letters, outside
// numbered clauses: on forms and certificates they are the field labels (姓名, 住址, 户号).
func lineLabels(text string) map[string]bool {
	out := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		var lead []rune
		n := 0
		for _, r := range l {
			if unicode.IsLetter(r) {
				n++
				if len(lead) < 2 {
					lead = append(lead, r)
				}
			}
		}
		if n < 4 || lead[0] == '第' {
			continue
		}
		out[string(lead)] = true
	}
	return out
}

// repeatsForm reports whether a page's line labels are mostly ones the running document
// already showed: a second copy of the same form (two ID cards, two household pages) rather
// than the form's next page, which goes on with other fields.
func repeatsForm(page, doc map[string]bool) bool {
	shared := 0
	for l := range page {
		if doc[l] {
			shared++
		}
	}
	return shared >= minRepeatedLabels && 2*shared >= len(page)
}

var clauseRe = regexp.MustCompile(`^第([一二三四五六七八九十百零〇0-9]{1,4})([条章节])`)

// clause reports whether line starts with clause numbering (第三条, 第一章), its kind (条, 章,
// 节) and whether it is the first of its kind.
func clause(line string) (kind rune, first, ok bool) {
	m := clauseRe.FindStringSubmatch(squeeze(line))
	if m == nil {
		return 0, false, false
	}
	return []rune(m[2])[0], m[1] == "一" || m[1] == "1" || m[1] == "01", true
}

// firstClausesOf returns the kinds of clause that text numbers 1 at the start of a line.
func firstClausesOf(text string, into map[rune]bool) map[rune]bool {
	if into == nil {
		into = map[rune]bool{}
	}
	for _, l := range strings.Split(text, "\n") {
		if kind, first, ok := clause(l); ok && first {
			into[kind] = true
		}
	}
	return into
}

// closeUp joins a letter-spaced title (章　程, 委 托 书): when every glyph of a line stands
// alone between spaces or the marks OCR reads wide spaces as (章：程, 委“托”书), the glyphs
// are the title. Other lines are returned as they are.
func closeUp(s string) string {
	var glyphs []rune
	run := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			if run++; run > 1 {
				return s
			}
			glyphs = append(glyphs, r)
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return s
		}
		run = 0
	}
	if len(glyphs) < 2 || len(glyphs) > 8 {
		return s
	}
	return string(glyphs)
}

// titleShaped reports whether a line could be a title: short, and not a clause or a field.
func titleShaped(s string) bool {
	han, latin, words := 0, 0, 0
	prevLatin := false
	for _, r := range s {
		isLatin := r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))
		switch {
		case isLatin:
			latin++
			if !prevLatin {
				words++
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			han++
		}
		prevLatin = isLatin
	}
	if han+latin < 2 || han > 30 || words > 10 || clauseRe.MatchString(squeeze(s)) {
		return false
	}
	// "委托人：张三" is a field, not a title.
	t := squeeze(s)
	if i := strings.IndexAny(t, ":："); i >= 0 && i < len(t)-len("：") {
		return false
	}
	return true
}

type glyphSize int

const (
	sizeUnknown glyphSize = iota
	sizeSmall
	sizeLarge
)

type line struct {
	text    string
	large   glyphSize
	centred bool // the line's middle is the page's, with wide margins on both sides
	top     int
}

// topLines returns the first n lines that hold at least two letters, with whether their
// glyphs are larger than the page's body text. Lines above the top 40% of the page are not
// titles of this page.
func topLines(p Page, n int) []line { return layoutOf(p, n).lines }

// layout is what the splitter reads of a page's first lines.
type layout struct {
	lines []line
	body  int // the body text's glyph height in pixels; 0 when the page has no word boxes
}

func layoutOf(p Page, n int) layout {
	if len(p.Words) > 0 && p.Height > 0 {
		return topLinesFromWords(p, n)
	}
	var out []line
	for _, l := range strings.Split(p.Text, "\n") {
		t := strings.TrimSpace(l)
		if letters(t) < 2 {
			continue
		}
		out = append(out, line{text: t})
		if len(out) == n {
			break
		}
	}
	return layout{lines: out}
}

type wordLine struct {
	words   []pipeline.Word
	top     int
	left    int
	right   int
	heights []int
	conf    float64
}

// Layout thresholds, as shares of the page or of the body text's glyph height.
const (
	largeGlyphRatio = 1.3  // a title's glyphs are this much taller than the body's
	centreTolerance = 0.08 // of the page width: how far a centred line's middle may stray
	centredMinLeft  = 0.15 // of the page width: a centred line leaves a wide left margin
	minLineConf     = 40   // lines OCR is less sure of are mostly specks and rules
)

func topLinesFromWords(p Page, n int) layout {
	byKey := map[[3]int]*wordLine{}
	var all []*wordLine
	for _, w := range p.Words {
		if strings.TrimSpace(w.Text) == "" || w.Box.Dy() <= 0 {
			continue
		}
		k := [3]int{w.Block, w.Par, w.Line}
		wl := byKey[k]
		if wl == nil {
			wl = &wordLine{top: w.Box.Min.Y, left: w.Box.Min.X, right: w.Box.Max.X}
			byKey[k] = wl
			all = append(all, wl)
		}
		wl.words = append(wl.words, w)
		wl.top = min(wl.top, w.Box.Min.Y)
		wl.left = min(wl.left, w.Box.Min.X)
		wl.right = max(wl.right, w.Box.Max.X)
		wl.heights = append(wl.heights, w.Box.Dy())
		wl.conf += w.Conf
	}
	if len(all) == 0 {
		return layout{}
	}
	// Words built by hand carry no confidence; then every line counts.
	minConf := 0.0
	for _, w := range p.Words {
		if w.Conf > 0 {
			minConf = minLineConf
			break
		}
	}
	// Tesseract's boxes for Chinese often reach into the line above or below, so a word's
	// height overstates its glyphs; the lower third of a line's word heights does not.
	var lineHeights []int
	for _, wl := range all {
		wl.conf /= float64(len(wl.words))
		if alnums(wordsText(wl)) >= 2 && wl.conf >= minConf {
			lineHeights = append(lineHeights, glyphHeight(wl))
		}
	}
	if len(lineHeights) == 0 {
		return layout{}
	}
	body := median(lineHeights)
	sort.SliceStable(all, func(i, j int) bool { return all[i].top < all[j].top })
	var out []line
	for _, wl := range all {
		if wl.top > p.Height*2/5 {
			break
		}
		t := wordsText(wl)
		// Digits count: a title in a font the scan's OCR cannot read comes out as 0000.
		if alnums(t) < 2 || wl.conf < minConf {
			continue
		}
		size := sizeSmall
		if float64(glyphHeight(wl)) >= largeGlyphRatio*float64(body) {
			size = sizeLarge
		}
		centred := false
		if p.Width > 0 {
			mid := float64(wl.left+wl.right) / 2
			centred = abs(mid-float64(p.Width)/2) <= centreTolerance*float64(p.Width) &&
				float64(wl.left) >= centredMinLeft*float64(p.Width)
		}
		out = append(out, line{text: t, large: size, centred: centred, top: wl.top})
		if len(out) == n {
			break
		}
	}
	return layout{lines: out, body: body}
}

func wordsText(wl *wordLine) string {
	sort.SliceStable(wl.words, func(i, j int) bool { return wl.words[i].Box.Min.X < wl.words[j].Box.Min.X })
	var b strings.Builder
	for _, w := range wl.words {
		b.WriteString(w.Text + " ")
	}
	return strings.TrimSpace(b.String())
}

// glyphHeight is the 30th percentile of a line's word heights.
func glyphHeight(wl *wordLine) int {
	s := append([]int(nil), wl.heights...)
	sort.Ints(s)
	return s[len(s)*3/10]
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func median(xs []int) int {
	s := append([]int(nil), xs...)
	sort.Ints(s)
	return s[len(s)/2]
}

func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func alnums(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

var pageNumberRes = []*regexp.Regexp{
	regexp.MustCompile(`^[(（]?(?:共\d+页)?[,，]?第(\d+)页(?:[,，/]?共(\d+)页)?[)）]?$`),
	regexp.MustCompile(`(?i)^page(\d+)(?:of(\d+))?$`),
	regexp.MustCompile(`^[-—–](\d+)[-—–]$`),
	regexp.MustCompile(`^(\d+)/(\d+)$`),
}

// PageNumber finds page numbering printed on its own line ("第 2 页", "第1页 共3页",
// "1/3", "- 2 -", "Page 1 of 3") and returns the page number and, when printed, the total.
func PageNumber(text string) (n, total int, ok bool) {
	for _, l := range strings.Split(text, "\n") {
		t := squeeze(l)
		if t == "" || len(t) > 40 {
			continue
		}
		for _, re := range pageNumberRes {
			m := re.FindStringSubmatch(t)
			if m == nil {
				continue
			}
			n, err := strconv.Atoi(m[1])
			if err != nil || n < 1 || n > 999 {
				continue
			}
			if len(m) > 2 && m[2] != "" {
				total, _ = strconv.Atoi(m[2])
				if total < n {
					continue
				}
			}
			return n, total, true
		}
	}
	return 0, 0, false
}
