//go:build corpuseval

package extract

// Measures precision and recall on generated corpora (gen.py truth files). Run with
//   ONEWINDOW_CORPUS_DIRS=dir1:dir2 go test -tags corpuseval -run TestCorpus -v ./pipeline/extract/

import (
	"math/rand"
	"os"
	"strings"
	"testing"

	"onewindow/pipeline/internal/corpus"
)

var lookalikeOf = map[rune][]rune{
	'0': {'O', 'D', 'Q', 'o'}, '1': {'I', 'l', '|'}, '2': {'Z'}, '5': {'S'}, '6': {'G', 'b'},
	'7': {'T'}, '8': {'B'}, '9': {'g'}, 'X': {'x', '×'},
}

// noisy imitates OCR: look-alike letters, spaces inside numbers, full-width digits, and
// (digitRate) plain digit-for-digit misreads that no repair can detect.
func noisy(rng *rand.Rand, s string, lookRate, spaceRate, digitRate float64) string {
	var b strings.Builder
	fullWidth := rng.Float64() < 0.1
	for _, r := range s {
		if alts, ok := lookalikeOf[r]; ok && rng.Float64() < lookRate {
			r = alts[rng.Intn(len(alts))]
		} else if r >= '0' && r <= '9' && rng.Float64() < digitRate {
			r = rune('0' + rng.Intn(10))
		} else if fullWidth && r >= '0' && r <= '9' {
			r += 0xFEE0
		}
		b.WriteRune(r)
		if r != '\n' && rng.Float64() < spaceRate {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func TestCorpus(t *testing.T) {
	truths := corpus.Load(t, "ONEWINDOW_CORPUS_DIRS")
	variants := []struct {
		name               string
		look, space, digit float64
		copies             int
		// Floors of precision and recall (measured: 1/1, 1/.999, 1/.980, .996/.719).
		minPrec, minRec float64
	}{
		{"clean", 0, 0, 0, 1, 0.99, 0.99},
		{"lookalikes 5% + spaces 5%", 0.05, 0.05, 0, 20, 0.99, 0.98},
		{"lookalikes 10% + spaces 10%", 0.10, 0.10, 0, 20, 0.99, 0.95},
		// A misread digit breaks the check character: recall falls, precision must not.
		{"lookalikes 5% + spaces 5% + digit misreads 2%", 0.05, 0.05, 0.02, 20, 0.98, 0.65},
	}
	for _, v := range variants {
		rng := rand.New(rand.NewSource(1))
		var tp, fp, fn int
		var fps []string
		for c := 0; c < v.copies; c++ {
			for _, tf := range truths {
				for _, doc := range tf.Documents {
					var texts []string
					for _, p := range doc.Pages {
						texts = append(texts, noisy(rng, tf.Pages[p].Text, v.look, v.space, v.digit))
					}
					s := score(Fields(strings.Join(texts, "\n")), doc)
					tp, fp, fn = tp+s.tp, fp+len(s.wrong), fn+len(s.missed)
					fps = append(fps, s.wrong...)
					if os.Getenv("SHOWMISS") != "" && v.digit == 0 {
						for _, w := range s.missed {
							t.Logf("miss %s in %q", w, strings.Join(texts, "\n"))
						}
					}
				}
			}
		}
		prec := float64(tp) / float64(max(1, tp+fp))
		rec := float64(tp) / float64(max(1, tp+fn))
		t.Logf("%-48s fields=%d tp=%d fp=%d fn=%d precision=%.4f recall=%.4f", v.name, tp+fn, tp, fp, fn, prec, rec)
		if len(fps) > 0 {
			t.Logf("  false positives e.g. %v", fps[:min(5, len(fps))])
		}
		corpus.Floor(t, v.name+" precision", prec, v.minPrec)
		corpus.Floor(t, v.name+" recall", rec, v.minRec)
	}
}

// fieldScore compares what Fields found in a document with its truth.
type fieldScore struct {
	tp            int
	wrong, missed []string
}

func score(got Result, doc corpus.Document) fieldScore {
	want := map[string]bool{}
	for _, k := range []string{"id_number", "id_number2", "uscc"} {
		if doc.Fields[k] != "" {
			want[doc.Fields[k]] = true
		}
	}
	var s fieldScore
	seen := map[string]bool{}
	for _, x := range append(append([]string{}, got.IDNumbers...), got.USCC...) {
		seen[x] = true
		if want[x] {
			s.tp++
		} else {
			s.wrong = append(s.wrong, x)
		}
	}
	for w := range want {
		if !seen[w] {
			s.missed = append(s.missed, w)
		}
	}
	return s
}
