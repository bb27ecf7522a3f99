package ocr

import (
	"context"
	"image"
	"image/draw"
	"testing"

	"onewindow/pipeline"
)

func TestOCRScale(t *testing.T) {
	for _, tc := range []struct {
		w, h, dpi int
		want      float64
	}{
		{2480, 3508, 300, 1},             // A4 at 300 dpi: as it is
		{4960, 7016, 600, 0.5},           // A4 at 600 dpi: read at 300
		{33000, 60, 300, 16000 / 33000.}, // a strip past Tesseract's limit
		{9000, 9000, 300, 0.4969039950},  // 81 MP: down to 20 MP
	} {
		if got := ocrScale(tc.w, tc.h, tc.dpi); got < tc.want-1e-6 || got > tc.want+1e-6 {
			t.Errorf("ocrScale(%d, %d, %d) = %v, want %v", tc.w, tc.h, tc.dpi, got, tc.want)
		}
	}
}

// A page past Tesseract's size limit crashed the process inside gosseract; it is read
// shrunk, and a page scanned at 600 dpi reads the same as at 300 with boxes in its pixels.
func TestRecognizeOversizedPages(t *testing.T) {
	e := newTestEngine(t)
	strip := image.NewGray(image.Rect(0, 0, 33000, 60))
	draw.Draw(strip, strip.Bounds(), image.White, image.Point{}, draw.Src)
	if _, _, err := e.Recognize(context.Background(), encodePNG(t, strip)); err != nil {
		t.Errorf("33000 px strip: %v", err)
	}

	src, _ := testPage(t)
	b := src.Bounds()
	big := image.NewGray(image.Rect(0, 0, b.Dx()*2, b.Dy()*2))
	for y := range big.Rect.Dy() {
		for x := range big.Rect.Dx() {
			big.Pix[y*big.Stride+x] = src.(*image.Gray).GrayAt(x/2, y/2).Y
		}
	}
	img := encodePNG(t, big)
	img.DPI = 600
	page, _, err := e.Recognize(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, page.Text)
	checkWords(t, page)
	if page.Width != big.Rect.Dx() || page.Words[0].Box.Max.X < b.Dx()/2 {
		t.Errorf("boxes not in the 600 dpi image's pixels: page %dx%d, first word %v", page.Width, page.Height, page.Words[0].Box)
	}
}

// A page past the working size is shrunk in its own colours, in an engine process, and
// still reads as the same text.
func TestShrink(t *testing.T) {
	src, img := testPage(t)
	b := src.Bounds()
	p := NewIsolatedPool(Options{SkipOrientation: true}, 1, IsolationOptions{Command: testChild})
	defer p.Close()
	same, err := p.Shrink(context.Background(), img, int64(b.Dx()*b.Dy()))
	if err != nil || len(same.Data) != len(img.Data) {
		t.Fatalf("a page within the size came back changed: %v", err)
	}
	limit := int64(b.Dx() * b.Dy() * 6 / 10)
	small, err := p.Shrink(context.Background(), img, limit)
	if err != nil {
		t.Fatal(err)
	}
	if px := int64(small.Width * small.Height); px > limit || px < limit*9/10 {
		t.Errorf("shrunk to %dx%d = %d pixels, want just under %d", small.Width, small.Height, px, limit)
	}
	if small.Format != pipeline.FormatJPEG || small.DPI >= img.DPI {
		t.Errorf("shrunk page: format %s, dpi %v", small.Format, small.DPI)
	}
	page, _, err := p.Recognize(context.Background(), small)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, page.Text)
}
