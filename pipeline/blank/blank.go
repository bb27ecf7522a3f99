// Package blank recognises blank pages (the empty backs of duplex scans) so they can be
// dropped before OCR. It must never drop a page with real content, however little: a page
// is blank only when it shows light paper of an even tone (not a photograph, a pattern or a
// dark drawing) and nothing on it is as dark as ink and larger than scanner speckle.
package blank

import (
	"image"
	"strings"

	"onewindow/pipeline/internal/luma"
)

// Tuning. Sizes are in millimetres of paper; the page is assumed to be A4 or Letter long
// side, so an image that is really smaller (an ID card cut-out) is treated as more
// magnified than it is, and its marks only look bigger: the error keeps the page.
const (
	// workingLongSide caps the reduced page; 1800 px keeps a 300 dpi page at half size,
	// where a 0.3 mm pen stroke still averages well below the ink threshold.
	workingLongSide = 1800
	pageLongSideMM  = 297.0

	// marginShare of each side is ignored: scanner-lid shadows, feeder edges and the
	// fill of a deskewed page live there, and body text does not.
	marginShare = 0.04
	// bandMaxShare bounds how far a dark scanner band may reach into the page.
	bandMaxShare = 0.15
	// bandDarkShare of a row or column must be ink for it to count as part of an edge band.
	bandDarkShare = 0.5

	// inkContrast is how much darker than the paper a pixel must be to count as ink.
	// Show-through from the other side of ordinary office paper stays within about 70
	// levels of the paper; printed or written ink is 150 or more.
	inkContrast = 100

	// markMinMM: a kept mark is at least this long on its longer side. Scanner speckle and
	// dust are a few tenths of a millimetre; a CJK character is three or more, and even a
	// full stop or a dash of a signature line passes.
	markMinMM = 1.2
	// markMinPixels stops a thin one-pixel scratch from counting as a mark.
	markMinPixels = 4

	// paperMinLuma: a page whose background is darker than this is not paper but a picture,
	// a dark drawing or a scanner lid left open, and is kept. Office paper, recycled and
	// pastel forms included, scans at 170 or more.
	paperMinLuma = 140
	// busyContrast and busyMaxShare: a page on which more than busyMaxShare of the examined
	// area differs from the paper by busyContrast levels carries a picture or a pattern,
	// even with no ink-dark mark (a pale photograph, a light tint). Show-through and scanner
	// noise on an empty back stay far below that share.
	busyContrast = 40
	busyMaxShare = 0.05
	// toneMaxSpread: on paper, the mean tone of the cells of a toneGrid x toneGrid grid over
	// the centre differs by a few levels (show-through and speckle average out, uneven
	// lighting is gentle); a photograph's sky and ground, however pale, differ by more.
	toneGrid      = 12
	toneMaxSpread = 24
	// darkLuma: a page with nearly all of it (darkShare) below this is dark all over.
	darkLuma  = 64
	darkShare = 0.99
)

// Analysis is what Analyze measured on a page; Blank is the verdict.
type Analysis struct {
	Blank bool
	// Paper is the estimated background luminance (0 black .. 255 white).
	Paper int
	// Marks counts ink components large enough to be content.
	Marks int
	// LargestMarkMM is the longer side of the largest mark found, in millimetres, and
	// LargestMark its box in the page's pixels.
	LargestMarkMM float64
	LargestMark   image.Rectangle
	// Specks counts ink components too small to be content.
	Specks int
	// Busy is the share of the examined area that differs from the paper by more than
	// busyContrast levels, darker or lighter.
	Busy float64
	// Spread is how far apart the darkest and lightest cells' mean tones lie (see toneGrid).
	Spread int
	// Dark is a page dark all over: an unlit photograph, a black sheet, a scanner lid left
	// open. It is never blank; it may deserve a person's look.
	Dark bool
}

// paperLike: the page shows light paper with next to nothing on it, the only kind of page
// that can be blank. A photograph, a dark drawing or red lettering on black is not.
func (a Analysis) paperLike() bool {
	return a.Paper >= paperMinLuma && a.Busy <= busyMaxShare && a.Spread <= toneMaxSpread
}

// Dark reports whether the page is dark all over (see Analysis.Dark).
func Dark(img image.Image) bool {
	hist, n := luma.Of(img).Histogram(4)
	return n > 0 && luma.Percentile(&hist, n, darkShare) < darkLuma
}

