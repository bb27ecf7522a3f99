package workers

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/tasks"
	"onewindow/pipeline"
	"onewindow/pipeline/assemble"
	"onewindow/pipeline/blank"
	"onewindow/pipeline/pages"
	"onewindow/pipeline/separator"
	"onewindow/storage"
)

// processPage looks at one page: a separator sheet or blank page is recognised from the
// pixels and skips OCR; any other page is turned upright and recognised. The result is
// stored before the page counts as done, so a redelivered task finds it and does no OCR.
func (p *Processor) processPage(ctx context.Context, t *asynq.Task) error {
	var pl tasks.PagePayload
	if err := tasks.Decode(t, &pl); err != nil {
		return err
	}
	resultKey := storage.PageResultKey(pl.BatchID, pl.Index)
	done, err := p.Blobs.Exists(ctx, storage.Work, resultKey)
	if err != nil {
		return err
	}
	if !done {
		res, err := p.analysePage(ctx, pl)
		if err != nil {
			return err
		}
		data, _ := json.Marshal(res)
		stored := p.stage(pipeline.StageStore)
		if _, err := p.Blobs.PutBytes(ctx, storage.Work, resultKey, data, storage.PutOptions{ContentType: "application/json"}); err != nil {
			return err
		}
		stored()
		result := res.Dropped
		if result == "" {
			result = "ocr"
		}
		p.Metrics.PagesProcessed.WithLabelValues(result).Inc()
	}
	n, err := p.State.MarkPageDone(ctx, pl.BatchID, pl.Index)
	if err != nil {
		return err
	}
	b, err := p.loadBatch(ctx, pl.BatchID)
	if err != nil {
		return err
	}
	if b.PagesTotal > 0 && n >= b.PagesTotal {
		return p.Queue.EnqueueOnce(ctx, tasks.NewAssembleTask(pl.BatchID))
	}
	return nil
}

func (p *Processor) analysePage(ctx context.Context, pl tasks.PagePayload) (*storage.PageResult, error) {
	var refs []pageRef
	fetched := p.stage(pipeline.StageFetch)
	listing, err := p.Blobs.Get(ctx, storage.Work, storage.PageListKey(pl.BatchID))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(listing, &refs); err != nil || pl.Index >= len(refs) {
		return nil, errBadPageList(pl, err)
	}
	ref := refs[pl.Index]
	data, err := p.Blobs.Get(ctx, storage.Work, ref.Key)
	if err != nil {
		return nil, err
	}
	fetched()
	img := pipeline.PageImage{Data: data, Format: ref.Format, Width: ref.Width, Height: ref.Height, DPI: ref.DPI}
	res := &storage.PageResult{Index: pl.Index, ImageKey: ref.Key, Format: ref.Format, Width: ref.Width,
		Height: ref.Height, DPI: ref.DPI}
	if ref.TextKey == "" && int64(img.Width)*int64(img.Height) > WorkingPixels {
		if img, err = p.shrinkPage(ctx, pl, img, res); err != nil {
			return nil, err
		}
	}

	decoded := p.stage(pipeline.StageDecode)
	pixels, err := pages.Decode(img)
	if err != nil {
		return nil, tasks.InputError("workers.analysePage", err)
	}
	decoded()
	detected := p.stage(pipeline.StageDetect)
	if payload, ok := separator.Detect(pixels); ok {
		detected()
		res.Dropped, res.Payload = assemble.DropSeparator, payload
		return res, nil
	}
	if blank.IsBlank(pixels) && ref.TextKey == "" { // a page with its own text is not blank
		detected()
		res.Dropped = assemble.DropBlank
		return res, nil
	}
	res.Dark = blank.Dark(pixels)
	detected()
	pixels = nil // Tesseract decodes its own copy; let this one go before OCR.

	start := time.Now()
	words, upright, err := p.recognize(ctx, img, ref) // born-digital text, or OCR
	if err != nil {
		return nil, ocrError(pl, err)
	}
	res.OCRSecs = time.Since(start).Seconds()
	p.Metrics.OCRSeconds.Observe(res.OCRSecs)
	if strings.TrimSpace(words.Text) == "" {
		// Rare, and only then decoded again: a page kept for a few faint marks on which OCR
		// reads nothing is an empty back after all.
		if px, err := pages.Decode(img); err == nil && blank.BlankAfterOCR(px, words.Text) {
			res.Dropped = assemble.DropBlank
			return res, nil
		}
	}
	res.Rotation, res.Text = words.Rotation, words.Text
	defer p.stage(pipeline.StageStore)()
	if words.Rotation != 0 {
		res.ImageKey = storage.PageImageKey(pl.BatchID, pl.Index, "upright."+upright.Format)
		res.Format, res.Width, res.Height = upright.Format, upright.Width, upright.Height
		if _, err := p.Blobs.PutBytes(ctx, storage.Work, res.ImageKey, upright.Data, storage.PutOptions{ContentType: "image/" + upright.Format}); err != nil {
			return nil, err
		}
	}
	boxes, _ := json.Marshal(words)
	res.OCRKey = storage.OCRKey(pl.BatchID, pl.Index)
	if _, err := p.Blobs.PutBytes(ctx, storage.Work, res.OCRKey, boxes, storage.PutOptions{ContentType: "application/json"}); err != nil {
		return nil, err
	}
	return res, nil
}
