//go:build corpuseval

package extract

// Precision and recall of ID numbers and credit codes on real OCR output of generated
// corpora: each directory holds gen.py truth files (batch-NNNN.truth.json) and, for every
// document page, the OCR engine's pipeline.OCRPage as batch-NNNN-<page>.json. Run with
//   ONEWINDOW_OCR_CACHE=dir1:dir2 go test -tags corpuseval -run TestOCRCorpus -v ./pipeline/extract/
// SHOWMISS=1 prints every miss and false positive with the OCR lines around it.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOCRCorpus(t *testing.T) {
	dirs := os.Getenv("ONEWINDOW_OCR_CACHE")
	if dirs == "" {
		t.Skip("ONEWINDOW_OCR_CACHE not set")
	}
	var allTP, allFP, allFN int
	for _, dir := range strings.Split(dirs, ":") {
		files, _ := filepath.Glob(filepath.Join(dir, "*.truth.json"))
		var tp, fp, fn int
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var tf truthFile
			if err := json.Unmarshal(data, &tf); err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSuffix(f, ".truth.json")
			for _, doc := range tf.Documents {
				var texts []string
				for _, p := range doc.Pages {
					var o struct{ Text string }
					data, err := os.ReadFile(fmt.Sprintf("%s-%d.json", base, p))
					if err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(data, &o); err != nil {
						t.Fatal(err)
					}
					texts = append(texts, o.Text)
				}
				text := strings.Join(texts, "\n")
				got := Fields(text)
				want := map[string]bool{}
				for _, k := range []string{"id_number", "id_number2", "uscc"} {
					if doc.Fields[k] != "" {
						want[doc.Fields[k]] = true
					}
				}
				seen := map[string]bool{}
				for _, x := range append(append([]string{}, got.IDNumbers...), got.USCC...) {
					seen[x] = true
					if want[x] {
						tp++
					} else {
						fp++
						t.Logf("FALSE POSITIVE %s in %s %v", x, filepath.Base(base), doc.Pages)
					}
				}
				for w := range want {
					if !seen[w] {
						fn++
						if os.Getenv("SHOWMISS") != "" {
							t.Logf("MISS %s in %s %v: %s", w, filepath.Base(base), doc.Pages, linesNear(text, w))
						}
					}
				}
			}
		}
		allTP, allFP, allFN = allTP+tp, allFP+fp, allFN+fn
		t.Logf("%-40s fields=%d tp=%d fp=%d fn=%d precision=%.4f recall=%.4f", dir, tp+fn, tp, fp, fn,
			float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(max(1, tp+fn)))
	}
	t.Logf("%-40s fields=%d tp=%d fp=%d fn=%d precision=%.4f recall=%.4f", "all", allTP+allFN, allTP, allFP, allFN,
		float64(allTP)/float64(max(1, allTP+allFP)), float64(allTP)/float64(max(1, allTP+allFN)))
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
