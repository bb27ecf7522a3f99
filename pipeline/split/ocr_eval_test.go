//go:build corpuseval

package split

// Share of documents split exactly right on real OCR output of generated corpora: each
// directory holds gen.py truth files (batch-NNNN.truth.json) and, for every document page,
// the OCR engine's pipeline.OCRPage as batch-NNNN-<page>.json. Run with
//   ONEWINDOW_OCR_CACHE=dir1:dir2 go test -tags corpuseval -run TestOCRCorpus -v ./pipeline/split/
// SHOWFAIL=1 prints every wrongly split batch with each page's evidence.

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"onewindow/pipeline/classify"
	"onewindow/pipeline/internal/corpus"
)

type ocrBatch struct {
	name       string
	separators bool
	pages      []Page // kept pages in scan order
	docs       [][]int
	types      []string
}

func loadOCRBatches(t *testing.T) map[string][]ocrBatch {
	out := map[string][]ocrBatch{}
	for _, dir := range corpus.Dirs("ONEWINDOW_OCR_CACHE") {
	batches:
		for _, tf := range corpus.Read(t, []string{dir}) {
			b := ocrBatch{name: filepath.Base(dir) + "/" + filepath.Base(tf.Base), separators: tf.SeparatorSheets}
			kept := map[int]int{}
			after := false
			for _, p := range tf.Pages {
				switch p.Role {
				case "separator":
					after = true
					continue
				case "document":
				default:
					continue
				}
				o, err := tf.OCR(p.Index)
				if err != nil {
					t.Logf("skipping %s: %v", b.name, err)
					continue batches
				}
				kept[p.Index] = len(b.pages)
				b.pages = append(b.pages, Page{Text: o.Text, Words: o.Words, Width: o.Width, Height: o.Height, AfterSeparator: after})
				after = false
			}
			for _, d := range tf.Documents {
				var idx []int
				for _, p := range d.Pages {
					idx = append(idx, kept[p])
				}
				b.docs = append(b.docs, idx)
				b.types = append(b.types, d.Type)
			}
			out[filepath.Base(dir)] = append(out[filepath.Base(dir)], b)
		}
	}
	return out
}

func groupKey(g []int) string { return fmt.Sprint(g) }

// scoreSplit counts truth documents that come out as exactly one group.
func scoreSplit(b ocrBatch, got [][]int) (ok int) {
	gotSet := map[string]bool{}
	for _, g := range got {
		gotSet[groupKey(g)] = true
	}
	for _, d := range b.docs {
		if gotSet[groupKey(d)] {
			ok++
		}
	}
	return ok
}

