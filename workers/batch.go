package workers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/pipeline"
	"onewindow/pipeline/pages"
	"onewindow/storage"
)

// loadBatch reads a batch from Redis, or from its manifest when Redis lost it.
func (p *Processor) loadBatch(ctx context.Context, id string) (*storage.Batch, error) {
	return storage.LoadBatch(ctx, p.State, p.Blobs, id)
}

func (p *Processor) saveBatch(ctx context.Context, b *storage.Batch) error {
	return storage.SaveBatch(ctx, p.Blobs, p.State, b)
}

func (p *Processor) failBatch(ctx context.Context, id string, cause error) error {
	b, err := p.loadBatch(ctx, id)
	if err != nil {
		return err
	}
	if b.Status == storage.StatusDone || b.Status == storage.StatusFailed {
		return nil
	}
	b.Status = storage.StatusFailed
	b.Error = &storage.BatchError{Code: errs.CodeOf(cause), Message: errs.MessageOf(cause), Transient: errs.Retryable(cause)}
	p.Metrics.Batches.WithLabelValues(storage.StatusFailed).Inc()
	p.Log.Error("batch failed", "batch", id, "code", b.Error.Code, "transient", b.Error.Transient, "err", cause)
	err = p.saveBatch(ctx, b)
	if err != nil && errs.KindOf(err) == errs.Unavailable {
		// Storage is what failed the batch, so its manifest cannot be written either; the
		// Redis index at least tells readers (and the reconciler) why it stopped.
		if ierr := p.State.PutBatch(ctx, b); ierr == nil {
			return nil
		}
	}
	return err
}

// prepare extracts every page image of a batch into the work bucket and fans out one task
// a page. It is safe to run twice: keys are deterministic and task IDs refuse duplicates.
func (p *Processor) prepare(ctx context.Context, t *asynq.Task) error {
	const op = "workers.prepare"
	var pl tasks.BatchPayload
	if err := tasks.Decode(t, &pl); err != nil {
		return err
	}
	b, err := p.loadBatch(ctx, pl.BatchID)
	if err != nil {
		return err
	}
	if b.Status == storage.StatusDone || b.Status == storage.StatusFailed {
		return nil
	}
	lim := pages.Limits{MaxPages: p.Config.MaxPages, MaxPixels: p.Config.MaxPagePixels}
	index := 0
	var refs []pageRef
	for fi, f := range b.Files {
		fetched := p.stage(pipeline.StageFetch)
		data, err := p.Blobs.Get(ctx, storage.Inbox, storage.RawKey(f.SHA256))
		if err != nil {
			return err
		}
		fetched()
		rendered := p.stage(pipeline.StageRender)
		src, err := pages.Open(ctx, data, lim)
		if err != nil {
			return tasks.InputError(op, fmt.Errorf("file %d: %w", fi+1, err))
		}
		rendered()
		for i := 0; i < src.Len(); i++ {
			rendered := p.stage(pipeline.StageRender)
			img, err := src.Page(ctx, i)
			if err != nil {
				src.Close()
				return tasks.InputError(op, fmt.Errorf("file %d page %d: %w", fi+1, i+1, err))
			}
			rendered()
			key := storage.PageImageKey(b.ID, index, img.Format)
			meta := map[string]string{"width": fmt.Sprint(img.Width), "height": fmt.Sprint(img.Height), "dpi": fmt.Sprint(img.DPI)}
			stored := p.stage(pipeline.StageStore)
			if _, err := p.Blobs.PutBytes(ctx, storage.Work, key, img.Data, storage.PutOptions{
				ContentType: "image/" + img.Format, Metadata: meta}); err != nil {
				src.Close()
				return err
			}
			ref := pageRef{Key: key, Format: img.Format, Width: img.Width, Height: img.Height, DPI: img.DPI}
			if img.Text != nil {
				// A born-digital page's own words, kept beside its image for the page task.
				words, _ := json.Marshal(img.Text)
				ref.TextKey = storage.PageImageKey(b.ID, index, "text.json")
				if _, err := p.Blobs.PutBytes(ctx, storage.Work, ref.TextKey, words, storage.PutOptions{ContentType: "application/json"}); err != nil {
					src.Close()
					return err
				}
			}
			stored()
			refs = append(refs, ref)
			index++
		}
		if b.Files[fi].Notes = pages.Notes(src); len(b.Files[fi].Notes) > 0 {
			p.Log.Info("file read with notes", "batch", b.ID, "file", fi+1, "notes", b.Files[fi].Notes)
		}
		src.Close()
	}
	// The page list lets page tasks find their image without reopening the upload.
	listing, _ := json.Marshal(refs)
	if _, err := p.Blobs.PutBytes(ctx, storage.Work, storage.PageListKey(b.ID), listing, storage.PutOptions{ContentType: "application/json"}); err != nil {
		return err
	}
	b.PagesTotal = index
	b.Status = storage.StatusProcessing
	if err := p.saveBatch(ctx, b); err != nil {
		return err
	}
	for i := range index {
		if err := p.Queue.EnqueueOnce(ctx, tasks.NewPageTask(b.ID, i)); err != nil {
			return err
		}
	}
	p.Log.Info("batch fanned out", "batch", b.ID, "pages", index)
	return nil
}

// pageRef is where prepare put a page image.
type pageRef struct {
	Key    string  `json:"key"`
	Format string  `json:"format"`
	Width  int     `json:"width"`
	Height int     `json:"height"`
	DPI    float64 `json:"dpi"`
	// TextKey holds a born-digital page's own words (pipeline.OCRPage JSON), read from the
	// PDF; "" for a scan.
	TextKey string `json:"text_key,omitempty"`
}

// recognize reads a page's words: a born-digital page's own, stored by prepare, since OCR of
// its rendering loses what the PDF states exactly; any other page's by OCR.
func (p *Processor) recognize(ctx context.Context, img pipeline.PageImage, ref pageRef) (pipeline.OCRPage, pipeline.PageImage, error) {
	if ref.TextKey == "" {
		return p.Engines.Recognize(ctx, img)
	}
	var words pipeline.OCRPage
	err := p.getJSON(ctx, storage.Work, ref.TextKey, &words)
	return words, img, err
}
