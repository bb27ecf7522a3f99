package stamp

import (
	"math"
	"sort"
)

// place finds where a w x h stamp goes on a page: the first free corner (top right, bottom
// right, bottom left, top left; each may slide a quarter page along its side), else the free spot nearest the top right on a grid. When
// nothing is free it shrinks the stamp, down to minScale; as a last resort it takes the
// margin position that covers the least text. It returns the box and the scale used.
func place(pageW, pageH, w, h float64, obstacles []Rect) (Rect, float64) {
	// On small pages (ID cards, receipts) start smaller: at most half the width and a
	// third of the height.
	scale := max(minScale, min(1, (pageW-2*pageMargin)*0.5/w, (pageH-2*pageMargin)*0.34/h))
	for s := scale; s >= minScale-1e-9; s -= 0.1 {
		for _, r := range candidates(pageW, pageH, w*s, h*s, false) {
			if overlap(r, obstacles) == 0 {
				return r, s
			}
		}
	}
	s := minScale
	best, bestArea := Rect{}, math.Inf(1)
	for _, r := range candidates(pageW, pageH, w*s, h*s, true) {
		if a := overlap(r, obstacles); a < bestArea {
			best, bestArea = r, a
		}
	}
	return best, s
}

// gridStep is the spacing of candidate positions, in points.
const gridStep = 6.0

// candidates lists positions in order of preference. With marginOnly, only positions
// touching the page margins are listed.
func candidates(pageW, pageH, w, h float64, marginOnly bool) []Rect {
	left, right := pageMargin, pageW-pageMargin-w
	bottom, top := pageMargin, pageH-pageMargin-h
	if right < left {
		left, right = (pageW-w)/2, (pageW-w)/2
	}
	if top < bottom {
		bottom, top = (pageH-h)/2, (pageH-h)/2
	}
	at := func(x, y float64) Rect { return Rect{x, y, x + w, y + h} }
	// Each corner slides a little along its edge (towards the page's middle), so that
	// a letterhead or the page number does not rule out a corner that is nearly free.
	var out []Rect
	slide := min(pageH/4, top-bottom)
	for _, c := range []struct{ x, y, dir float64 }{{right, top, -1}, {right, bottom, 1}, {left, bottom, 1}, {left, top, -1}} {
		for d := 0.0; d <= slide+1e-9; d += gridStep {
			out = append(out, at(c.x, c.y+c.dir*d))
		}
	}

	var grid []Rect
	for y := bottom; y <= top+1e-9; y += gridStep {
		for x := left; x <= right+1e-9; x += gridStep {
			onMargin := x == left || y == bottom
			if marginOnly && !onMargin {
				continue
			}
			grid = append(grid, at(x, y))
		}
	}
	// Also the right and top edges exactly, which the grid steps may miss.
	for y := bottom; y <= top+1e-9; y += gridStep {
		grid = append(grid, at(right, y))
	}
	for x := left; x <= right+1e-9; x += gridStep {
		grid = append(grid, at(x, top))
	}
	dist := func(r Rect) float64 { return math.Hypot(right-r.X0, top-r.Y0) }
	sort.SliceStable(grid, func(i, j int) bool { return dist(grid[i]) < dist(grid[j]) })
	return append(out, grid...)
}