// A page IsBlank keeps for no more than faintMarksMax marks, none longer than faintMarkMM,
// on which OCR then reads no text at all, is an empty back after all: heavy scanner noise and
// show-through leave a stray blot just above speckle size. A tick, a signature, a stamp or a
// page number is longer, and a photograph is one large mark.
const (
	faintMarksMax = 3
	faintMarkMM   = 2.5
)

// BlankAfterOCR reports whether a page IsBlank kept is blank after all, now that OCR read
// text from it: none, and the page carries only a few faint marks.
func BlankAfterOCR(img image.Image, text string) bool {
	if strings.TrimSpace(text) != "" {
		return false
	}
	a := Analyze(img)
	return a.paperLike() && a.Marks <= faintMarksMax && a.LargestMarkMM < faintMarkMM
}

// IsBlank reports whether the page carries no content and may be dropped.
func IsBlank(img image.Image) bool {
	return analyze(img, false).Blank
}

// Analyze is IsBlank with its measurements, for debugging and tuning. It examines the
// whole page rather than stopping at the first mark, so it is slower on text pages.
func Analyze(img image.Image) Analysis {
	return analyze(img, true)
}

func analyze(img image.Image, exhaustive bool) Analysis {
	full := luma.Of(img)
	if full.W < 8 || full.H < 8 {
		return tiny(full)
	}
	factor := (max(full.W, full.H) + workingLongSide - 1) / workingLongSide
	g := full.Downscale(factor)
	pxPerMM := float64(max(g.W, g.H)) / pageLongSideMM

	interior := image.Rect(int(marginShare*float64(g.W)), int(marginShare*float64(g.H)),
		g.W-int(marginShare*float64(g.W)), g.H-int(marginShare*float64(g.H)))
	hist, n := g.Crop(interior).Histogram(3)
	paper := luma.Percentile(&hist, n, 0.5)
	all, total := g.Histogram(3) // margins included: a black sheet is dark to its edges
	res := Analysis{Paper: paper, Dark: luma.Percentile(&all, total, darkShare) < darkLuma}
	thr := paper - inkContrast
	if thr <= 0 {
		// A page this dark (a black scanner lid with no paper) has nothing we can read as ink.
		thr = paper / 2
	}
	interior = trimEdgeBands(g, interior, byte(thr))
	mid := g.Crop(interior.Intersect(centre(g)))
	res.Busy, res.Spread = busyShare(mid, paper), toneSpread(mid)
	if !res.paperLike() && !exhaustive {
		return res // a picture is kept whatever marks it has
	}

	minSide := max(2, int(markMinMM*pxPerMM+0.5))
	mask := inkMask(g, interior, byte(thr))
	w, h := interior.Dx(), interior.Dy()
	var stack []int
	for start, v := range mask {
		if v != ink {
			continue
		}
		// Flood-fill one 8-connected component, marking it visited as we go.
		mask[start] = visited
		stack = append(stack[:0], start)
		minX, minY, maxX, maxY := w, h, -1, -1
		pixels := 0
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			pixels++
			minX, maxX = min(minX, x), max(maxX, x)
			minY, maxY = min(minY, y), max(maxY, y)
			for dy := -1; dy <= 1; dy++ {
				ny := y + dy
				if ny < 0 || ny >= h {
					continue
				}
				for dx := -1; dx <= 1; dx++ {
					nx := x + dx
					if nx < 0 || nx >= w {
						continue
					}
					if j := ny*w + nx; mask[j] == ink {
						mask[j] = visited
						stack = append(stack, j)
					}
				}
			}
		}
		side := max(maxX-minX, maxY-minY) + 1
		if side < minSide || pixels < markMinPixels {
			res.Specks++
			continue
		}
		if isEdgeArtifact(minX, minY, maxX, maxY, w, h) {
			continue
		}
		res.Marks++
		if mm := float64(side) / pxPerMM; mm > res.LargestMarkMM {
			res.LargestMarkMM = mm
			b := img.Bounds().Min
			res.LargestMark = image.Rect(
				(interior.Min.X+minX)*factor, (interior.Min.Y+minY)*factor,
				(interior.Min.X+maxX+1)*factor, (interior.Min.Y+maxY+1)*factor).Add(b)
		}
		if !exhaustive {
			break
		}
	}
	res.Blank = res.Marks == 0 && res.paperLike()
	return res
}

