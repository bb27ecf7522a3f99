// Package split cuts a stack of scanned pages into documents when the scan station put no
// separator sheets between them, from what each page shows: a title at the top, page
// numbering, the clause numbering of continuation pages and a change of document type.
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
	largeTopLine      = 1.5 // a short line at the top printed larger than the body
	firstPageNumber   = 2.5 // "第 1 页", "1/3", "Page 1 of 3"
	laterPageNumber   = -4.0
	clauseStart       = -2.5 // starts with 第X条 / 第X章: the middle of articles or rules
	typeChange        = 2.5  // the page is confidently of another type than the document
	sureType          = 0.85 // confidence needed for a type change to count
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
	groups := [][]int{{0}}
	docType, docConf := types[0], confs[0]
	for i := 1; i < len(pages); i++ {
		start := pages[i].AfterSeparator
		if !start && mode == Content {
			start = Evidence(pages[i], types[i], confs[i], docType, docConf, tax) >= boundaryThreshold
		}
		if start {
			groups = append(groups, []int{i})
			docType, docConf = types[i], confs[i]
			continue
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], i)
		// A document's type is what its surest page says; continuation pages are often vague.
		if confs[i] > docConf && (docType == "" || docType == classify.Other) {
			docType, docConf = types[i], confs[i]
		}
	}
	return groups
}

// Evidence scores how strongly page p begins a new document, given the type of the
// document running so far. Positive values argue for a new document.
func Evidence(p Page, pageType string, pageConf float64, docType string, docConf float64, tax *classify.Taxonomy) float64 {
	lines := topLines(p, 3)
	score := 0.0
	if n, _, ok := PageNumber(p.Text); ok {
		if n == 1 {
			score += firstPageNumber
		} else {
			score += laterPageNumber
		}
	}
	if len(lines) > 0 && clauseRe.MatchString(squeeze(lines[0].text)) {
		score += clauseStart
	}
	title := 0.0
	for _, l := range lines {
		if !titleShaped(l.text) {
			continue
		}
		if _, ok := tax.TitleMatch(l.text); ok {
			if l.large == sizeSmall {
				title = max(title, titleKeywordSmall)
			} else {
				title = max(title, titleKeyword)
			}
		} else if l.large == sizeLarge {
			title = max(title, largeTopLine)
		}
	}
	score += title
	if pageType != "" && pageType != classify.Other && pageType != docType &&
		pageConf >= sureType && (docConf >= sureType || docType == classify.Other) {
		score += typeChange
	}
	return score
}

var clauseRe = regexp.MustCompile(`^第[一二三四五六七八九十百零〇0-9]{1,4}[条章节]`)

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
	text  string
	large glyphSize
}

// topLines returns the first n lines that hold at least two letters, with whether their
// glyphs are larger than the page's body text. Lines above the top 40% of the page are not
// titles of this page.
func topLines(p Page, n int) []line {
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
	return out
}

type wordLine struct {
	words      []pipeline.Word
	top        int
	height     int
	fullHeight []int
}

func topLinesFromWords(p Page, n int) []line {
	byKey := map[[3]int]*wordLine{}
	var all []*wordLine
	var heights []int
	for _, w := range p.Words {
		if strings.TrimSpace(w.Text) == "" || w.Box.Dy() <= 0 {
			continue
		}
		k := [3]int{w.Block, w.Par, w.Line}
		wl := byKey[k]
		if wl == nil {
			wl = &wordLine{top: w.Box.Min.Y}
			byKey[k] = wl
			all = append(all, wl)
		}
		wl.words = append(wl.words, w)
		wl.top = min(wl.top, w.Box.Min.Y)
		wl.fullHeight = append(wl.fullHeight, w.Box.Dy())
		heights = append(heights, w.Box.Dy())
	}
	if len(all) == 0 {
		return nil
	}
	body := median(heights)
	sort.SliceStable(all, func(i, j int) bool { return all[i].top < all[j].top })
	var out []line
	for _, wl := range all {
		if wl.top > p.Height*2/5 {
			break
		}
		sort.SliceStable(wl.words, func(i, j int) bool { return wl.words[i].Box.Min.X < wl.words[j].Box.Min.X })
		var b strings.Builder
		for _, w := range wl.words {
			b.WriteString(w.Text + " ")
		}
		t := strings.TrimSpace(b.String())
		if letters(t) < 2 {
			continue
		}
		size := sizeSmall
		if h := median(wl.fullHeight); float64(h) >= 1.3*float64(body) {
			size = sizeLarge
		}
		out = append(out, line{text: t, large: size})
		if len(out) == n {
			break
		}
	}
	return out
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
