package pdfout

import (
	"bytes"
	"context"
	"errors"
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
