package workers

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/storage"
)

// Retrier runs a failed batch again: the tasks of the batch that gave up (archived by asynq)
// go back on the queue as they were, so every step that had finished stays finished, and
// the batch is marked processing again. An operator uses it once the cause (a storage outage
// past the retry budget, a bad deployment) is gone; input that can never succeed fails again.
type Retrier struct {
	Inspector *asynq.Inspector
	Blobs     Blobs
	State     State
}

// RetryBatch answers how many tasks it put back.
func (r *Retrier) RetryBatch(ctx context.Context, id string) (int, error) {
	const op = "workers.RetryBatch"
	b, err := r.State.GetBatch(ctx, id)
	if errs.KindOf(err) == errs.NotFound {
		b, err = storage.LoadManifest(ctx, r.Blobs, id)
	}
	if err != nil {
		return 0, err
	}
	if b.Status != storage.StatusFailed {
		return 0, errs.E(op, errs.Conflict, "batch_not_failed", "Only a failed batch can be run again.", nil)
	}
	if b.Error != nil && b.Error.Code != "" && !retryableCode(b.Error.Code) {
		return 0, errs.Errorf(op, errs.Conflict, "batch_input_refused", "The batch failed on its input (%s); sending it again will not help.", b.Error.Code)
	}
	n := 0
	for q := range tasks.Queues {
		for page := 1; ; page++ {
			archived, err := r.Inspector.ListArchivedTasks(q, asynq.Page(page), asynq.PageSize(500))
			if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
				return n, errs.E(op, errs.Unavailable, "queue_unavailable", "The queue does not answer.", err)
			}
			for _, t := range archived {
				var pl struct {
					BatchID string `json:"batch_id"`
				}
				if json.Unmarshal(t.Payload, &pl) != nil || pl.BatchID != id || !tasks.FailsBatch(t.Type) {
					continue
				}
				if err := r.Inspector.RunTask(q, t.ID); err != nil {
					return n, errs.E(op, errs.Unavailable, "queue_unavailable", "The queue does not answer.", err)
				}
				n++
			}
			if len(archived) < 500 {
				break
			}
		}
	}
	if n == 0 {
		return 0, errs.E(op, errs.Conflict, "nothing_to_retry", "The batch has no failed step left on the queue; run reindex to queue it again.", nil)
	}
	b.Status, b.Error = storage.StatusProcessing, nil
	if err := storage.SaveBatch(ctx, r.Blobs, r.State, b); err != nil {
		return n, err
	}
	return n, nil
}

// retryableCode: failures of the input itself (the codes intake and the decoder give) never
// succeed on a second run.
func retryableCode(code string) bool {
	switch code {
	case "empty_file", "unsupported_media_type", "encrypted_pdf", "no_pages", "too_many_pages",
		"image_too_large", "corrupt_file", "bad_task":
		return false
	}
	return true
}