// tiny judges an image too small to hold margins and marks (a strip, an icon) by its tones
// alone: blank only when every pixel is light paper of one tone.
func tiny(g *luma.Plane) Analysis {
	hist, n := g.Histogram(1)
	if n == 0 {
		return Analysis{Blank: true, Paper: 255}
	}
	lo, hi := 255, 0
	for v, c := range hist {
		if c > 0 {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	a := Analysis{Paper: luma.Percentile(&hist, n, 0.5), Spread: hi - lo, Dark: hi < darkLuma}
	a.Blank = lo >= paperMinLuma && a.Spread <= busyContrast
	return a
}

// centre is the page without bandMaxShare along each edge, where shadows and folds lie;
// a picture or pattern covers it too.
func centre(g *luma.Plane) image.Rectangle {
	dx, dy := int(bandMaxShare*float64(g.W)), int(bandMaxShare*float64(g.H))
	return image.Rect(dx, dy, g.W-dx, g.H-dy)
}

// toneSpread is the difference between the largest and smallest mean tone of the cells of
// a toneGrid x toneGrid grid over g, each cell sampled every toneStep pixels.
func toneSpread(g *luma.Plane) int {
	const toneStep = 3
	cw, ch := g.W/toneGrid, g.H/toneGrid
	if cw == 0 || ch == 0 {
		return 0
	}
	lo, hi := 255, 0
	for cy := range toneGrid {
		for cx := range toneGrid {
			sum, n := 0, 0
			for y := cy * ch; y < (cy+1)*ch; y += toneStep {
				row := g.Row(y)
				for x := cx * cw; x < (cx+1)*cw; x += toneStep {
					sum += int(row[x])
					n++
				}
			}
			m := sum / n
			lo, hi = min(lo, m), max(hi, m)
		}
	}
	return hi - lo
}

// busyShare is the share of sampled pixels more than busyContrast levels from the paper.
func busyShare(g *luma.Plane, paper int) float64 {
	hist, n := g.Histogram(3)
	if n == 0 {
		return 0
	}
	far := 0
	for v, c := range hist {
		if v < paper-busyContrast || v > paper+busyContrast {
			far += c
		}
	}
	return float64(far) / float64(n)
}

const (
	paperPx byte = iota
	ink
	visited
)

func inkMask(g *luma.Plane, r image.Rectangle, thr byte) []byte {
	w := r.Dx()
	mask := make([]byte, w*r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := g.Row(y)[r.Min.X:r.Max.X]
		dst := mask[(y-r.Min.Y)*w:]
		for x, v := range row {
			if v < thr {
				dst[x] = ink
			}
		}
	}
	return mask
}

// trimEdgeBands shrinks r past any band of mostly dark rows or columns that starts at its
// edge: a scanner-lid shadow or a fold wider than the fixed margin.
func trimEdgeBands(g *luma.Plane, r image.Rectangle, thr byte) image.Rectangle {
	maxX := int(bandMaxShare * float64(g.W))
	maxY := int(bandMaxShare * float64(g.H))
	darkRow := func(y, x0, x1 int) bool {
		dark := 0
		for _, v := range g.Row(y)[x0:x1] {
			if v < thr {
				dark++
			}
		}
		return float64(dark) > bandDarkShare*float64(x1-x0)
	}
	darkCol := func(x, y0, y1 int) bool {
		dark := 0
		for y := y0; y < y1; y++ {
			if g.At(x, y) < thr {
				dark++
			}
		}
		return float64(dark) > bandDarkShare*float64(y1-y0)
	}
	for r.Min.Y < maxY && r.Dy() > 1 && darkRow(r.Min.Y, r.Min.X, r.Max.X) {
		r.Min.Y++
	}
	for g.H-r.Max.Y < maxY && r.Dy() > 1 && darkRow(r.Max.Y-1, r.Min.X, r.Max.X) {
		r.Max.Y--
	}
	for r.Min.X < maxX && r.Dx() > 1 && darkCol(r.Min.X, r.Min.Y, r.Max.Y) {
		r.Min.X++
	}
	for g.W-r.Max.X < maxX && r.Dx() > 1 && darkCol(r.Max.X-1, r.Min.Y, r.Max.Y) {
		r.Max.X--
	}
	return r
}

// isEdgeArtifact recognises a component that hugs the border of the examined area, runs
// along much of it and stays thin: the inner fringe of an edge shadow, not writing.
func isEdgeArtifact(minX, minY, maxX, maxY, w, h int) bool {
	const along, thin = 0.3, 0.03
	if (minX == 0 || maxX == w-1) && float64(maxY-minY+1) >= along*float64(h) && float64(maxX-minX+1) <= thin*float64(w) {
		return true
	}
	if (minY == 0 || maxY == h-1) && float64(maxX-minX+1) >= along*float64(w) && float64(maxY-minY+1) <= thin*float64(h) {
		return true
	}
	return false
}
