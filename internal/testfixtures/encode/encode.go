// Package encode writes test images and PDFs as a scanner or the pipeline would, for tests
// of every layer. It imports no package of this module, so that the packages it serves,
// pdfout among them, can use it in their own tests.
package encode

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// JPEGQuality is a scanner's usual setting.
const JPEGQuality = 80

// JPEG encodes a page as a scanner would.
func JPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	return JPEGAt(t, img, JPEGQuality)
}

// JPEGAt encodes a page at quality (1-100): lower is a cheaper scanner's blockier output.
func JPEGAt(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// PNG encodes a page losslessly.
func PNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// PageWriter is a PDF writer of pages of type P (pdfout.Writer with pdfout.Page), named here
// without importing pdfout, which tests itself with PDF.
type PageWriter[P any] interface {
	AddPage(P) error
	Close() error
}

// PDF writes pages through the writer newWriter makes into a file in t's temporary folder
// and returns its path, for tools (pdftotext, pdftoppm, qpdf) that read files.
func PDF[P any](t testing.TB, newWriter func(io.Writer) PageWriter[P], pages ...P) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pdf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := newWriter(f)
	for _, p := range pages {
		if err := w.AddPage(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// Run runs a tool the set-up installs and returns its output, failing t if it fails.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// PNGWithComment adds a tEXt chunk holding note after a PNG's header, as many PNG writers
// add one; the pixels stay as they are.
func PNGWithComment(t testing.TB, data []byte, note string) []byte {
	t.Helper()
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	if len(data) < ihdrEnd || !bytes.HasPrefix(data[12:], []byte("IHDR")) {
		t.Fatal("not a PNG")
	}
	typed := append([]byte("tEXtComment\x00"), note...)
	var chunk bytes.Buffer
	binary.Write(&chunk, binary.BigEndian, uint32(len(typed)-4))
	chunk.Write(typed)
	binary.Write(&chunk, binary.BigEndian, crc32.ChecksumIEEE(typed))
	return append(append(append([]byte{}, data[:ihdrEnd]...), chunk.Bytes()...), data[ihdrEnd:]...)
}
