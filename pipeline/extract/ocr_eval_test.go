//go:build corpuseval

package extract

// Precision and recall of ID numbers and credit codes on real OCR output of generated
// corpora: each directory holds gen.py truth files (batch-NNNN.truth.json) and, for every
// document page, the OCR engine's pipeline.OCRPage as batch-NNNN-<page>.json. Run with
//   ONEWINDOW_OCR_CACHE=dir1:dir2 go test -tags corpuseval -run TestOCRCorpus -v ./pipeline/extract/
// SHOWMISS=1 prints every miss and false positive with the OCR lines around it.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onewindow/pipeline/internal/corpus"
)

func TestOCRCorpus(t *testing.T) {
	dirs := corpus.OCRCacheDirs(t)
	var allTP, allFP, allFN int
	for _, dir := range dirs {
		var tp, fp, fn int
		for _, b := range corpus.Read(t, []string{dir}) {
			for _, doc := range b.Documents {
				text, err := b.DocumentOCRText(doc)
				if err != nil {
					t.Fatal(err)
				}
				s := score(Fields(text), doc)
				tp, fp, fn = tp+s.tp, fp+len(s.wrong), fn+len(s.missed)
				for _, x := range s.wrong {
					t.Logf("FALSE POSITIVE %s in %s %v", x, filepath.Base(b.Base), doc.Pages)
				}
				if os.Getenv("SHOWMISS") != "" {
					for _, w := range s.missed {
						t.Logf("MISS %s in %s %v: %s", w, filepath.Base(b.Base), doc.Pages, linesNear(text, w))
					}
				}
			}
		}
		allTP, allFP, allFN = allTP+tp, allFP+fp, allFN+fn
		t.Logf("%-40s fields=%d tp=%d fp=%d fn=%d precision=%.4f recall=%.4f", dir, tp+fn, tp, fp, fn,
			float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(max(1, tp+fn)))
	}
	prec, rec := float64(allTP)/float64(max(1, allTP+allFP)), float64(allTP)/float64(max(1, allTP+allFN))
	t.Logf("%-40s fields=%d tp=%d fp=%d fn=%d precision=%.4f recall=%.4f", "all", allTP+allFN, allTP, allFP, allFN, prec, rec)
	// Measured on real OCR of the default corpus: precision 1, recall .979 (47 of 48).
	corpus.Floor(t, "precision on OCR text", prec, 0.98)
	corpus.Floor(t, "recall on OCR text", rec, 0.93)
}

// linesNear returns the OCR lines that share the most digits with want, to show what OCR made
// of it.
func linesNear(text, want string) string {
	best, bestN := "", 0
	for _, l := range strings.Split(text, "\n") {
		n := 0
		for i := 0; i+4 <= len(want); i += 4 {
			if strings.Contains(strings.ReplaceAll(l, " ", ""), want[i:i+4]) {
				n++
			}
		}
		if n > bestN {
			best, bestN = l, n
		}
	}
	return fmt.Sprintf("%q", best)
}
