package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
)

// middleware logs and times every task with its IDs and turns errors that can never succeed
// into SkipRetry: the one place the retry policy is applied. It wraps every handler of the
// mux, the desks' tasks too.
func (p *Processor) middleware(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		var ids struct {
			BatchID string `json:"batch_id"`
			Index   *int   `json:"index"`
		}
		_ = json.Unmarshal(t.Payload(), &ids)
		taskID, _ := asynq.GetTaskID(ctx)
		retry, _ := asynq.GetRetryCount(ctx)
		log := p.Log.With("task", taskID, "type", t.Type(), "batch", ids.BatchID, "retry", retry)
		if ids.Index != nil {
			log = log.With("page", *ids.Index)
		}
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		took := time.Since(start)
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		p.Metrics.TaskSeconds.WithLabelValues(t.Type(), outcome).Observe(took.Seconds())
		if err == nil {
			log.Debug("task done", "ms", took.Milliseconds())
			return nil
		}
		log.Warn("task failed", "code", errs.CodeOf(err), "ms", took.Milliseconds(), "err", err)
		if !errs.Retryable(err) && !errors.Is(err, asynq.SkipRetry) {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		return err
	})
}

// HandleError is asynq's ErrorHandler: when a task will not be tried again, its batch fails
// with the task's error code, so the status says why.
func (p *Processor) HandleError(ctx context.Context, t *asynq.Task, err error) {
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	if retried < maxRetry && !errors.Is(err, asynq.SkipRetry) || !tasks.FailsBatch(t.Type()) {
		return
	}
	var ids struct {
		BatchID string `json:"batch_id"`
	}
	if json.Unmarshal(t.Payload(), &ids) != nil || ids.BatchID == "" {
		return
	}
	p.Metrics.Failures.WithLabelValues(errs.CodeOf(err)).Inc()
	ctx = context.WithoutCancel(ctx)
	if ferr := p.failBatch(ctx, ids.BatchID, err); ferr != nil {
		p.Log.Error("cannot mark batch failed", "batch", ids.BatchID, "err", ferr)
	}
}
