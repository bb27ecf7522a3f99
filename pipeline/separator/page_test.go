package separator

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
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

// faceOf returns a CJK face of the given pixel size, or nil when the font is not installed
// (callers then fall back to Latin text in basicfont).
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

// drawText writes text with its baseline at (x, y) in the given ink, px high.
func drawText(t testing.TB, img draw.Image, text, latinFallback string, x, y int, px float64, ink uint8) {
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

// drawMatrix paints a barcode bit matrix with its top-left corner at (x, y), each module
// mw×mh pixels, rotated by deg degrees about its centre.
func drawMatrix(img *image.Gray, m *gozxing.BitMatrix, x, y, mw, mh int, deg float64, ink uint8) {
	w, h := m.GetWidth()*mw, m.GetHeight()*mh
	cx, cy := float64(x)+float64(w)/2, float64(y)+float64(h)/2
	sin, cos := math.Sincos(deg * math.Pi / 180)
	r := int(math.Hypot(float64(w), float64(h))/2) + 2
	for py := int(cy) - r; py <= int(cy)+r; py++ {
		for px := int(cx) - r; px <= int(cx)+r; px++ {
			dx, dy := float64(px)-cx, float64(py)-cy
			u := cos*dx + sin*dy + float64(w)/2
			v := -sin*dx + cos*dy + float64(h)/2
			if u < 0 || v < 0 || u >= float64(w) || v >= float64(h) {
				continue
			}
			if m.Get(int(u)/mw, int(v)/mh) && image.Pt(px, py).In(img.Rect) {
				img.SetGray(px, py, color.Gray{ink})
			}
		}
	}
}

func qrMatrix(t testing.TB, payload string) *gozxing.BitMatrix {
	m, err := qrcode.NewQRCodeWriter().Encode(payload, gozxing.BarcodeFormat_QR_CODE, 1, 1, nil)
	if err != nil {
		t.Fatalf("encode QR %q: %v", payload, err)
	}
	return m
}

// code128Matrix returns a one-row matrix; drawMatrix stretches it to the bar height.
func code128Matrix(t testing.TB, payload string) *gozxing.BitMatrix {
	m, err := oned.NewCode128Writer().Encode(payload, gozxing.BarcodeFormat_CODE_128, 1, 1, nil)
	if err != nil {
		t.Fatalf("encode Code 128 %q: %v", payload, err)
	}
	return m
}

// addScanNoise imitates a rough scan: grain, dark speckles and a slight blur.
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

// textPage is an ordinary document page: a title and many lines of body text.
func textPage(t testing.TB) *image.Gray {
	img := newPage(pageW, pageH, 245)
	drawText(t, img, "授权委托书", "POWER OF ATTORNEY", 900, 400, 66, 20)
	for i := range 14 {
		drawText(t, img, "委托人：杨佳 身份证号码：220103198909195957 现委托受托人代为办理", "Principal: Yang Jia ID 220103198909195957", 270, 600+i*90, 39, 30)
	}
	return img
}

// rotate90 turns img a quarter turn clockwise, as a page fed sideways would be scanned.
func rotate90(img *image.Gray) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Pix[x*out.Stride+(b.Dy()-1-y)] = img.Pix[y*img.Stride+x]
		}
	}
	return out
}
