//go:build corpuseval

package classify

// Accuracy on generated corpora (gen.py truth files) with OCR-like noise. Run with
//   ONEWINDOW_CORPUS_DIRS=dir1:dir2 go test -tags corpuseval -run TestCorpus -v ./pipeline/classify/
// ONEWINDOW_TRAIN_DIRS (optional) trains the model on other corpora first.

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type truthFile struct {
	Pages []struct {
		Role string `json:"role"`
		Text string `json:"text"`
	} `json:"pages"`
	Documents []struct {
		Type  string `json:"type"`
		Pages []int  `json:"pages"`
	} `json:"documents"`
}

func loadTruths(t *testing.T, env string) []truthFile {
	var out []truthFile
	for _, dir := range strings.Split(os.Getenv(env), ":") {
		if dir == "" {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.truth.json"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var tf truthFile
			if err := json.Unmarshal(data, &tf); err != nil {
				t.Fatal(err)
			}
			out = append(out, tf)
		}
	}
	return out
}

var confusable = []rune("人入八大太天夫王玉主土士工干千于子了孑口日曰目白自田由甲申电己已巳未末本木术")

// ocrNoise imitates Tesseract on Chinese scans: character substitutions and drops at rate,
// and spaces between characters.
func ocrNoise(rng *rand.Rand, s string, rate float64) string {
	var b strings.Builder
	for _, r := range s {
		x := rng.Float64()
		switch {
		case r == '\n':
		case x < rate*0.6:
			r = confusable[rng.Intn(len(confusable))]
		case x < rate*0.8:
			continue
		}
		b.WriteRune(r)
		if r > 127 && rng.Float64() < 0.15 { // Tesseract spaces out Chinese, not English words
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func TestCorpus(t *testing.T) {
	truths := loadTruths(t, "ONEWINDOW_CORPUS_DIRS")
	if len(truths) == 0 {
		t.Skip("ONEWINDOW_CORPUS_DIRS not set")
	}
	var model *Model
	if train := loadTruths(t, "ONEWINDOW_TRAIN_DIRS"); len(train) > 0 {
		model = NewModel()
		rng := rand.New(rand.NewSource(7))
		for _, tf := range train {
			for _, d := range tf.Documents {
				var texts []string
				for _, p := range d.Pages {
					texts = append(texts, ocrNoise(rng, tf.Pages[p].Text, 0.05))
				}
				model.Train(strings.Join(texts, "\n"), d.Type)
			}
		}
	}
	c := New(Default(), model)
	for _, rate := range []float64{0, 0.05, 0.10} {
		rng := rand.New(rand.NewSource(1))
		ok, total, pageOK, pageTotal, review := 0, 0, 0, 0, 0
		confusion := map[string]int{}
		for copy := 0; copy < 5; copy++ {
			for _, tf := range truths {
				for _, d := range tf.Documents {
					var texts []string
					for _, p := range d.Pages {
						texts = append(texts, ocrNoise(rng, tf.Pages[p].Text, rate))
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
	}
}
