package pdfout

import (
	"bytes"
	"fmt"
	"image"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"onewindow/pipeline"
)

// writeTextLayer appends the invisible text (render mode 3) for the OCR words. sx and sy
// convert OCR pixels to points; pageH flips the y axis. It reports whether any text was
// written.
//
// Layout follows Tesseract's PDF renderer: the words of one OCR line share a baseline and
// font size; each word is stretched with Tz so its glyphs span its box, which keeps
// selection highlights on the scan's words. A space is emitted between words so
// extractors do not glue Latin words together, except between closely set CJK words,
// where a space would break phrase search; those are stretched to touch instead, so no
// gap remains for an extractor to read as a space.
func writeTextLayer(buf *bytes.Buffer, words []pipeline.Word, sx, sy, pageH float64) bool {
	lines := groupLines(words)
	wrote := false
	for _, line := range lines {
		var box image.Rectangle
		for _, w := range line {
			box = box.Union(w.Box)
		}
		size := float64(box.Dy()) * sy
		if size < 1 {
			continue
		}
		baseline := pageH - float64(box.Max.Y)*sy
		if !wrote {
			buf.WriteString("BT\n3 Tr\n")
			wrote = true
		}
		fmt.Fprintf(buf, "/%s %s Tf\n", fontName, num(size))
		// OCR word boxes can overlap (Tesseract's CJK boxes often do); glyph runs must not,
		// or extractors split the line, so each word starts where the previous one ended.
		cursor := 0
		for i, w := range line {
			text := strings.TrimSpace(w.Text)
			units := utf16Units(text)
			start := max(w.Box.Min.X, cursor)
			end := max(w.Box.Max.X, start+1)
			if i+1 < len(line) {
				next := line[i+1]
				nextStart := max(next.Box.Min.X, start+1)
				gap := next.Box.Min.X - w.Box.Max.X
				if joinable(text, next.Text) && gap <= box.Dy()/2 {
					end = nextStart // touching glyphs: no gap to read as a space
				} else {
					end = min(end, nextStart)
					units = append(units, ' ')
				}
			}
			cursor = end
			glyphs := len(units)
			if units[len(units)-1] == ' ' && glyphs > 1 {
				glyphs-- // stretch the word's own glyphs over its box; the space rides along
			}
			tz := 100 * float64(end-start) * sx / (size * glyphWidth / 1000 * float64(glyphs))
			fmt.Fprintf(buf, "1 0 0 1 %s %s Tm %s Tz <", num(float64(start)*sx), num(baseline), num(tz))
			for _, u := range units {
				fmt.Fprintf(buf, "%04X", u)
			}
			buf.WriteString("> Tj\n")
		}
	}
	if wrote {
		buf.WriteString("ET\n")
	}
	return wrote
}

// groupLines splits words, in OCR order, into lines: a new line starts when the OCR's
// block/paragraph/line numbers change, or when a word does not overlap the line vertically
// (OCR engines that leave the numbers at zero).
func groupLines(words []pipeline.Word) [][]pipeline.Word {
	var lines [][]pipeline.Word
	var cur []pipeline.Word
	var curBox image.Rectangle
	for _, w := range words {
		if strings.TrimSpace(w.Text) == "" || w.Box.Empty() {
			continue
		}
		if len(cur) > 0 {
			last := cur[len(cur)-1]
			sameLine := last.Block == w.Block && last.Par == w.Par && last.Line == w.Line
			overlaps := w.Box.Min.Y < curBox.Max.Y && w.Box.Max.Y > curBox.Min.Y
			if !sameLine || !overlaps {
				lines = append(lines, cur)
				cur = nil
			}
		}
		if len(cur) == 0 {
			curBox = w.Box
		} else {
			curBox = curBox.Union(w.Box)
		}
		cur = append(cur, w)
	}
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	return lines
}

// utf16Units encodes text as the glyphless font's character codes. Characters outside the
// BMP cannot be one two-byte code, and control characters would confuse extractors, so both
// become U+FFFD.
func utf16Units(s string) []uint16 {
	units := make([]uint16, 0, len(s))
	for _, r := range s {
		if r > 0xFFFF || unicode.IsControl(r) || utf16.IsSurrogate(r) {
			r = unicode.ReplacementChar
		}
		units = append(units, uint16(r))
	}
	return units
}

// joinable reports whether two adjacent words of a line may be run together without a
// space: Chinese sets no spaces between characters, nor between them and digits, Latin
// letters or punctuation ("1570号", "住所:"), so any boundary touching CJK text qualifies.
func joinable(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" || b == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(a)
	first, _ := utf8.DecodeRuneInString(b)
	return isCJK(last) || isCJK(first)
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || // CJK punctuation
		(r >= 0xFF00 && r <= 0xFFEF) // full-width forms
}

func startsCJK(s string) bool {
	s = strings.TrimSpace(s)
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && isCJK(r)
}
