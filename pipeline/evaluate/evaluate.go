// Package evaluate scores the pipeline on a ground-truth corpus (batch-NNNN.pdf|tiff with
// batch-NNNN.truth.json, as the shared corpus generator writes them) without any services:
// the same page analysis, OCR and planning the workers run, compared with the truth.
package evaluate

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"onewindow/internal/fields"
	"onewindow/pipeline"
	"onewindow/pipeline/assemble"
	"onewindow/pipeline/blank"
	"onewindow/pipeline/internal/corpus"
	"onewindow/pipeline/internal/edit"
	"onewindow/pipeline/pages"
	"onewindow/pipeline/separator"
)

// Recognizer is the OCR step.
type Recognizer interface {
	Recognize(ctx context.Context, img pipeline.PageImage) (pipeline.OCRPage, pipeline.PageImage, error)
}

// Report is what Run measured.
type Report struct {
	Batches                int      `json:"batches"`
	Pages                  int      `json:"pages"`
	Seconds                float64  `json:"seconds"`
	PagesPerMinute         float64  `json:"pages_per_min"`
	SplitExact             *float64 `json:"split_exact"`
	SplitExactSeparators   *float64 `json:"split_exact_with_separators"`
	SplitExactNoSeparators *float64 `json:"split_exact_without_separators"`
	TypeAccuracy           *float64 `json:"type_accuracy"`
	DropPrecision          *float64 `json:"drop_precision"`
	DropRecall             *float64 `json:"drop_recall"`
	FieldPrecision         *float64 `json:"field_precision"`
	FieldRecall            *float64 `json:"field_recall"`
	CER                    *float64 `json:"cer"`
	Mistakes               []string `json:"mistakes,omitempty"`
}

type counts struct {
	docs, exact, docsSep, exactSep, typeRight       int
	dropTruth, dropPred, dropHit                    int
	fieldTruth, fieldPred, fieldHit, cerErr, cerLen int
	mistakes                                        []string
}

