//go:build corpuseval

package classify

// Type accuracy on real OCR output of generated corpora: each directory holds gen.py truth
// files (batch-NNNN.truth.json) and, for every document page, the OCR engine's
// pipeline.OCRPage as batch-NNNN-<page>.json. Each truth document is classified on the
// joined OCR text of its pages, as the planner does. Run with
//   ONEWINDOW_OCR_CACHE=dir1:dir2 go test -tags corpuseval -run TestOCRCorpus -v ./pipeline/classify/

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
	cls := New(nil, nil)
	for _, dir := range strings.Split(dirs, ":") {
		files, _ := filepath.Glob(filepath.Join(dir, "*.truth.json"))
		ok, total := 0, 0
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
				typ, conf := cls.Classify(text)
				total++
				if typ == doc.Type {
					ok++
				} else {
					head := text
					if r := []rune(head); len(r) > 120 {
						head = string(r[:120])
					}
					t.Logf("WRONG %s %v want %s got %s %.2f: %q", filepath.Base(base), doc.Pages, doc.Type, typ, conf, head)
				}
			}
		}
		t.Logf("%-40s type accuracy %d/%d = %.1f%%", dir, ok, total, 100*float64(ok)/float64(max(1, total)))
	}
}