func TestOCRCorpus(t *testing.T) {
	corpora := loadOCRBatches(t)
	if len(corpora) == 0 {
		t.Skip("ONEWINDOW_OCR_CACHE not set")
	}
	tax := classify.Default()
	cls := classify.New(tax, nil)
	var pool []ocrBatch // single documents, for random stacks
	for name, batches := range corpora {
		var ok, total, sepOK, sepTotal int
		for _, b := range batches {
			for i, d := range b.docs {
				var pages []Page
				for _, k := range d {
					p := b.pages[k]
					p.AfterSeparator = false
					pages = append(pages, p)
				}
				pool = append(pool, ocrBatch{name: fmt.Sprintf("%s#%d", b.name, i), pages: pages, types: b.types[i : i+1]})
			}
			if b.separators {
				got := Pages(b.pages, tax, Options{})
				sepOK += scoreSplit(b, got)
				sepTotal += len(b.docs)
				continue
			}
			got := Pages(b.pages, tax, Options{})
			n := scoreSplit(b, got)
			ok += n
			total += len(b.docs)
			if n != len(b.docs) && os.Getenv("SHOWFAIL") != "" {
				showFailure(t, b, got, tax, cls)
			}
		}
		t.Logf("%-12s without separators: %d/%d = %.1f%%   with separators: %d/%d", name, ok, total,
			100*float64(ok)/float64(max(1, total)), sepOK, sepTotal)
		// Measured on real OCR of the default corpus: 16/16 without separators, 27/27 with.
		if total > 0 {
			corpus.Floor(t, name+" split right without separators", float64(ok)/float64(total), 0.90)
		}
		if sepTotal > 0 {
			corpus.Floor(t, name+" split right with separators", float64(sepOK)/float64(sepTotal), 0.97)
		}
	}
	// Random stacks of the same documents: more same-type neighbours than the batches have.
	rng := rand.New(rand.NewSource(7))
	ok, total := 0, 0
	shown := 0
	for i := 0; i < 300; i++ {
		var b ocrBatch
		for k := 0; k < 2+rng.Intn(6); k++ {
			d := pool[rng.Intn(len(pool))]
			var idx []int
			for _, p := range d.pages {
				idx = append(idx, len(b.pages))
				b.pages = append(b.pages, p)
			}
			b.docs = append(b.docs, idx)
			b.types = append(b.types, d.types[0])
			b.name += d.name + " "
		}
		got := Pages(b.pages, tax, Options{})
		n := scoreSplit(b, got)
		ok += n
		total += len(b.docs)
		if n != len(b.docs) && os.Getenv("SHOWFAIL") != "" && shown < 10 {
			shown++
			showFailure(t, b, got, tax, cls)
		}
	}
	t.Logf("random stacks without separators: %d/%d = %.1f%%", ok, total, 100*float64(ok)/float64(total))
	corpus.Floor(t, "random stacks split right", float64(ok)/float64(total), 0.96) // measured: 100 %
}

func showFailure(t *testing.T, b ocrBatch, got [][]int, tax *classify.Taxonomy, cls *classify.Classifier) {
	t.Logf("FAIL %s want %v types %v got %v", b.name, b.docs, b.types, got)
	var docType string
	var docConf float64
	for i, p := range b.pages {
		typ, conf := cls.Classify(p.Text)
		ev := 0.0
		if i > 0 {
			ev = Evidence(p, typ, conf, docType, docConf, tax)
		}
		var heads []string
		for _, l := range topLines(p, 3) {
			heads = append(heads, fmt.Sprintf("%q(size %d)", l.text, l.large))
		}
		n, tot, pn := PageNumber(p.Text)
		t.Logf("  page %d type %s %.2f evidence %.1f pageno %v %d/%d top %s", i, typ, conf, ev, pn, n, tot, strings.Join(heads, " | "))
		docType, docConf = typ, conf
	}
}

// TestOCRGaps prints, for continuation pages and first pages without a title line, how far
// their text starts below the stack's usual top, in body glyph heights.
func TestOCRGaps(t *testing.T) {
	if os.Getenv("SHOWGAPS") == "" {
		t.Skip("SHOWGAPS not set")
	}
	tax := classify.Default()
	for _, batches := range loadOCRBatches(t) {
		for _, b := range batches {
			starts := map[int]bool{}
			for _, d := range b.docs {
				starts[d[0]] = true
			}
			var tops []int
			lays := make([]layout, len(b.pages))
			for i, p := range b.pages {
				lays[i] = layoutOf(p, 3)
				if len(lays[i].lines) > 0 && lays[i].body > 0 {
					tops = append(tops, lays[i].lines[0].top)
				}
			}
			sort.Ints(tops)
			ref := tops[(len(tops)-1)/2]
			for i, l := range lays {
				if len(l.lines) == 0 {
					t.Logf("%s page %d start=%v: no lines", b.name, i, starts[i])
					continue
				}
				_, named := tax.TitleMatch(l.lines[0].text)
				t.Logf("GAP start=%v gap=%.1f body=%d top=%d ref=%d named=%v large=%d centred=%v %q", starts[i],
					float64(l.lines[0].top-ref)/float64(l.body), l.body, l.lines[0].top, ref, named, l.lines[0].large, l.lines[0].centred, l.lines[0].text)
			}
		}
	}
}
