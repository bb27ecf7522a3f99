package separator

import (
	"image"
	"sort"

	"onewindow/pipeline/internal/luma"
)

const (
	candidateCell     = 8    // px of the reduced page per density cell
	candidateDensity  = 0.3  // dark share of a cell inside a QR code is about one half
	candidateMinCells = 3    // smallest QR side, in cells, worth a full-resolution look
	candidateMax      = 4    // bounds the cost on pages full of dense blobs
	candidateMaxShare = 0.25 // a blob larger than this share of the page side is not a small code
)

// qrCandidates finds compact, roughly square, dense blobs on the reduced page and returns
// their boxes, padded for the quiet zone, in full-resolution coordinates. Text lines are
// dense too but long and flat, so the squareness test drops them.
func qrCandidates(small *luma.Plane, factor int) []image.Rectangle {
	hist, n := small.Histogram(4)
	thr := byte(luma.Percentile(&hist, n, 0.5) * 55 / 100)
	gw, gh := small.W/candidateCell, small.H/candidateCell
	if gw < candidateMinCells || gh < candidateMinCells {
		return nil
	}
	dense := make([]bool, gw*gh)
	density := candidateDensity
	limit := int(density * candidateCell * candidateCell)
	for cy := 0; cy < gh; cy++ {
		for cx := 0; cx < gw; cx++ {
			dark := 0
			for y := cy * candidateCell; y < (cy+1)*candidateCell; y++ {
				for _, v := range small.Row(y)[cx*candidateCell : (cx+1)*candidateCell] {
					if v < thr {
						dark++
					}
				}
			}
			dense[cy*gw+cx] = dark >= limit
		}
	}

	type blob struct {
		r     image.Rectangle
		cells int
	}
	var blobs []blob
	seen := make([]bool, len(dense))
	stack := []int{}
	for start := range dense {
		if !dense[start] || seen[start] {
			continue
		}
		b := blob{r: image.Rect(start%gw, start/gw, start%gw+1, start/gw+1)}
		seen[start] = true
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%gw, i/gw
			b.cells++
			b.r = b.r.Union(image.Rect(x, y, x+1, y+1))
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= gw || ny >= gh {
						continue
					}
					j := ny*gw + nx
					if dense[j] && !seen[j] {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		w, h := b.r.Dx(), b.r.Dy()
		if w < candidateMinCells || h < candidateMinCells || w > 2*h || h > 2*w {
			continue
		}
		if float64(w) > candidateMaxShare*float64(gw) && float64(h) > candidateMaxShare*float64(gh) {
			continue
		}
		// A code fills most of its box; an accidental cluster of strokes does not.
		if b.cells*2 < w*h {
			continue
		}
		blobs = append(blobs, b)
	}
	sort.Slice(blobs, func(i, j int) bool { return blobs[i].cells > blobs[j].cells })
	if len(blobs) > candidateMax {
		blobs = blobs[:candidateMax]
	}
	out := make([]image.Rectangle, len(blobs))
	for i, b := range blobs {
		pad := max(b.r.Dx(), b.r.Dy()) / 3 * candidateCell * factor
		s := candidateCell * factor
		r := image.Rect(b.r.Min.X*s, b.r.Min.Y*s, b.r.Max.X*s, b.r.Max.Y*s).Inset(-pad - 2*s)
		out[i] = r
	}
	return out
}
