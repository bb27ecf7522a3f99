package pdfout

import (
	"bytes"
	"context"
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"onewindow/internal/testfixtures/encode"
	"onewindow/internal/testfixtures/pdfa"
	"onewindow/pipeline"
)

// A page turned by a reviewer carries /Rotate, which pdfcpu reads back, and the file is
// still PDF/A-2b; an unturned page has no /Rotate.
func TestPageRotate(t *testing.T) {
	img, ocr := testPage(310, 438)
	data := encode.PNG(t, img)
	var buf bytes.Buffer
	w := NewWriter(&buf, Meta{Title: "rotated", Language: "zh-CN"})
	for _, deg := range []int{0, 90, 180, 270} {
		if err := w.AddPage(Page{Image: pipeline.PageImage{Data: data, Format: pipeline.FormatPNG, DPI: 75}, OCR: ocr, Rotate: deg}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pdfa.Require(t, buf.Bytes())
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := pdfcpu.ReadWithContext(context.Background(), bytes.NewReader(buf.Bytes()), conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 90, 180, 270} {
		d, _, inh, err := ctx.PageDict(i+1, false)
		if err != nil {
			t.Fatal(err)
		}
		if inh.Rotate != want {
			t.Errorf("page %d: /Rotate %d, want %d", i+1, inh.Rotate, want)
		}
		if _, has := d.Find("Rotate"); has != (want != 0) {
			t.Errorf("page %d: /Rotate present %v", i+1, has)
		}
	}
}

func TestPageRotateInvalid(t *testing.T) {
	img, _ := testPage(100, 100)
	w := NewWriter(&bytes.Buffer{}, Meta{})
	err := w.AddPage(Page{Image: pipeline.PageImage{Data: encode.PNG(t, img), Format: pipeline.FormatPNG}, Rotate: 45})
	if !errors.Is(err, ErrRotation) {
		t.Fatalf("AddPage with Rotate 45: %v, want ErrRotation", err)
	}
}

// A page scanned sideways or upside down keeps its scan and shows upright by /Rotate; read
// again the way it shows, its text layer is drawn through the same turn: pdftotext reads the
// lines in order, each word where the page shows it, and the file is still PDF/A-2b.
func TestTextLayerShown(t *testing.T) {
	const dpi = 150
	upright, ocr := testPage(1240, 1754)
	for _, rotate := range []int{90, 180, 270} {
		scan := turnGray(upright, 360-rotate) // what /Rotate rotate shows upright
		var buf bytes.Buffer
		w := NewWriter(&buf, Meta{Title: "shown", Language: "zh-CN"})
		img := pipeline.PageImage{Data: encode.PNG(t, scan), Format: pipeline.FormatPNG, DPI: dpi}
		if err := w.AddPage(Page{Image: img, OCR: ocr, Rotate: rotate, OCRShown: true}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		pdfa.Require(t, buf.Bytes())
		path := filepath.Join(t.TempDir(), "shown.pdf")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		got := nonEmptyLines(encode.Run(t, "pdftotext", "-layout", path, "-"))
		if len(got) != len(testLines) {
			t.Fatalf("rotate %d: pdftotext lines %q, want %q", rotate, got, testLines)
		}
		for i, want := range testLines {
			if squash(got[i]) != squash(want) {
				t.Errorf("rotate %d: line %d = %q, want %q", rotate, i, got[i], want)
			}
		}
		// A word's box, as poppler places it on the page as shown, is the OCR's box.
		code := ocr.Words[slices.IndexFunc(ocr.Words, func(w pipeline.Word) bool { return w.Text == "quick" })]
		want := [4]float64{float64(code.Box.Min.X), float64(code.Box.Min.Y), float64(code.Box.Max.X), float64(code.Box.Max.Y)}
		for i := range want {
			want[i] *= 72.0 / dpi
		}
		bbox := encode.Run(t, "pdftotext", "-bbox", path, "-")
		m := regexp.MustCompile(`xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">` + code.Text + `<`).FindStringSubmatch(bbox)
		if m == nil {
			t.Fatalf("rotate %d: no word %s in\n%s", rotate, code.Text, bbox)
		}
		for i := range want {
			if v, _ := strconv.ParseFloat(m[i+1], 64); math.Abs(v-want[i]) > 3 {
				t.Errorf("rotate %d: %s shows at %v, want near %v", rotate, code.Text, m[1:], want)
				break
			}
		}
	}
}

// turnGray turns img clockwise by deg (90, 180 or 270).
func turnGray(img *image.Gray, deg int) *image.Gray {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	if deg%180 != 0 {
		out = image.NewGray(image.Rect(0, 0, h, w))
	}
	for y := range h {
		for x := range w {
			v := img.GrayAt(x, y)
			switch deg {
			case 90:
				out.SetGray(h-1-y, x, v)
			case 180:
				out.SetGray(w-1-x, h-1-y, v)
			case 270:
				out.SetGray(y, w-1-x, v)
			}
		}
	}
	return out
}
