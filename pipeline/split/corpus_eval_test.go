//go:build corpuseval

package split

// Share of documents split exactly right on generated corpora (gen.py truth files), pages
// taken without separators, truth text with OCR-like noise. Run with
//   ONEWINDOW_CORPUS_DIRS=dir1:dir2 go test -tags corpuseval -run TestCorpus -v ./pipeline/split/

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"onewindow/pipeline/classify"
	"onewindow/pipeline/internal/corpus"
)

type doc struct {
	typ   string
	texts []string
}

func TestCorpus(t *testing.T) {
	var batches [][]doc
	for _, tf := range corpus.Load(t, "ONEWINDOW_CORPUS_DIRS") {
		var b []doc
		for _, d := range tf.Documents {
			var texts []string
			for _, p := range d.Pages {
				texts = append(texts, tf.Pages[p].Text)
			}
			b = append(b, doc{d.Type, texts})
		}
		batches = append(batches, b)
	}
	// Also random stacks of documents from all batches: more same-type neighbours.
	rng := rand.New(rand.NewSource(3))
	var pool []doc
	for _, b := range batches {
		pool = append(pool, b...)
	}
	var mixed [][]doc
	for i := 0; i < 300; i++ {
		var b []doc
		for k := 0; k < 2+rng.Intn(6); k++ {
			b = append(b, pool[rng.Intn(len(pool))])
		}
		mixed = append(mixed, b)
	}
	tax := classify.Default()
	cls := classify.New(tax, nil)
	for _, set := range []struct {
		name    string
		batches [][]doc
		// Floors of documents split right at noise 0, 0.05, 0.10 (measured: batches
		// 100/95.3/95.3 %, random stacks 100/98.5/97.0 %).
		floors [3]float64
	}{{"corpus batches", batches, [3]float64{0.97, 0.90, 0.88}}, {"random stacks", mixed, [3]float64{0.98, 0.96, 0.94}}} {
		for r, rate := range []float64{0, 0.05, 0.10} {
			rng := rand.New(rand.NewSource(1))
			ok, total, batchOK := 0, 0, 0
			var fails []string
			for _, b := range set.batches {
				var pages []Page
				want := map[string]bool{}
				for _, d := range b {
					var idx []string
					for _, text := range d.texts {
						txt := corpus.OCRNoise(rng, text, rate)
						typ, conf := cls.Classify(txt)
						idx = append(idx, fmt.Sprint(len(pages)))
						pages = append(pages, Page{Text: txt, Type: typ, Confidence: conf})
					}
					want[strings.Join(idx, ",")] = true
				}
				got := Pages(pages, tax, Options{})
				gotSet := map[string]bool{}
				for _, g := range got {
					var idx []string
					for _, i := range g {
						idx = append(idx, fmt.Sprint(i))
					}
					gotSet[strings.Join(idx, ",")] = true
				}
				allOK := true
				for w := range want {
					total++
					if gotSet[w] {
						ok++
					} else {
						allOK = false
					}
				}
				if allOK && len(got) == len(want) {
					batchOK++
				} else if len(fails) < 3 {
					var types []string
					for _, d := range b {
						types = append(types, fmt.Sprintf("%s/%d", d.typ, len(d.texts)))
					}
					fails = append(fails, fmt.Sprintf("%v got %v", types, got))
				}
			}
			t.Logf("%s noise %.2f: documents split right %d/%d = %.2f%%, stacks fully right %d/%d",
				set.name, rate, ok, total, 100*float64(ok)/float64(total), batchOK, len(set.batches))
			for _, f := range fails {
				t.Logf("  e.g. %s", f)
			}
			corpus.Floor(t, fmt.Sprintf("%s noise %.2f documents split right", set.name, rate), float64(ok)/float64(total), set.floors[r])
		}
	}
}
