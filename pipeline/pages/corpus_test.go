package pages

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/pipeline"
)

// TestCorpus checks a corpus made by the project's generator (batch-NNNN.{pdf,tiff} with
// batch-NNNN.truth.json): page counts, and for PDFs that every scanned page comes out as the
// very JPEG bytes pdfimages extracts. Set ONEWINDOW_TEST_CORPUS to the corpus directory.
func TestCorpus(t *testing.T) {
	dir := os.Getenv("ONEWINDOW_TEST_CORPUS")
	if dir == "" {
		t.Skip("ONEWINDOW_TEST_CORPUS not set")
	}
	truths, _ := filepath.Glob(filepath.Join(dir, "*.truth.json"))
	if len(truths) == 0 {
		t.Fatalf("no *.truth.json in %s", dir)
	}
	for _, tp := range truths {
		var truth struct {
			File  string            `json:"file"`
			Pages []json.RawMessage `json:"pages"`
		}
		b, err := os.ReadFile(tp)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &truth); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, truth.File)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		start := time.Now()
		src, err := Open(ctx, data, Limits{})
		if err != nil {
			t.Errorf("%s: Open: %v", truth.File, err)
			continue
		}
		opened := time.Since(start)
		if src.Len() != len(truth.Pages) {
			t.Errorf("%s: %d pages, truth has %d", truth.File, src.Len(), len(truth.Pages))
		}
		var pages []pipeline.PageImage
		var outBytes int
		for i := range src.Len() {
			p, err := src.Page(ctx, i)
			if err != nil {
				t.Errorf("%s: page %d: %v", truth.File, i, err)
				continue
			}
			outBytes += len(p.Data)
			pages = append(pages, p)
		}
		total := time.Since(start)
		src.Close()
		formats := map[string]int{}
		for _, p := range pages {
			formats[p.Format]++
		}
		t.Logf("%s: %d bytes, %d pages %v, open %v, open+all pages %v (%v/page), output %d bytes, page0 %dx%d %.0f dpi",
			truth.File, len(data), len(pages), formats, opened.Round(time.Microsecond), total.Round(time.Microsecond),
			(total / time.Duration(max(1, len(pages)))).Round(time.Microsecond), outBytes, pages[0].Width, pages[0].Height, pages[0].DPI)
		if strings.HasSuffix(truth.File, ".pdf") {
			comparePDFImages(t, path, pages)
		}
	}
}

func comparePDFImages(t *testing.T, path string, pages []pipeline.PageImage) {
	if _, err := exec.LookPath("pdfimages"); err != nil {
		t.Log("pdfimages not installed; skipping byte comparison")
		return
	}
	out := t.TempDir()
	if b, err := exec.Command("pdfimages", "-j", path, filepath.Join(out, "img")).CombinedOutput(); err != nil {
		t.Fatalf("pdfimages: %v: %s", err, b)
	}
	for i, p := range pages {
		want, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("img-%03d.jpg", i)))
		if err != nil {
			t.Errorf("%s page %d: %v", path, i, err)
			continue
		}
		if p.Format != pipeline.FormatJPEG || !bytes.Equal(p.Data, want) {
			t.Errorf("%s page %d: not the original JPEG (format %s, %d bytes, want %d)", path, i, p.Format, len(p.Data), len(want))
		}
	}
}

// BenchmarkCorpusPage decodes the first page of the first PDF in ONEWINDOW_TEST_CORPUS, a
// 300-dpi A4 gray JPEG as scanners make them.
func BenchmarkCorpusPage(b *testing.B) {
	dir := os.Getenv("ONEWINDOW_TEST_CORPUS")
	if dir == "" {
		b.Skip("ONEWINDOW_TEST_CORPUS not set")
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(pdfs) == 0 {
		b.Skip("no PDF in corpus")
	}
	data, err := os.ReadFile(pdfs[0])
	if err != nil {
		b.Fatal(err)
	}
	src, err := Open(context.Background(), data, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := src.Page(context.Background(), 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := Decode(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeGrayDownscaled1000", func(b *testing.B) {
		for b.Loop() {
			if _, err := DecodeGrayDownscaled(p, 1000); err != nil {
				b.Fatal(err)
			}
		}
	})
}
