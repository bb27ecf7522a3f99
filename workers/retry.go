package workers

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"slices"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/storage"
)

// MaxAutoResumes bounds the reconciler's resumes of one batch (storage.MaxAutoResumes).
const MaxAutoResumes = storage.MaxAutoResumes

// Retrier runs a failed batch again: the tasks of the batch that gave up (archived by asynq)
// go back on the queue as they were, so every step that had finished stays finished, and
// the batch is marked processing again. An operator uses it once the cause (a storage outage
// past the retry budget, a bad deployment) is gone; input that can never succeed fails again.
// The reconciler uses it by itself for batches that failed for a transient cause (ResumeTransient).
type Retrier struct {
	Inspector *asynq.Inspector
	Blobs     Blobs
	State     State
	Log       *slog.Logger // nil: ResumeTransient logs nothing
}

// archivedStep is a task asynq gave up on, in its queue.
type archivedStep struct{ queue, id string }

// RetryBatch answers how many tasks it put back.
func (r *Retrier) RetryBatch(ctx context.Context, id string) (int, error) {
	const op = "workers.RetryBatch"
	b, err := r.load(ctx, id)
	if err != nil {
		return 0, err
	}
	if b.Status != storage.StatusFailed {
		return 0, errs.E(op, errs.Conflict, "batch_not_failed", "Only a failed batch can be run again.", nil)
	}
	if b.Error != nil && b.Error.Code != "" && !b.Error.Transient && tasks.InputCode(b.Error.Code) {
		return 0, errs.Errorf(op, errs.Conflict, "batch_input_refused", "The batch failed on its input (%s); sending it again will not help.", b.Error.Code)
	}
	steps, err := r.archivedSteps(ctx, id)
	if err != nil {
		return 0, err
	}
	if len(steps[id]) == 0 {
		return 0, errs.E(op, errs.Conflict, "nothing_to_retry", "The batch has no failed step left on the queue; run reindex to queue it again.", nil)
	}
	return r.runAgain(ctx, b, steps[id], false)
}

// ResumeTransient resumes, without an operator, every batch whose failed steps asynq archived
// for a cause that may have passed: a batch marked failed with a transient error, or one still
// marked processing because storage was down when its step gave up and the failure could not
// be written. Each batch is resumed at most MaxAutoResumes times (counted in its status). The
// caller runs it only while storage and the queue answer, in one process at a time. It answers
// the batches it resumed.
func (r *Retrier) ResumeTransient(ctx context.Context) ([]string, error) {
	steps, err := r.archivedSteps(ctx, "")
	if err != nil {
		return nil, err
	}
	var resumed []string
	for _, id := range slices.Sorted(maps.Keys(steps)) {
		b, err := r.load(ctx, id)
		if errs.KindOf(err) == errs.NotFound {
			continue // a step of a batch this installation no longer has
		}
		if err != nil {
			return resumed, err
		}
		if !transientlyStopped(b) {
			continue
		}
		if b.AutoResumes >= MaxAutoResumes {
			r.log().Debug("batch not resumed again: automatic resumes used up", "batch", id, "resumes", b.AutoResumes)
			continue
		}
		n, err := r.runAgain(ctx, b, steps[id], true)
		if err != nil {
			return resumed, err
		}
		r.log().Warn("batch resumed after a transient failure", "batch", id, "steps", n, "resume", b.AutoResumes)
		resumed = append(resumed, id)
	}
	return resumed, nil
}

// transientlyStopped: failed for a cause that may pass, or never marked failed at all.
func transientlyStopped(b *storage.Batch) bool {
	switch b.Status {
	case storage.StatusFailed:
		return b.Error != nil && b.Error.Transient
	case storage.StatusQueued, storage.StatusProcessing:
		return true
	}
	return false
}

// runAgain puts steps back on the queue and marks b processing again.
func (r *Retrier) runAgain(ctx context.Context, b *storage.Batch, steps []archivedStep, auto bool) (int, error) {
	const op = "workers.runAgain"
	n := 0
	for _, s := range steps {
		if err := r.Inspector.RunTask(s.queue, s.id); err != nil {
			if errors.Is(err, asynq.ErrTaskNotFound) {
				continue // put back meanwhile by someone else
			}
			return n, errs.E(op, errs.Unavailable, "queue_unavailable", "The queue does not answer.", err)
		}
		n++
	}
	b.Status, b.Error = storage.StatusProcessing, nil
	if auto {
		b.AutoResumes++
	}
	return n, storage.SaveBatch(ctx, r.Blobs, r.State, b)
}

// archivedSteps lists the archived steps that fail a batch, by batch; only, if not empty,
// keeps one batch's.
func (r *Retrier) archivedSteps(ctx context.Context, only string) (map[string][]archivedStep, error) {
	const op = "workers.archivedSteps"
	const pageSize = 500
	steps := map[string][]archivedStep{}
	for q := range tasks.Queues {
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			archived, err := r.Inspector.ListArchivedTasks(q, asynq.Page(page), asynq.PageSize(pageSize))
			if errors.Is(err, asynq.ErrQueueNotFound) {
				break
			}
			if err != nil {
				return nil, errs.E(op, errs.Unavailable, "queue_unavailable", "The queue does not answer.", err)
			}
			for _, t := range archived {
				var pl struct {
					BatchID string `json:"batch_id"`
				}
				if json.Unmarshal(t.Payload, &pl) != nil || pl.BatchID == "" || !tasks.FailsBatch(t.Type) ||
					only != "" && pl.BatchID != only {
					continue
				}
				steps[pl.BatchID] = append(steps[pl.BatchID], archivedStep{queue: q, id: t.ID})
			}
			if len(archived) < pageSize {
				break
			}
		}
	}
	return steps, nil
}

func (r *Retrier) load(ctx context.Context, id string) (*storage.Batch, error) {
	return storage.LoadBatch(ctx, r.State, r.Blobs, id)
}

func (r *Retrier) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}
