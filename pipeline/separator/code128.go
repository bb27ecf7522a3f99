package separator

import (
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"

	"onewindow/pipeline/internal/luma"
)

// code128LinesPerPage is how many rows (and as many columns, scaled to the width) are
// read across the page. A 300 dpi A4 page gets a scan line every 20 px (1.7 mm), so even a
// 5 mm tall barcode skewed by a few degrees is crossed end to end more than once.
const code128LinesPerPage = 175

// decodeCode128Lines reads full-resolution scan lines, since a Code 128 module is often
// only 0.25 mm and would vanish on a reduced page. Rows find upright and upside-down
// codes; columns find codes turned by 90 degrees either way.
func decodeCode128Lines(l *luma.Plane) []string {
	hist, n := l.Histogram(8)
	paper := luma.Percentile(&hist, n, 0.5)
	thr := byte(paper * 55 / 100)
	reader := oned.NewCode128Reader().(oned.RowDecoder)
	step := max(4, l.H/code128LinesPerPage)

	var found []string
	try := func(pos int, bits *gozxing.BitArray) bool {
		if !hasBarcodeRhythm(bits) {
			return false
		}
		if res, err := reader.DecodeRow(pos, bits, nil); err == nil {
			found = append(found, res.GetText())
			return true
		}
		bits.Reverse()
		if res, err := reader.DecodeRow(pos, bits, nil); err == nil {
			found = append(found, res.GetText())
			return true
		}
		return false
	}

	rowBits := gozxing.NewBitArray(l.W)
	for y := step / 2; y < l.H; y += step {
		rowBits.Clear()
		for x, v := range l.Row(y) {
			if v < thr {
				rowBits.Set(x)
			}
		}
		if try(y, rowBits) {
			return found
		}
	}
	colBits := gozxing.NewBitArray(l.H)
	for x := step / 2; x < l.W; x += step {
		colBits.Clear()
		for y := 0; y < l.H; y++ {
			if l.Pix[y*l.Stride+x] < thr {
				colBits.Set(y)
			}
		}
		if try(x, colBits) {
			return found
		}
	}
	return found
}

// hasBarcodeRhythm is a cheap pre-check: every Code 128 symbol has three bars and the
// start, check and stop symbols add ten, so "PATCHT" has 28; a line with fewer dark runs
// cannot hold a separator code and skips the decoder.
const minBarcodeBars = 25

func hasBarcodeRhythm(bits *gozxing.BitArray) bool {
	runs := 0
	size := bits.GetSize()
	for i := bits.GetNextSet(0); i < size; {
		runs++
		if runs >= minBarcodeBars {
			return true
		}
		i = bits.GetNextSet(bits.GetNextUnset(i))
	}
	return false
}
