// Package reread reads a page's codes a second time where the first reading failed: when a
// label says an ID number or a credit code follows (统一社会信用代码, 公民身份号码, 身份证号, ...)
// but the text after it does not validate, the region after the label is cropped from the
// page image by the OCR word boxes, scaled up, and recognised as one line with a whitelist of
// the code's characters. A reading is kept only when its check character validates
// (extract.Reread decides), and filed as certain only when two scales read it alike, so
// precision does not depend on this step.
//
// Pages whose labelled codes all validate cost nothing but a scan of their words.
package reread

import (
	"context"
	"image"
	"slices"
	"unicode"
	"unicode/utf8"

	"onewindow/pipeline"
	"onewindow/pipeline/extract"
)

// RegionReader recognises a region of an encoded page image as one line of text, read as
// scan says, using only the characters of whitelist. The OCR engine implements it (cropping,
// scaling and thresholding in Leptonica, faster than decoding in Go).
type RegionReader interface {
	ReadRegion(page pipeline.PageImage, box image.Rectangle, scan Scan, whitelist string) (string, error)
}

// Scan is one way of reading a region again.
type Scan struct {
	// Height is the text height, in pixels, the region is scaled to.
	Height int
	// Ink, when above 0, makes the crop black and white at that share of the way from its ink
	// to its paper: 0.35 thins strokes (glyphs that touch part: MM read as NM), 0.65
	// thickens them (a faint 3 read as 8). 0 leaves the thresholding to Tesseract.
	Ink float64
}

// Whitelists of the code kinds: GB 11643 digits and X; the GB 32100 alphabet (no I, O, S, V, Z).
var whitelists = map[string]string{
	extract.KindID:   "0123456789X",
	extract.KindUSCC: "0123456789ABCDEFGHJKLMNPQRTUWXY",
}

// scans are the ways a region is read, tried in turn until two readings agree. Tesseract reads
// best with capitals of 30-40 pixels (a 200 dpi scan's body text is about 20), and another
// scale misreads other places; but neighbouring scales often make the same misreading, since
// the threshold Tesseract chooses for a crop is the common cause where noise, a light print or
// touching glyphs are to blame (on a noisy crop it may read nothing at any scale). So the
// readings alternate between scales and crops made black and white thinner and thicker. A
// region that agrees early costs two or three readings (15 to 25 ms each), one that never
// agrees all eight (more scales than these recovered nothing more on the corpora tried).
var scans = []Scan{
	{Height: 40}, {Height: 40, Ink: 0.35}, {Height: 56}, {Height: 56, Ink: 0.65},
	{Height: 32}, {Height: 48}, {Height: 40, Ink: 0.65}, {Height: 56, Ink: 0.35},
}

// hopeless is how many readings of a region may give nothing that validates before the rest
// are left unread: a code too broken for any scan (a bilevel page at 200 dpi whose strokes
// fell apart) would otherwise cost every reading.
const hopeless = 6

// codeLength is the length of both kinds of code.
const codeLength = 18

// Region is a labelled code that did not validate and where it stands on the page.
type Region struct {
	Kind string
	Raw  string // what the page's OCR read
	Box  image.Rectangle
}

// Regions lists the labelled codes of page that do not validate, with the image region
// each stands in: the code's words, widened left to the label and right by a character so
// that a digit OCR dropped or glued to the label is inside. A code printed under a label
// that closes its line is found too.
func Regions(page pipeline.OCRPage) []Region {
	type lineOf struct {
		words  []pipeline.Word
		text   string
		owner  []int
		misses []extract.NearMiss
	}
	var ls []lineOf
	for _, words := range lines(page.Words) {
		text, owner := lineText(words)
		ls = append(ls, lineOf{words, text, owner, extract.NearMisses(text)})
	}
	var out []Region
	add := func(l lineOf, nm extract.NearMiss) {
		if reg, ok := region(page, l.words, l.text, l.owner, nm); ok {
			out = append(out, reg)
		}
	}
	for i, l := range ls {
		for _, nm := range l.misses {
			add(l, nm)
		}
		if i+1 == len(ls) {
			continue
		}
		// The label may close this line and the code start the next. Codes labelled on the
		// next line itself are that line's own.
		next := ls[i+1]
		skip := utf8.RuneCountInString(l.text) + 1
		for _, nm := range extract.NearMisses(l.text + "\n" + next.text) {
			if nm.Start < skip {
				continue
			}
			nm.Start, nm.End = nm.Start-skip, nm.End-skip
			if !slices.Contains(next.misses, nm) {
				add(next, nm)
			}
		}
	}
	return out
}

