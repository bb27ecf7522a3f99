package blank

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

// Test pages are drawn here rather than stored: an A4 page at 300 dpi is 2480×3508.
const pageW, pageH = 2480, 3508

const cjkFontPath = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc" // Debian fonts-wqy-zenhei

func newPage(w, h int, paper uint8) *image.Gray {
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
		coll, err := opentype.ParseCollection(data)
		if err != nil {
			return
		}
		cjkFont, _ = coll.Font(0)
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

// drawText writes text with its baseline at (x, y), px high, in the given ink; without
// the CJK font it writes latinFallback in an enlarged basicfont instead.
func drawText(t testing.TB, img draw.Image, text, latinFallback string, x, y int, px float64, ink uint8) {
	face := faceOf(t, px)
	if face == nil {
		drawScaledBasic(img, latinFallback, x, y, int(px/13)+1, ink)
		return
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{ink}), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(text)
}

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

// addScanNoise imitates a rough scan: grain, dark speckles up to 4 px and a slight blur.
func addScanNoise(img *image.Gray, seed uint64, grain float64, speckles int) {
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

// addEdgeShadow darkens a band along one edge, fading inwards, like a scanner lid.
func addEdgeShadow(img *image.Gray, side string, band int, shade uint8) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for k := range band {
		v := uint8(int(shade) + (255-int(shade))*k/band)
		for i := 0; i < max(w, h); i++ {
			switch {
			case side == "left" && i < h:
				img.Pix[i*img.Stride+k] = min(img.Pix[i*img.Stride+k], v)
			case side == "right" && i < h:
				img.Pix[i*img.Stride+w-1-k] = min(img.Pix[i*img.Stride+w-1-k], v)
			case side == "top" && i < w:
				img.Pix[k*img.Stride+i] = min(img.Pix[k*img.Stride+i], v)
			}
		}
	}
}

// addShowThrough lays mirrored text from the other side of the sheet at 1/contrast of
// its ink strength, as gen-style duplex backs show it.
func addShowThrough(t testing.TB, img *image.Gray, contrast int) {
	ghost := newPage(img.Rect.Dx(), img.Rect.Dy(), 255)
	for i := range 12 {
		drawText(t, ghost, "第六条 股东姓名：石桂，身份证号码：220681199705145748。", "Article 6 shareholder ID 220681199705145748", 260, 300+i*110, 39, 0)
	}
	w := img.Rect.Dx()
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := range w {
			g := ghost.Pix[y*ghost.Stride+(w-1-x)]
			v := 255 - (255-int(g))/contrast
			o := y*img.Stride + x
			img.Pix[o] = uint8(min(int(img.Pix[o]), v))
		}
	}
}
