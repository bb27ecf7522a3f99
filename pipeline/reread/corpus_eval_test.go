//go:build corpuseval

package reread_test

// Re-reads, with the real OCR engine, the pages of generated corpora whose cached OCR has a
// labelled code that does not validate, and reports what re-reading found against the truth
// and what it cost. Run with
//   ONEWINDOW_OCR_CACHE=dir1:dir2 go test -tags corpuseval -run TestRereadCorpus -v ./pipeline/reread/
// (the cache is what `ONEWINDOW_EVAL_DUMP_OCR=1 onewindow eval DIR` writes beside the truth).

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"
	"time"

	"onewindow/pipeline/internal/corpus"
	"onewindow/pipeline/ocr"
	"onewindow/pipeline/pages"
	"onewindow/pipeline/reread"
)

func TestRereadCorpus(t *testing.T) {
	batches := corpus.Load(t, "ONEWINDOW_OCR_CACHE")
	ctx := context.Background()
	plain, err := ocr.NewEngine(ocr.Options{SkipReread: true})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	warmed := false
	var right, wrong, candidates, pagesRead int
	var plainTime, rereadTime time.Duration
	for _, b := range batches {
		truth := map[string]bool{}
		for _, d := range b.Documents {
			for _, v := range d.Fields {
				truth[v] = true
			}
		}
		var src pages.Source
		for i, p := range b.Pages {
			if p.Role != "document" {
				continue
			}
			cached, err := b.OCR(i)
			if err != nil || len(reread.Regions(cached)) == 0 {
				continue
			}
			if src == nil {
				data, err := os.ReadFile(filepath.Join(b.Dir, b.File))
				if err != nil {
					t.Fatal(err)
				}
				if src, err = pages.Open(ctx, data, pages.Limits{}); err != nil {
					t.Fatal(err)
				}
				defer src.Close()
			}
			img, err := src.Page(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			if !warmed { // load the line reader's model first: a worker pays that once, not per page
				plain.ReadRegion(img, image.Rect(0, 0, 100, 30), reread.Scan{Height: 40}, "0123456789")
				warmed = true
			}
			start := time.Now()
			page, upright, err := plain.Recognize(ctx, img)
			if err != nil {
				t.Fatal(err)
			}
			plainTime += time.Since(start)
			start = time.Now()
			if err := reread.Page(ctx, &page, upright, plain); err != nil {
				t.Fatal(err)
			}
			rereadTime += time.Since(start)
			pagesRead++
			for _, reg := range reread.Regions(cached) {
				text, _ := plain.ReadRegion(img, reg.Box, reread.Scan{Height: 40}, "")
				t.Logf("%s page %d: region %s %q at %v read unlimited %q", b.File, i, reg.Kind, reg.Raw, reg.Box, text)
			}
			for _, r := range page.Reread {
				switch {
				case truth[r.Value]:
					right++
				case r.Agreed:
					wrong++
					t.Errorf("%s page %d: re-read %s %s, agreed, is not in the truth", b.File, i, r.Kind, r.Value)
				default: // a candidate for review, never filed as read
					candidates++
				}
				t.Logf("%s page %d: re-read %s %s (agreed %v)", b.File, i, r.Kind, r.Value, r.Agreed)
			}
		}
	}
	if pagesRead == 0 {
		t.Skip("no page needs re-reading")
	}
	t.Logf("pages re-read %d: right %d, wrong and agreed %d, wrong candidates %d; OCR %.2fs/page, re-reading %.3fs/page (+%.1f%%)",
		pagesRead, right, wrong, candidates, plainTime.Seconds()/float64(pagesRead), rereadTime.Seconds()/float64(pagesRead),
		100*rereadTime.Seconds()/plainTime.Seconds())
}

// TestRegionsCost measures what pages that need no re-reading pay: the scan for labelled codes.
func TestRegionsCost(t *testing.T) {
	batches := corpus.Load(t, "ONEWINDOW_OCR_CACHE")
	var took time.Duration
	n := 0
	for _, b := range batches {
		for i, p := range b.Pages {
			if p.Role != "document" {
				continue
			}
			page, err := b.OCR(i)
			if err != nil {
				continue
			}
			start := time.Now()
			reread.Regions(page)
			took += time.Since(start)
			n++
		}
	}
	t.Logf("%d pages: %.3f ms a page to look for labelled codes", n, took.Seconds()*1000/float64(max(n, 1)))
}
