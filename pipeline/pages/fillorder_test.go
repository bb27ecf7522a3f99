package pages

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A fax-coded page stored in the reverse bit order (FillOrder 2) must decode to the same
// pixels as the same page in the usual order. Solid bars and white corners look alike either
// way, so only a pixel-for-pixel comparison catches bits left reversed (a page came out as
// noise that OCR read as gibberish).
func TestFillOrderPagesMatch(t *testing.T) {
	decode := func(name string) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata", "formats", name))
		if err != nil {
			t.Fatal(err)
		}
		src, err := Open(context.Background(), data, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := src.Page(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		img, err := Decode(p)
		if err != nil {
			t.Fatal(err)
		}
		return GrayDownscaled(img, 0).Pix
	}
	if !bytes.Equal(decode("tiff-g3.tif"), decode("tiff-g3-2d-lsb.tif")) {
		t.Error("the FillOrder 2 page's pixels differ from the same page in the usual bit order")
	}
}