// region is where near miss nm, found in text (the words of line, owner saying which word
// each rune came from), stands on page.
func region(page pipeline.OCRPage, line []pipeline.Word, text string, owner []int, nm extract.NearMiss) (Region, bool) {
	if nm.Start >= nm.End || nm.End > len(owner) {
		return Region{}, false
	}
	first, last := owner[nm.Start], owner[nm.End-1]
	box := line[first].Box
	for _, w := range line[first : last+1] {
		box = box.Union(w.Box)
	}
	// A speck or a stamp touching a word would make the union taller than the line,
	// and the crop, scaled by its height, too small to read: the line's words say
	// where it runs.
	box.Min.Y, box.Max.Y = lineExtent(line)
	h := box.Dy()
	short := codeLength-utf8.RuneCountInString(nm.Raw) > 1
	if cut := leadIn(line[first], text, owner, nm.Start); cut > 0 {
		// The label (or a colon) shares the code's first word: start after it.
		box.Min.X += cut - h
	} else if first > 0 && line[first-1].Box.Max.X < box.Min.X {
		box.Min.X = max(line[first-1].Box.Max.X, box.Min.X-2*h)
	} else {
		box.Min.X -= h / 2
	}
	box.Max.X += h
	if short {
		// OCR made out only part of the code: the rest may be to the right of it.
		box.Max.X += (codeLength - utf8.RuneCountInString(nm.Raw)) * h
	}
	box.Min.Y -= h / 3
	box.Max.Y += h / 3
	box = box.Intersect(image.Rect(0, 0, page.Width, page.Height))
	if box.Empty() {
		return Region{}, false
	}
	return Region{Kind: nm.Kind, Raw: nm.Raw, Box: box}, true
}

// Page reads every region of Regions(*page) again from img (the upright page image the words
// were read from) and records the validated readings in page.Reread.
func Page(ctx context.Context, page *pipeline.OCRPage, img pipeline.PageImage, r RegionReader) error {
	for _, reg := range Regions(*page) {
		if err := ctx.Err(); err != nil {
			return err
		}
		var texts []string
		value, agreed, ok := "", false, false
		for _, scan := range scans {
			text, err := r.ReadRegion(img, reg.Box, scan, whitelists[reg.Kind])
			if err != nil {
				return err
			}
			texts = append(texts, text)
			if value, agreed, ok = extract.Reread(reg.Kind, reg.Raw, texts...); agreed {
				break
			}
			if !ok && len(texts) >= hopeless {
				break
			}
		}
		if ok {
			page.Reread = append(page.Reread, pipeline.FieldReading{Kind: reg.Kind, Value: value, Box: reg.Box,
				Raw: reg.Raw, Agreed: agreed})
		}
	}
	return nil
}

// lineExtent is where a line runs vertically: the median top and bottom of its words.
func lineExtent(line []pipeline.Word) (top, bottom int) {
	tops := make([]int, len(line))
	bottoms := make([]int, len(line))
	for i, w := range line {
		tops[i], bottoms[i] = w.Box.Min.Y, w.Box.Max.Y
	}
	slices.Sort(tops)
	slices.Sort(bottoms)
	return tops[len(tops)/2], bottoms[len(bottoms)/2]
}

// lines groups words by (block, paragraph, line), in order.
func lines(words []pipeline.Word) [][]pipeline.Word {
	var out [][]pipeline.Word
	for i := 0; i < len(words); {
		j := i + 1
		for j < len(words) && words[j].Block == words[i].Block && words[j].Par == words[i].Par && words[j].Line == words[i].Line {
			j++
		}
		out = append(out, words[i:j])
		i = j
	}
	return out
}

// lineText joins a line's words as the OCR text does (a space only between two non-CJK
// neighbours) and says for each rune which word it came from.
func lineText(line []pipeline.Word) (string, []int) {
	var b []rune
	var owner []int
	for i, w := range line {
		if i > 0 {
			l, _ := utf8.DecodeLastRuneInString(line[i-1].Text)
			r, _ := utf8.DecodeRuneInString(w.Text)
			if !wide(l) && !wide(r) {
				b = append(b, ' ')
				owner = append(owner, i)
			}
		}
		for _, r := range w.Text {
			b = append(b, r)
			owner = append(owner, i)
		}
	}
	return string(b), owner
}

// leadIn estimates how many pixels of word w (which holds rune start of text) come before
// start, counting a CJK glyph twice as wide as a digit.
func leadIn(w pipeline.Word, text string, owner []int, start int) int {
	runes := []rune(text)
	weight := func(r rune) int {
		if wide(r) {
			return 2
		}
		return 1
	}
	before, total := 0, 0
	for i, r := range runes {
		if owner[i] != owner[start] || r == ' ' {
			continue
		}
		total += weight(r)
		if i < start {
			before += weight(r)
		}
	}
	if before == 0 || total == 0 {
		return 0
	}
	return w.Box.Dx() * before / total
}

func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}
