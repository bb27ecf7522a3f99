package ocr

import (
	"fmt"
	"image"
	"math"

	"github.com/otiai10/gosseract/v2"
)

// Limits on what Tesseract is given. Tesseract refuses an image with a side over 32767
// pixels, and gosseract then reads a result that does not exist and crashes the process (a
// 33000x60 strip did); long before that, a page past 300 dpi costs time and memory without
// reading better. Bigger pages are shrunk for recognition, and the words' boxes scaled back.
const (
	ocrMaxSide   = 16000
	ocrMaxPixels = 20_000_000 // an A3 page at 375 dpi; Tesseract holds about 20 bytes a pixel
	ocrMaxDPI    = 450
	ocrDPI       = 300 // what a page over ocrMaxDPI is shrunk to
)

// ocrScale is the factor (at most 1) an image of w x h pixels scanned at dpi is shrunk by
// before recognition.
func ocrScale(w, h, dpi int) float64 {
	s := 1.0
	if dpi > ocrMaxDPI {
		s = float64(ocrDPI) / float64(dpi)
	}
	if side := float64(max(w, h)) * s; side > ocrMaxSide {
		s = ocrMaxSide / float64(max(w, h))
	}
	if px := float64(w) * float64(h) * s * s; px > ocrMaxPixels {
		s *= math.Sqrt(ocrMaxPixels / px)
	}
	return s
}

// readScaled recognises an encoded image of w x h pixels with read, shrinking it first when
// it is bigger than OCR needs; the boxes come back in the image's own pixels.
func readScaled(data []byte, w, h, dpi int, read func(data []byte, dpi int) ([]gosseract.BoundingBox, error)) ([]gosseract.BoundingBox, error) {
	s := ocrScale(w, h, dpi)
	if s >= 1 {
		return read(data, dpi)
	}
	small, ok := shrinkPNG(data, s)
	if !ok {
		return nil, fmt.Errorf("%w: cannot shrink a %dx%d page for OCR", ErrBadImage, w, h)
	}
	boxes, err := read(small, max(int(float64(dpi)*s+0.5), 1))
	if err != nil {
		return nil, err
	}
	for i := range boxes {
		boxes[i].Box = scaleRect(boxes[i].Box, 1/s)
	}
	return boxes, nil
}

func scaleRect(r image.Rectangle, k float64) image.Rectangle {
	f := func(v int) int { return int(math.Round(float64(v) * k)) }
	return image.Rect(f(r.Min.X), f(r.Min.Y), f(r.Max.X), f(r.Max.Y))
}
