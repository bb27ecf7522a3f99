package pipeline

import (
	"image"
	"testing"
)

// Every pixel of a turned rectangle comes back to the pixel it was turned from.
func TestUnturnRect(t *testing.T) {
	const w, h = 7, 5
	turned := map[int]func(x, y int) image.Point{
		90:  func(x, y int) image.Point { return image.Pt(h-1-y, x) },
		180: func(x, y int) image.Point { return image.Pt(w-1-x, h-1-y) },
		270: func(x, y int) image.Point { return image.Pt(y, w-1-x) },
	}
	for turn, at := range turned {
		for x := range w {
			for y := range h {
				p := at(x, y)
				got := UnturnRect(image.Rect(p.X, p.Y, p.X+1, p.Y+1), w, h, turn)
				if want := image.Rect(x, y, x+1, y+1); got != want {
					t.Errorf("turn %d: pixel (%d,%d) shown at %v comes back as %v", turn, x, y, p, got)
				}
			}
		}
	}
	if r := image.Rect(1, 2, 3, 4); UnturnRect(r, w, h, 0) != r {
		t.Error("turn 0 moved the rectangle")
	}
}
