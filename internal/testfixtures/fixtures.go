// Package testfixtures renders scan-like pages for tests: printed Chinese and English text,
// blank backs, separator sheets, assembled into the PDFs, TIFFs and images a scan station
// sends. Tests make their inputs with it instead of reading a corpus from outside the repo.
package testfixtures

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"onewindow/internal/testfixtures/encode"
	"onewindow/internal/testfixtures/textface"
	"onewindow/pipeline"
	"onewindow/pipeline/pdfout"
)

// DPI of every rendered page; pages are A4 at a reduced resolution to keep tests quick.
const DPI = 200

func face(t testing.TB, size float64) font.Face {
	t.Helper()
	return textface.Face(t, size, DPI)
}

func a4() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 210*DPI*10/254, 297*DPI*10/254))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	return img
}

// TextPage renders lines of text, the first as a larger title, like a printed form.
func TextPage(t testing.TB, lines ...string) *image.Gray {
	img := a4()
	y := DPI * 12 / 10
	for i, line := range lines {
		size := 12.0
		if i == 0 {
			size = 20
		}
		f := face(t, size)
		d := &font.Drawer{Dst: img, Src: image.Black, Face: f}
		x := fixed.I(DPI)
		if i == 0 {
			x = (fixed.I(img.Bounds().Dx()) - d.MeasureString(line)) / 2
		}
		y += int(size * DPI / 72 * 1.8)
		d.Dot = fixed.Point26_6{X: x, Y: fixed.I(y)}
		d.DrawString(line)
	}
	return img
}

// BlankPage is the back of a duplex scan: paper-white with a little speckle.
func BlankPage(seed int64) *image.Gray {
	img := a4()
	r := rand.New(rand.NewSource(seed))
	for range 300 {
		img.SetGray(r.Intn(img.Bounds().Dx()), r.Intn(img.Bounds().Dy()), color.Gray{Y: uint8(r.Intn(120))})
	}
	return img
}

// SeparatorPage carries a QR code with payload (e.g. "PATCH T") and a printed caption.
func SeparatorPage(t testing.TB, payload string) *image.Gray {
	img := TextPage(t, "分隔页 SEPARATOR")
	m, err := qrcode.NewQRCodeWriter().Encode(payload, gozxing.BarcodeFormat_QR_CODE, 400, 400, nil)
	if err != nil {
		t.Fatal(err)
	}
	ox, oy := img.Bounds().Dx()/2-200, img.Bounds().Dy()/2-200
	for y := range m.GetHeight() {
		for x := range m.GetWidth() {
			if m.Get(x, y) {
				img.SetGray(ox+x, oy+y, color.Gray{})
			}
		}
	}
	return img
}

// Rotate180 turns a page upside down, as a sheet fed the wrong way round.
func Rotate180(src *image.Gray) *image.Gray {
	b := src.Bounds()
	dst := image.NewGray(b)
	for y := range b.Dy() {
		for x := range b.Dx() {
			dst.Pix[(b.Dy()-1-y)*dst.Stride+(b.Dx()-1-x)] = src.Pix[y*src.Stride+x]
		}
	}
	return dst
}

// Rotate90 turns a page a quarter turn clockwise, as a sheet laid sideways on the scanner.
func Rotate90(src *image.Gray) *image.Gray {
	b := src.Bounds()
	dst := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			dst.Pix[x*dst.Stride+(b.Dy()-1-y)] = src.Pix[y*src.Stride+x]
		}
	}
	return dst
}

// JPEG encodes a page as a scanner would.
func JPEG(t testing.TB, img image.Image) []byte { t.Helper(); return encode.JPEG(t, img) }

// PNG encodes a page losslessly.
func PNG(t testing.TB, img image.Image) []byte { t.Helper(); return encode.PNG(t, img) }

// ScanPDF is a scanner's PDF: one JPEG image a page, no text.
func ScanPDF(t testing.TB, pages ...*image.Gray) []byte {
	var buf bytes.Buffer
	w := pdfout.NewWriter(&buf, pdfout.Meta{Producer: "test scanner"})
	for _, p := range pages {
		b := p.Bounds()
		img := pipeline.PageImage{Data: JPEG(t, p), Format: pipeline.FormatJPEG, Width: b.Dx(), Height: b.Dy(), DPI: DPI}
		if err := w.AddPage(pdfout.Page{Image: img}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
