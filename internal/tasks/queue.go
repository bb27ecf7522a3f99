package tasks

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
)

// Policy is how often a task of one type is retried and how long one run may take.
type Policy struct {
	MaxRetry int
	Timeout  time.Duration
}

// Limits are the policies of every task type: Default, and ByType where a type differs.
type Limits struct {
	Default Policy
	ByType  map[string]Policy
}

// DefaultLimits derives every type's policy from the hall's --max-retry and --task-timeout:
// assembling a batch writes every document's PDF, so it may take four times as long as one
// page; training is cheap and not worth many retries.
func DefaultLimits(maxRetry int, timeout time.Duration) Limits {
	return Limits{
		Default: Policy{MaxRetry: maxRetry, Timeout: timeout},
		ByType: map[string]Policy{
			TypeAssemble: {MaxRetry: maxRetry, Timeout: 4 * timeout},
			TypeRefile:   {MaxRetry: maxRetry, Timeout: 4 * timeout},
			TypeTrain:    {MaxRetry: min(maxRetry, 3), Timeout: timeout},
		},
	}
}

// For returns the policy of a task type.
func (l Limits) For(taskType string) Policy {
	if p, ok := l.ByType[taskType]; ok {
		return p
	}
	return l.Default
}

// Enqueuer puts tasks on the queue (asynq.Client).
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Queue enqueues tasks with their type's policy.
type Queue struct {
	Client Enqueuer
	Limits Limits
}

// Enqueue puts t on the queue with its type's retry and timeout policy. opts override them.
func (q *Queue) Enqueue(ctx context.Context, t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	p := q.Limits.For(t.Type())
	all := make([]asynq.Option, 0, 2+len(opts))
	if p.MaxRetry > 0 {
		all = append(all, asynq.MaxRetry(p.MaxRetry))
	}
	if p.Timeout > 0 {
		all = append(all, asynq.Timeout(p.Timeout))
	}
	info, err := q.Client.EnqueueContext(ctx, t, append(all, opts...)...)
	if err != nil && !IsDuplicate(err) {
		return nil, errs.E("tasks.Enqueue", errs.Unavailable, "queue_unavailable", "The queue does not answer.", err)
	}
	return info, err
}

// EnqueueOnce enqueues t unless a task with its ID is queued, running or recently done.
func (q *Queue) EnqueueOnce(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error {
	_, err := q.Enqueue(ctx, t, opts...)
	if IsDuplicate(err) {
		return nil
	}
	return err
}

// IsDuplicate reports whether err says the task is already on the queue.
func IsDuplicate(err error) bool {
	return errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask)
}
