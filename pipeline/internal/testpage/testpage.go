// Package testpage draws scan-like test pages (text, noise) for the pre-OCR page checks.
package testpage

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// PageW and PageH are an A4 page at 300 dpi: test pages are drawn, not stored.
const PageW, PageH = 2480, 3508

// cjkFontPath is Debian's fonts-droid-fallback, which the set-up installs. (wqy-zenhei.ttc,
// tried first, has unaligned tables that x/image/font rejects, so no Chinese was drawn.)
const cjkFontPath = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// New is a blank page of the given paper shade.
func New(w, h int, paper uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = paper
	}
	return img
}

var (
	cjkOnce sync.Once
	cjkFont *opentype.Font
)

// faceOf returns a CJK face of the given pixel size, or nil when the font is not installed.
func faceOf(t testing.TB, px float64) font.Face {
	cjkOnce.Do(func() {
		data, err := os.ReadFile(cjkFontPath)
		if err != nil {
			return
		}
		cjkFont, _ = opentype.Parse(data)
	})
	if cjkFont == nil {
		return nil
	}
	face, err := opentype.NewFace(cjkFont, &opentype.FaceOptions{Size: px, DPI: 72})
	if err != nil {
		t.Fatalf("font face: %v", err)
	}
	return face
}

// DrawText writes text with its baseline at (x, y), px high, in the given ink; without
// the CJK font it writes latinFallback in an enlarged basicfont instead.
func DrawText(t testing.TB, img draw.Image, text, latinFallback string, x, y int, px float64, ink uint8) {
	face := faceOf(t, px)
	if face == nil {
		drawScaledBasic(img, latinFallback, x, y, int(px/13)+1, ink)
		return
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{ink}), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(text)
}

// drawScaledBasic draws basicfont glyphs enlarged by scale, for machines without CJK fonts.
func drawScaledBasic(img draw.Image, text string, x, y, scale int, ink uint8) {
	small := image.NewAlpha(image.Rect(0, 0, 7*len(text), 13))
	d := font.Drawer{Dst: small, Src: image.Opaque, Face: basicfont.Face7x13, Dot: fixed.P(0, 11)}
	d.DrawString(text)
	b := small.Bounds()
	for sy := 0; sy < b.Dy()*scale; sy++ {
		for sx := 0; sx < b.Dx()*scale; sx++ {
			if small.AlphaAt(sx/scale, sy/scale).A > 128 {
				img.Set(x+sx, y-11*scale+sy, color.Gray{ink})
			}
		}
	}
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
