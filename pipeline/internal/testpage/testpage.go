// Package testpage draws scan-like test pages (text, noise) for the pre-OCR page checks.
package testpage

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"onewindow/internal/testfixtures/textface"
)

// PageW and PageH are an A4 page at 300 dpi: test pages are drawn, not stored.
const PageW, PageH = 2480, 3508

// New is a blank page of the given paper shade.
func New(w, h int, paper uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = paper
	}
	return img
}

// DrawText writes text with its baseline at (x, y), px high, in the given ink, in the test
// typeface (textface), which prints Chinese, Latin letters and digits.
func DrawText(t testing.TB, img draw.Image, text string, x, y int, px float64, ink uint8) {
	t.Helper()
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{ink}), Face: textface.Face(t, px, 72), Dot: fixed.P(x, y)}
	d.DrawString(text)
}

// AddScanNoise imitates a rough scan: grain, dark speckles up to 4 px and a slight blur.
func AddScanNoise(img *image.Gray, seed uint64, grain float64, speckles int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for i, v := range img.Pix {
		n := float64(v) + rng.NormFloat64()*grain
		img.Pix[i] = uint8(min(255, max(0, n)))
	}
	b := img.Bounds()
	for range speckles {
		x, y, r := rng.IntN(b.Dx()), rng.IntN(b.Dy()), 1+rng.IntN(3)
		ink := uint8(rng.IntN(120))
		for dy := 0; dy <= r; dy++ {
			for dx := 0; dx <= r; dx++ {
				if image.Pt(x+dx, y+dy).In(b) {
					img.SetGray(x+dx, y+dy, color.Gray{ink})
				}
			}
		}
	}
	boxBlur3(img)
}

func boxBlur3(img *image.Gray) {
	src := append([]byte(nil), img.Pix...)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			s := 0
			for dy := -1; dy <= 1; dy++ {
				o := (y+dy)*img.Stride + x
				s += int(src[o-1]) + int(src[o]) + int(src[o+1])
			}
			img.Pix[y*img.Stride+x] = uint8(s / 9)
		}
	}
}
