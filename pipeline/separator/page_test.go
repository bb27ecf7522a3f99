package separator

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"onewindow/pipeline/internal/testpage"
)

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

// textPage is an ordinary document page: a title and many lines of body text.
func textPage(t testing.TB) *image.Gray {
	img := testpage.New(testpage.PageW, testpage.PageH, 245)
	testpage.DrawText(t, img, "授权委托书", 900, 400, 66, 20)
	for i := range 14 {
		testpage.DrawText(t, img, "委托人：杨佳 身份证号码：220103198909195957 现委托受托人代为办理", 270, 600+i*90, 39, 30)
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