// Run evaluates every batch in dir with workers goroutines (0: one per CPU).
func Run(ctx context.Context, dir string, ocr Recognizer, planner *assemble.Planner, workers int) (Report, error) {
	batches, err := corpus.ReadDir(dir)
	if err != nil {
		return Report{}, err
	}
	if len(batches) == 0 {
		return Report{}, fmt.Errorf("no *.truth.json in %s", dir)
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	var c counts
	start := time.Now()
	totalPages := 0
	for _, tr := range batches {
		in, err := analyse(ctx, filepath.Join(dir, tr.File), ocr, workers)
		if err != nil {
			return Report{}, fmt.Errorf("%s: %w", tr.File, err)
		}
		if os.Getenv("ONEWINDOW_EVAL_DUMP_OCR") != "" {
			if err := dumpOCR(tr, in); err != nil {
				return Report{}, err
			}
		}
		totalPages += len(in)
		c.score(tr, in, planner.Plan(in))
	}
	secs := time.Since(start).Seconds()
	// A share of nothing (no drops in the truth, say) is null, as the acceptance scorer has it.
	div := func(a, b int) *float64 {
		if b == 0 {
			return nil
		}
		v := float64(a) / float64(b)
		return &v
	}
	return Report{Batches: len(batches), Pages: totalPages, Seconds: secs, PagesPerMinute: float64(totalPages) / secs * 60,
		SplitExact: div(c.exact, c.docs), SplitExactSeparators: div(c.exactSep, c.docsSep),
		SplitExactNoSeparators: div(c.exact-c.exactSep, c.docs-c.docsSep), TypeAccuracy: div(c.typeRight, c.exact),
		DropPrecision: div(c.dropHit, c.dropPred), DropRecall: div(c.dropHit, c.dropTruth),
		FieldPrecision: div(c.fieldHit, c.fieldPred), FieldRecall: div(c.fieldHit, c.fieldTruth),
		CER: div(c.cerErr, c.cerLen), Mistakes: c.mistakes}, nil
}

// dumpOCR writes each recognised page beside the truth file as Base-<index>.json, the OCR
// cache the build-tagged evaluation tests of the pipeline packages read: one OCR run, then
// extraction and splitting can be measured again in seconds.
func dumpOCR(tr corpus.Batch, in []assemble.Page) error {
	for _, p := range in {
		if p.OCR == nil {
			continue
		}
		data, err := json.Marshal(p.OCR)
		if err != nil {
			return err
		}
		if err := os.WriteFile(fmt.Sprintf("%s-%d.json", tr.Base, p.Index), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// analyse runs the page step of the workers on every page of one upload.
func analyse(ctx context.Context, path string, ocr Recognizer, workers int) ([]assemble.Page, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	src, err := pages.Open(ctx, data, pages.Limits{})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	out := make([]assemble.Page, src.Len())
	errs := make([]error, src.Len())
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = analysePage(ctx, src, i, ocr)
			}
		}()
	}
	for i := range out {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func analysePage(ctx context.Context, src pages.Source, i int, ocr Recognizer) (assemble.Page, error) {
	img, err := src.Page(ctx, i)
	if err != nil {
		return assemble.Page{}, err
	}
	px, err := pages.Decode(img)
	if err != nil {
		return assemble.Page{}, err
	}
	if _, ok := separator.Detect(px); ok {
		return assemble.Page{Index: i, Dropped: assemble.DropSeparator}, nil
	}
	if blank.IsBlank(px) {
		return assemble.Page{Index: i, Dropped: assemble.DropBlank}, nil
	}
	words, _, err := ocr.Recognize(ctx, img)
	if err != nil {
		return assemble.Page{}, err
	}
	if blank.BlankAfterOCR(px, words.Text) {
		return assemble.Page{Index: i, Dropped: assemble.DropBlank}, nil
	}
	return assemble.Page{Index: i, OCR: &words}, nil
}

func (c *counts) score(tr corpus.Batch, in []assemble.Page, docs []assemble.Document) {
	pred := map[string]assemble.Document{}
	for _, d := range docs {
		pred[fmt.Sprint(d.Pages)] = d
	}
	for _, p := range tr.Pages {
		dropped := p.Index < len(in) && in[p.Index].Dropped != ""
		if p.Role != "document" {
			c.dropTruth++
			if dropped {
				c.dropHit++
			}
		} else {
			got := ""
			if p.Index < len(in) && in[p.Index].OCR != nil {
				got = in[p.Index].OCR.Text
			}
			e, n := CER(p.Text, got)
			c.cerErr += e
			c.cerLen += n
		}
		if dropped {
			c.dropPred++
		}
	}
	for _, d := range tr.Documents {
		c.docs++
		if tr.SeparatorSheets {
			c.docsSep++
		}
		want := map[string]bool{}
		for k, v := range d.Fields {
			if k == "id_number" || k == "id_number2" || k == "uscc" {
				want[v] = true
			}
		}
		c.fieldTruth += len(want)
		got, ok := pred[fmt.Sprint(d.Pages)]
		if !ok {
			c.mistakes = append(c.mistakes, fmt.Sprintf("%s: document %v (%s) not split out exactly", tr.File, d.Pages, d.Type))
			continue
		}
		c.exact++
		if tr.SeparatorSheets {
			c.exactSep++
		}
		if got.Type == d.Type {
			c.typeRight++
		} else {
			c.mistakes = append(c.mistakes, fmt.Sprintf("%s: document %v typed %s, truth %s", tr.File, d.Pages, got.Type, d.Type))
		}
		found := map[string]bool{}
		for _, v := range append(append([]string{}, got.Fields[fields.IDNumbers]...), got.Fields[fields.USCC]...) {
			c.fieldPred++
			found[v] = true
			if want[v] {
				c.fieldHit++
			} else {
				c.mistakes = append(c.mistakes, fmt.Sprintf("%s: document %v: wrong field %s", tr.File, d.Pages, v))
			}
		}
		for v := range want {
			if !found[v] {
				c.mistakes = append(c.mistakes, fmt.Sprintf("%s: document %v: field %s not found", tr.File, d.Pages, v))
			}
		}
	}
}

var punctWidth = strings.NewReplacer("，", ",", "：", ":", "；", ";", "（", "(", "）", ")", "。", ".", "、", ",")

func normalise(s string) []rune {
	s = punctWidth.Replace(norm.NFKC.String(s))
	var out []rune
	for _, r := range s {
		if !unicode.IsSpace(r) && r != '_' {
			out = append(out, r)
		}
	}
	return out
}

// CER is the character edit distance between truth and got after NFKC, punctuation-width and
// whitespace normalisation, with the truth's length (at least 1).
func CER(truth, got string) (errors, length int) {
	a := normalise(truth)
	return edit.Distance(a, normalise(got)), max(1, len(a))
}
