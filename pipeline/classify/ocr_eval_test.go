//go:build corpuseval

package classify

// Type accuracy on real OCR output of generated corpora: each directory holds gen.py truth
// files (batch-NNNN.truth.json) and, for every document page, the OCR engine's
// pipeline.OCRPage as batch-NNNN-<page>.json. Each truth document is classified on the
// joined OCR text of its pages, as the planner does. Run with
//   ONEWINDOW_OCR_CACHE=dir1:dir2 go test -tags corpuseval -run TestOCRCorpus -v ./pipeline/classify/

import (
	"path/filepath"
	"testing"

	"onewindow/pipeline/internal/corpus"
)

func TestOCRCorpus(t *testing.T) {
	dirs := corpus.OCRCacheDirs(t)
	cls := New(nil, nil)
	for _, dir := range dirs {
		ok, total := 0, 0
		for _, b := range corpus.Read(t, []string{dir}) {
			for _, doc := range b.Documents {
				text, err := b.DocumentOCRText(doc)
				if err != nil {
					t.Fatal(err)
				}
				typ, conf := cls.Classify(text)
				total++
				if typ == doc.Type {
					ok++
				} else {
					head := text
					if r := []rune(head); len(r) > 120 {
						head = string(r[:120])
					}
					t.Logf("WRONG %s %v want %s got %s %.2f: %q", filepath.Base(b.Base), doc.Pages, doc.Type, typ, conf, head)
				}
			}
		}
		t.Logf("%-40s type accuracy %d/%d = %.1f%%", dir, ok, total, 100*float64(ok)/float64(max(1, total)))
		// Measured on real OCR of the default corpus: 43 of 43.
		corpus.Floor(t, dir+" type accuracy", float64(ok)/float64(max(1, total)), 0.95)
	}
}
