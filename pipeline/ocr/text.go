package ocr

import (
	"image"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otiai10/gosseract/v2"

	"onewindow/pipeline"
)

// buildPage turns Tesseract's words, which arrive in reading order, into an OCRPage: empty
// words dropped, boxes clipped to the image, text one line per Tesseract text line.
func buildPage(boxes []gosseract.BoundingBox, width, height int) pipeline.OCRPage {
	page := pipeline.OCRPage{Width: width, Height: height}
	bounds := imageRect(width, height)
	var confSum float64
	for _, b := range boxes {
		text := strings.TrimSpace(b.Word)
		if text == "" {
			continue
		}
		page.Words = append(page.Words, pipeline.Word{
			Text:  text,
			Box:   b.Box.Intersect(bounds),
			Conf:  b.Confidence,
			Block: b.BlockNum,
			Par:   b.ParNum,
			Line:  b.LineNum,
		})
		confSum += b.Confidence
	}
	if len(page.Words) > 0 {
		page.MeanConf = confSum / float64(len(page.Words))
	}
	sortBlocks(page.Words)
	forEachLine(page.Words, widenPunctuation)
	page.Text = joinLines(page.Words)
	return page
}

// joinLines writes one line per (block, paragraph, line), lines separated by "\n".
func joinLines(words []pipeline.Word) string {
	var sb strings.Builder
	for i, w := range words {
		if i > 0 {
			prev := words[i-1]
			switch {
			case prev.Block != w.Block || prev.Par != w.Par || prev.Line != w.Line:
				sb.WriteByte('\n')
			case needsSpace(prev.Text, w.Text):
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(w.Text)
	}
	return sb.String()
}

// needsSpace reports whether two words on a line are separated by a space in writing:
// Chinese runs together, so a space goes only between two non-CJK neighbours.
func needsSpace(left, right string) bool {
	l, _ := utf8.DecodeLastRuneInString(left)
	r, _ := utf8.DecodeRuneInString(right)
	return !isCJK(l) && !isCJK(r)
}

// isCJK covers Han, kana, Hangul and the full-width punctuation written with them.
func isCJK(r rune) bool {
	switch {
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return true
	case r >= 0x3000 && r <= 0x303F: // CJK symbols and punctuation: 。、「」
		return true
	case r >= 0xFF00 && r <= 0xFFEF: // full-width forms: ，：（）
		return true
	}
	return false
}

func imageRect(width, height int) image.Rectangle { return image.Rect(0, 0, width, height) }

// fullWidth maps the ASCII punctuation Tesseract's chi_sim model tends to emit to the
// full-width forms Chinese text is written with.
var fullWidth = map[rune]rune{
	':': '：', ';': '；', ',': '，', '(': '（', ')': '）', '!': '！', '?': '？',
}

// widenPunctuation rewrites, in place, ASCII punctuation that touches a Han character on
// the same line as its full-width form ("名称:" becomes "名称："), leaving punctuation
// between Latin words alone. It is the most common difference from the printed text.
func widenPunctuation(line []pipeline.Word) {
	var runes []rune
	for _, w := range line {
		runes = append(runes, []rune(w.Text)...)
	}
	changed := false
	for i, r := range runes {
		wide, ok := fullWidth[r]
		if !ok {
			continue
		}
		if (i > 0 && unicode.Is(unicode.Han, runes[i-1])) || (i+1 < len(runes) && unicode.Is(unicode.Han, runes[i+1])) {
			runes[i] = wide
			changed = true
		}
	}
	if !changed {
		return
	}
	for i := range line {
		n := utf8.RuneCountInString(line[i].Text)
		line[i].Text = string(runes[:n])
		runes = runes[n:]
	}
}

// mostlyLatin reports whether at least 70% of the letters in text are ASCII, so the page
// is worth reading again with a Latin-script model.
func mostlyLatin(text string) bool {
	var latin, other int
	for _, r := range text {
		switch {
		case r < 0x80 && unicode.IsLetter(r):
			latin++
		case unicode.IsLetter(r):
			other++
		}
	}
	return latin >= minOrientRunes && 10*latin >= 7*(latin+other)
}

// sortBlocks reorders whole blocks top to bottom, and side by side blocks left to right.
// Tesseract sometimes lists a block after the ones below it (a lone line above a centred
// heading, say), which puts that line at the end of the page's text.
func sortBlocks(words []pipeline.Word) {
	type block struct {
		box   image.Rectangle
		words []pipeline.Word
	}
	var blocks []block
	for i := 0; i < len(words); {
		j := i + 1
		box := words[i].Box
		for j < len(words) && words[j].Block == words[i].Block {
			box = box.Union(words[j].Box)
			j++
		}
		blocks = append(blocks, block{box: box, words: words[i:j]})
		i = j
	}
	sorted := slices.IsSortedFunc(blocks, func(a, b block) int { return compareBlocks(a.box, b.box) })
	if sorted {
		return
	}
	slices.SortStableFunc(blocks, func(a, b block) int { return compareBlocks(a.box, b.box) })
	out := make([]pipeline.Word, 0, len(words))
	for _, b := range blocks {
		out = append(out, b.words...)
	}
	copy(words, out)
}

// compareBlocks orders blocks by their tops, except that blocks sharing most of their
// height (columns, a label beside its value) go left to right.
func compareBlocks(a, b image.Rectangle) int {
	overlap := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
	if 2*overlap > min(a.Dy(), b.Dy()) {
		return a.Min.X - b.Min.X
	}
	return a.Min.Y - b.Min.Y
}
