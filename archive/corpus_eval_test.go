//go:build corpuseval

package archive

// Measures how often a full-text query of 6-10 characters, cut from a document's printed text
// (the corpus truth), finds that document within its case when the index holds what OCR read.
// Each folder holds gen.py truth files and the OCR cache `ONEWINDOW_EVAL_DUMP_OCR=1 onewindow
// eval DIR` writes (batch-NNNN-<page>.json). Run with
//   ONEWINDOW_OCR_CACHE=dir1:dir2 go test -tags corpuseval -run TestQueryHitRate -v ./archive/

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"onewindow/internal/fields"
	"onewindow/pipeline"
	"onewindow/pipeline/extract"
)

type truthBatch struct {
	Pages []struct {
		Role string `json:"role"`
		Text string `json:"text"`
	} `json:"pages"`
	Documents []struct {
		Pages  []int             `json:"pages"`
		Fields map[string]string `json:"fields"`
	} `json:"documents"`
}

// indexCorpus indexes each document of a cached corpus folder under what OCR read and hands
// the probe maker its ID, case, fields and printed (true) text.
func indexCorpus(t *testing.T, x *Index, dir string, each func(id, caseNo string, fields map[string]string, truth string)) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.truth.json"))
	for _, f := range files {
		var b truthBatch
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(f, ".truth.json")
		caseNo := filepath.Base(base)
		for n, d := range b.Documents {
			id := fmt.Sprintf("%s-%03d", caseNo, n+1)
			var ocr, truth []string
			var rereads []pipeline.FieldReading
			for _, p := range d.Pages {
				var page pipeline.OCRPage
				if data, err := os.ReadFile(fmt.Sprintf("%s-%d.json", base, p)); err == nil {
					_ = json.Unmarshal(data, &page)
				}
				ocr = append(ocr, page.Text)
				rereads = append(rereads, page.Reread...)
				truth = append(truth, b.Pages[p].Text)
			}
			// The codes the pipeline files, as assembly finds them: from the text, and
			// re-read where two readings agreed.
			found := extract.Fields(strings.Join(ocr, "\n"))
			for _, r := range rereads {
				found.AddReading(r.Kind, r.Raw, r.Value, r.Agreed)
			}
			rec := &Record{DocumentID: id, CaseNo: caseNo, Fields: map[string][]string{
				fields.IDNumbers: found.IDNumbers, fields.USCC: found.USCC}}
			if err := x.Add(rec, strings.Join(ocr, "\n")); err != nil {
				t.Fatal(err)
			}
			each(id, caseNo, d.Fields, strings.Join(truth, "\n"))
		}
	}
}

// spans cuts up to n runs of 6-10 Chinese characters from text's lines.
func spans(rng *rand.Rand, text string, n int) []string {
	var runs [][]rune
	for _, line := range strings.Split(text, "\n") {
		var cur []rune
		for _, r := range line + "\n" {
			if unicode.Is(unicode.Han, r) {
				cur = append(cur, r)
				continue
			}
			if len(cur) >= 6 {
				runs = append(runs, cur)
			}
			cur = nil
		}
	}
	var out []string
	for range n {
		if len(runs) == 0 {
			break
		}
		run := runs[rng.Intn(len(runs))]
		l := min(len(run), 6+rng.Intn(5))
		s := rng.Intn(len(run) - l + 1)
		out = append(out, string(run[s:s+l]))
	}
	return out
}

