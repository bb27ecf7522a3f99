package pages

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"onewindow/pipeline"
)

// A born-digital page's own text is exact where OCR of its rendering is not (the filed copy of
// one such PDF kept a tenth of its words), so it is taken from the PDF with pdftotext and
// handed on in the shape OCR gives.

// minTextRunes is the least number of letters and digits that make a page's text layer worth
// keeping instead of OCR: a page number or a producer's stray mark is not a text layer.
const minTextRunes = 20

// maxJunkShare is the largest share of undecodable characters (a font without a Unicode map
// gives U+FFFD, control or private-use codes) in a text layer still worth keeping.
const maxJunkShare = 0.05

// textConf is the confidence given to words that were written, not recognised.
const textConf = 100

// pageText reads page i's (0-based) text layer, its boxes in img's pixels, or nil when the
// page has none worth keeping. img is the page as pdftoppm rendered it, turned by /Rotate as
// pdftotext's boxes are.
func pageText(ctx context.Context, path string, i int, img pipeline.PageImage) (*pipeline.OCRPage, error) {
	n := strconv.Itoa(i + 1)
	out, err := runPoppler(ctx, PdftotextPath, "-bbox-layout", "-enc", "UTF-8", "-f", n, "-l", n, path, "-")
	if err != nil {
		return nil, err
	}
	page := parseBBoxLayout(out, img.Width, img.Height)
	if page == nil {
		return nil, nil
	}
	// A page that is largely a picture (a scan with another program's OCR layer, a form with
	// a photographed certificate pasted in) holds words its text layer lacks: OCR reads all.
	share, err := imageShare(ctx, path, i, img)
	if err != nil || share > maxImageShare {
		return nil, err
	}
	return page, nil
}

// maxImageShare is the largest share of a page that images may cover on a page whose text
// layer is kept: a letterhead's logo or a signature, not a pasted scan.
const maxImageShare = 0.25

// imageShare is the share of page i's area that its images cover, from pdfimages' account of
// each image's pixels and the resolution it is drawn at.
func imageShare(ctx context.Context, path string, i int, img pipeline.PageImage) (float64, error) {
	n := strconv.Itoa(i + 1)
	out, err := runPoppler(ctx, PdfimagesPath, "-list", "-f", n, "-l", n, path)
	if err != nil {
		return 0, err
	}
	dpi := img.DPI
	if dpi <= 0 {
		dpi = pipeline.DefaultDPI
	}
	pageArea := float64(img.Width) / dpi * float64(img.Height) / dpi // square inches
	var covered float64
	for _, line := range strings.Split(string(out), "\n") {
		// page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
		f := strings.Fields(line)
		if len(f) < 14 || f[2] != "image" {
			continue
		}
		w, _ := strconv.ParseFloat(f[3], 64)
		h, _ := strconv.ParseFloat(f[4], 64)
		xppi, _ := strconv.ParseFloat(f[12], 64)
		yppi, _ := strconv.ParseFloat(f[13], 64)
		if xppi > 0 && yppi > 0 {
			covered += w / xppi * h / yppi
		}
	}
	return covered / pageArea, nil
}

// parseBBoxLayout turns pdftotext's -bbox-layout XHTML for one page into an OCRPage of
// width x height pixels, or nil when the text is too little or mostly undecodable.
func parseBBoxLayout(out []byte, width, height int) *pipeline.OCRPage {
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	page := &pipeline.OCRPage{Width: width, Height: height, MeanConf: textConf}
	bounds := image.Rect(0, 0, width, height)
	var sx, sy float64
	block, line := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch start.Name.Local {
		case "page":
			if sx != 0 {
				break // one page asked for; a second would not be this image's
			}
			pw, ph := attrFloat(start, "width"), attrFloat(start, "height")
			if pw <= 0 || ph <= 0 {
				return nil
			}
			// The page's size is given before /Rotate, its words' boxes after.
			if (width > height) != (pw > ph) && pw != ph {
				pw, ph = ph, pw
			}
			sx, sy = float64(width)/pw, float64(height)/ph
		case "block":
			block, line = block+1, 0
		case "line":
			line++
		case "word":
			var text string
			if err := dec.DecodeElement(&text, &start); err != nil || sx == 0 {
				continue
			}
			text = strings.TrimSpace(text)
			if text == "" {
				continue
			}
			box := image.Rect(
				int(math.Floor(attrFloat(start, "xMin")*sx)), int(math.Floor(attrFloat(start, "yMin")*sy)),
				int(math.Ceil(attrFloat(start, "xMax")*sx)), int(math.Ceil(attrFloat(start, "yMax")*sy)))
			page.Words = append(page.Words, pipeline.Word{Text: text, Box: box.Intersect(bounds), Conf: textConf,
				Block: block, Par: 1, Line: line})
		}
	}
	if !worthKeeping(page.Words) {
		return nil
	}
	page.Text = lineText(page.Words)
	return page
}

func attrFloat(e xml.StartElement, name string) float64 {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			v, _ := strconv.ParseFloat(a.Value, 64)
			return v
		}
	}
	return 0
}

// worthKeeping reports whether words are a real text layer: enough letters and digits, and
// hardly any characters a font without a Unicode map turns into.
func worthKeeping(words []pipeline.Word) bool {
	good, junk := 0, 0
	for _, w := range words {
		for _, r := range w.Text {
			switch {
			case r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Co, r):
				junk++
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				good++
			}
		}
	}
	return good >= minTextRunes && float64(junk) <= maxJunkShare*float64(good+junk)
}

// lineText writes the words one line of the layout per text line, with a space between words
// unless both sides are Chinese (or other scripts written without spaces).
func lineText(words []pipeline.Word) string {
	var sb strings.Builder
	for i, w := range words {
		if i > 0 {
			prev := words[i-1]
			if prev.Block != w.Block || prev.Line != w.Line {
				sb.WriteByte('\n')
			} else {
				last, _ := utf8.DecodeLastRuneInString(prev.Text)
				first, _ := utf8.DecodeRuneInString(w.Text)
				if !unspaced(last) || !unspaced(first) {
					sb.WriteByte(' ')
				}
			}
		}
		sb.WriteString(w.Text)
	}
	return sb.String()
}

// unspaced: scripts written without spaces between words, and their full-width punctuation.
func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}
