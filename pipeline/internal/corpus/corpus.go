// Package corpus reads ground-truth corpora made by the shared gen.py (and OCR caches laid
// beside their truth files), for `onewindow eval` and the build-tagged evaluation tests of
// the pipeline packages. The project's ordinary tests never use it.
package corpus

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"onewindow/pipeline"
)

// Page is one page's truth.
type Page struct {
	Role    string `json:"role"` // document, separator, blank
	Text    string `json:"text"`
	Index   int    `json:"index"`
	Rotated int    `json:"rotated"`
}

// Document is one document's truth.
type Document struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Pages  []int             `json:"pages"`
	Fields map[string]string `json:"fields"`
}

// Batch is one batch-NNNN.truth.json.
type Batch struct {
	File            string     `json:"file"`
	SeparatorSheets bool       `json:"separator_sheets"`
	Pages           []Page     `json:"pages"`
	Documents       []Document `json:"documents"`
	// Dir and Base locate the truth file: Base is its path without ".truth.json".
	Dir, Base string `json:"-"`
}

// ReadDir reads every *.truth.json in dir, in name order.
func ReadDir(dir string) ([]Batch, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.truth.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Batch
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var b Batch
		if err := json.Unmarshal(data, &b); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		b.Dir, b.Base = dir, strings.TrimSuffix(f, ".truth.json")
		out = append(out, b)
	}
	return out, nil
}

// Dirs splits the colon-separated folder list in the environment variable env.
func Dirs(env string) []string {
	var out []string
	for _, d := range strings.Split(os.Getenv(env), ":") {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// TB is the part of testing.TB the loaders use.
type TB interface {
	Helper()
	Skip(args ...any)
	Fatal(args ...any)
}

// Load reads every batch of every folder named in env; the test is skipped when env is unset.
func Load(t TB, env string) []Batch {
	t.Helper()
	dirs := Dirs(env)
	if len(dirs) == 0 {
		t.Skip(env + " not set")
	}
	return Read(t, dirs)
}

// OCRCacheDirs are the folders named in ONEWINDOW_OCR_CACHE: corpora beside which
// `ONEWINDOW_EVAL_DUMP_OCR=1 onewindow eval DIR` wrote each page's OCR as Base-<index>.json.
// The test is skipped when it is unset.
func OCRCacheDirs(t TB) []string {
	t.Helper()
	dirs := Dirs("ONEWINDOW_OCR_CACHE")
	if len(dirs) == 0 {
		t.Skip("ONEWINDOW_OCR_CACHE not set")
	}
	return dirs
}

// Read reads every batch of dirs, failing the test on an unreadable one.
func Read(t TB, dirs []string) []Batch {
	t.Helper()
	var out []Batch
	for _, d := range dirs {
		bs, err := ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, bs...)
	}
	return out
}

// OCR reads the cached recognition of page index, stored as Base-<index>.json.
func (b Batch) OCR(index int) (pipeline.OCRPage, error) {
	var o pipeline.OCRPage
	data, err := os.ReadFile(fmt.Sprintf("%s-%d.json", b.Base, index))
	if err != nil {
		return o, err
	}
	return o, json.Unmarshal(data, &o)
}

// DocumentOCRText joins the cached recognition of a document's pages.
func (b Batch) DocumentOCRText(d Document) (string, error) {
	texts := make([]string, 0, len(d.Pages))
	for _, p := range d.Pages {
		o, err := b.OCR(p)
		if err != nil {
			return "", err
		}
		texts = append(texts, o.Text)
	}
	return strings.Join(texts, "\n"), nil
}

var confusable = []rune("人入八大太天夫王玉主土士工干千于子了孑口日曰目白自田由甲申电己已巳未末本木术")

// OCRNoise imitates Tesseract on Chinese scans: character substitutions and drops at rate,
// and spaces between characters.
func OCRNoise(rng *rand.Rand, s string, rate float64) string {
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

// Floorer is the part of testing.TB that Floor uses.
type Floorer interface {
	Helper()
	Errorf(format string, args ...any)
}

// Floor fails t when a measured share falls below its floor, so an evaluation that only
// measured can catch a regression. Floors are set a margin below what gen.py's default corpus
// (--batches 10 --seed 1) measured when they were written; a harder corpus may need -run to
// pick the tests whose floors it is meant for.
func Floor(t Floorer, what string, got, floor float64) {
	t.Helper()
	if got < floor {
		t.Errorf("%s: %.4f, below the floor of %.4f", what, got, floor)
	}
}