func TestQueryHitRate(t *testing.T) {
	var dirs []string
	for _, d := range strings.Split(os.Getenv("ONEWINDOW_OCR_CACHE"), ":") {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		t.Skip("ONEWINDOW_OCR_CACHE not set")
	}
	for _, dir := range dirs {
		x, err := OpenIndex(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		type probe struct{ doc, caseNo, q string }
		var probes []probe
		rng := rand.New(rand.NewSource(1))
		indexCorpus(t, x, dir, func(id, caseNo string, _ map[string]string, truth string) {
			for _, q := range spans(rng, truth, 4) {
				probes = append(probes, probe{id, caseNo, q})
			}
		})
		for _, mode := range []struct {
			name     string
			tolerant bool
		}{{"exact only", false}, {"tolerant", true}} {
			tolerant = mode.tolerant
			found, hardFound, hard := 0, 0, 0
			for _, p := range probes {
				res, err := x.Search(Query{Text: p.q, CaseNo: p.caseNo, PerPage: 100})
				if err != nil {
					t.Fatal(err)
				}
				hit := false
				for _, h := range res.Hits {
					hit = hit || h.DocumentID == p.doc
				}
				exact, _ := x.Search(Query{Text: `"` + p.q + `"`, CaseNo: p.caseNo, PerPage: 100})
				inOCR := false
				for _, h := range exact.Hits {
					inOCR = inOCR || h.DocumentID == p.doc
				}
				if hit {
					found++
				}
				if !inOCR {
					hard++
					if hit {
						hardFound++
					} else if os.Getenv("SHOWMISS") != "" && mode.tolerant {
						t.Logf("miss %q in %s", p.q, p.doc)
					}
				}
			}
			t.Logf("%s %-10s queries %d found %d (%.3f); OCR text differs from the query in %d, of which found %d",
				filepath.Base(dir), mode.name, len(probes), found, float64(found)/float64(len(probes)), hard, hardFound)
		}
		tolerant = true
		x.Close()
	}
}

// TestLookupsByKind measures look-ups as people type them, within the right case, by kind:
// Chinese phrases of 2-10 characters cut from the printed text, an ID number's or credit
// code's first 8 characters or 8 from its middle (no *), and a Latin word of 6 letters or more
// cut to its first 4-7. The index holds what OCR read and the codes the pipeline extracts from
// it (the text and agreed re-readings; no confirmation from the case: a lower bound).
func TestLookupsByKind(t *testing.T) {
	for _, dir := range strings.Split(os.Getenv("ONEWINDOW_OCR_CACHE"), ":") {
		if dir == "" {
			continue
		}
		x, err := OpenIndex(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		type probe struct{ kind, doc, caseNo, q string }
		var probes []probe
		rng := rand.New(rand.NewSource(2))
		latinWord := regexp.MustCompile(`\b[A-Za-z]{6,}\b`)
		indexCorpus(t, x, dir, func(id, caseNo string, fields map[string]string, text string) {
			for _, q := range spans(rng, text, 2) {
				l := 2 + rng.Intn(len([]rune(q))-1)
				probes = append(probes, probe{"chinese", id, caseNo, string([]rune(q)[:l])})
			}
			for _, k := range []string{"id_number", "id_number2", "uscc"} {
				if v := fields[k]; len(v) == 18 {
					probes = append(probes, probe{"code", id, caseNo, v[:8]}, probe{"code", id, caseNo, v[5:13]})
				}
			}
			for _, w := range latinWord.FindAllString(text, 3) {
				probes = append(probes, probe{"latin", id, caseNo, w[:4+rng.Intn(min(4, len(w)-4))]})
			}
		})
		found, total := map[string]int{}, map[string]int{}
		for _, p := range probes {
			res, err := x.Search(Query{Text: p.q, CaseNo: p.caseNo, PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			total[p.kind]++
			hit := false
			for _, h := range res.Hits {
				hit = hit || h.DocumentID == p.doc
			}
			if hit {
				found[p.kind]++
			} else if os.Getenv("SHOWMISS") != "" {
				t.Logf("miss %s %q in %s", p.kind, p.q, p.doc)
			}
		}
		for _, kind := range []string{"chinese", "code", "latin"} {
			t.Logf("%s %-8s %d of %d (%.3f)", filepath.Base(dir), kind, found[kind], total[kind], float64(found[kind])/float64(max(1, total[kind])))
		}
		x.Close()
	}
}
