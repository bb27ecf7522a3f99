//go:build corpuseval

package classify

// Accuracy on generated corpora (gen.py truth files) with OCR-like noise. Run with
//   ONEWINDOW_CORPUS_DIRS=dir1:dir2 go test -tags corpuseval -run TestCorpus -v ./pipeline/classify/
// ONEWINDOW_TRAIN_DIRS (optional) trains the model on other corpora first.

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"onewindow/pipeline/internal/corpus"
)

func TestCorpus(t *testing.T) {
	truths := corpus.Load(t, "ONEWINDOW_CORPUS_DIRS")
	var model *Model
	if train := corpus.Read(t, corpus.Dirs("ONEWINDOW_TRAIN_DIRS")); len(train) > 0 {
		model = NewModel()
		rng := rand.New(rand.NewSource(7))
		for _, tf := range train {
			for _, d := range tf.Documents {
				var texts []string
				for _, p := range d.Pages {
					texts = append(texts, corpus.OCRNoise(rng, tf.Pages[p].Text, 0.05))
				}
				model.Train(strings.Join(texts, "\n"), d.Type)
			}
		}
	}
	c := New(Default(), model)
	// Floors of document and first-page accuracy by noise rate (measured: 100 % at every rate).
	floors := map[float64][2]float64{0: {0.97, 0.95}, 0.05: {0.95, 0.92}, 0.10: {0.92, 0.88}}
	for _, rate := range []float64{0, 0.05, 0.10} {
		rng := rand.New(rand.NewSource(1))
		ok, total, pageOK, pageTotal, review := 0, 0, 0, 0, 0
		confusion := map[string]int{}
		for copy := 0; copy < 5; copy++ {
			for _, tf := range truths {
				for _, d := range tf.Documents {
					var texts []string
					for _, p := range d.Pages {
						texts = append(texts, corpus.OCRNoise(rng, tf.Pages[p].Text, rate))
					}
					got, conf := c.Classify(strings.Join(texts, "\n"))
					total++
					if got == d.Type {
						ok++
					} else {
						confusion[d.Type+"->"+got]++
					}
					if NeedsReview(conf, DefaultReviewThreshold) {
						review++
					}
					// First pages alone, as split sees them.
					got, _ = c.Classify(texts[0])
					pageTotal++
					if got == d.Type {
						pageOK++
					}
				}
			}
		}
		t.Logf("noise %.2f: documents %d/%d = %.2f%%, first pages alone %.2f%%, needs review %d; errors %v",
			rate, ok, total, 100*float64(ok)/float64(total), 100*float64(pageOK)/float64(pageTotal), review, confusion)
		corpus.Floor(t, fmt.Sprintf("noise %.2f document accuracy", rate), float64(ok)/float64(total), floors[rate][0])
		corpus.Floor(t, fmt.Sprintf("noise %.2f first-page accuracy", rate), float64(pageOK)/float64(pageTotal), floors[rate][1])
	}
}
