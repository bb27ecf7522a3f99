package pdfout

import (
	"bytes"
	"image"
	"io"
	"testing"

	"onewindow/internal/testfixtures/encode"
	"onewindow/pipeline"
)

// Page images come from uploads, so their headers are outside input.
func FuzzPrepareImage(f *testing.F) {
	var buf bytes.Buffer
	f.Add(encode.JPEG(f, image.NewGray(image.Rect(0, 0, 8, 8))), true)
	f.Add(encode.PNG(f, image.NewGray(image.Rect(0, 0, 8, 8))), false)
	f.Add(buf.Bytes(), true)
	f.Fuzz(func(t *testing.T, data []byte, isJPEG bool) {
		format := pipeline.FormatPNG
		if isJPEG {
			format = pipeline.FormatJPEG
		}
		w := NewWriter(io.Discard, Meta{})
		if err := w.AddPage(Page{Image: pipeline.PageImage{Data: data, Format: format}}); err == nil {
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
