package luma

import (
	"image"
	"math/rand/v2"
	"testing"
)

func randomPlane(w, h int) *Plane {
	r := rand.New(rand.NewPCG(1, 2))
	p := &Plane{Pix: make([]byte, w*h), Stride: w, W: w, H: h}
	for i := range p.Pix {
		p.Pix[i] = byte(r.IntN(256))
	}
	return p
}

// slowDownscale is the definition Downscale must match: the truncated mean of each box.
func slowDownscale(l *Plane, f int) *Plane {
	w, h := l.W/f, l.H/f
	out := &Plane{Pix: make([]byte, w*h), Stride: w, W: w, H: h}
	for y := range h {
		for x := range w {
			s := 0
			for dy := range f {
				for dx := range f {
					s += int(l.At(x*f+dx, y*f+dy))
				}
			}
			out.Pix[y*w+x] = byte(s / (f * f))
		}
	}
	return out
}

func TestDownscaleIsTheBoxMean(t *testing.T) {
	src := randomPlane(257, 131)
	view := src.Crop(image.Rect(3, 5, 250, 120)) // a stride wider than the width
	for _, l := range []*Plane{src, view} {
		for f := 1; f <= 9; f++ {
			got, want := l.Downscale(f), slowDownscale(l, f)
			if got.W != want.W || got.H != want.H {
				t.Fatalf("factor %d: %dx%d, want %dx%d", f, got.W, got.H, want.W, want.H)
			}
			for y := range want.H {
				for x := range want.W {
					if g, w := got.At(x, y), want.At(x, y); g != w {
						t.Fatalf("factor %d at (%d,%d): %d, want %d", f, x, y, g, w)
					}
				}
			}
		}
	}
}

func BenchmarkDownscaleA4(b *testing.B) {
	page := randomPlane(2480, 3508)
	for _, f := range []int{2, 3} {
		b.Run(string(rune('0'+f)), func(b *testing.B) {
			for b.Loop() {
				page.Downscale(f)
			}
		})
	}
}
