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
	b, err := p.State.GetBatch(ctx, id)
	if errs.KindOf(err) == errs.NotFound {
		return storage.LoadManifest(ctx, p.Blobs, id)
	}
	return b, err
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
			stored()
			refs = append(refs, pageRef{Key: key, Format: img.Format, Width: img.Width, Height: img.Height, DPI: img.DPI})
			index++
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
}
