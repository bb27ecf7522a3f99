package casedesk

import (
	"context"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/storage"
)

// BatchReader reads a batch as the workers left it (storage.LoadBatch: Redis, else the
// batch's manifest in MinIO, so a batch Redis lost is still checked against its case).
type BatchReader func(ctx context.Context, id string) (*storage.Batch, error)

// HandleBatchFiled is the worker's handler of tasks.TypeCaseBatch: it gives the case the
// batch's documents and recomputes its check. A batch whose case number no case has (scans
// filed without opening a case) is no error: there is nothing to check.
func (d *Desk) HandleBatchFiled(batches BatchReader) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var pl tasks.CaseBatchPayload
		if err := tasks.Decode(t, &pl); err != nil {
			return err
		}
		b, err := batches(ctx, pl.BatchID)
		if err != nil {
			return err
		}
		if b.Status != storage.StatusDone {
			return errs.E("desk.HandleBatchFiled", errs.Conflict, "batch_not_done", "The batch is not filed yet.", nil)
		}
		docs := make([]*storage.Document, len(b.Documents))
		for i := range b.Documents {
			docs[i] = &b.Documents[i]
		}
		err = d.BatchDone(ctx, pl.CaseNo, b.ID, Facts(docs))
		if errs.KindOf(err) == errs.NotFound {
			d.log.Debug("filed batch has no case", "batch", b.ID)
			return nil
		}
		return err
	}
}
