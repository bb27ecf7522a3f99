package tasks

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
)

// Policy is how often a task of one type is retried, how long to wait before each retry
// and how long one run may take.
type Policy struct {
	MaxRetry int
	Timeout  time.Duration
	// Backoff is the wait before retry n+1 (n retries made so far) after err; nil means
	// DefaultBackoff.
	Backoff func(n int, err error) time.Duration
}

// DefaultBackoff waits 2^n s between tries, at most 256 s.
func DefaultBackoff(n int, _ error) time.Duration {
	return min(time.Duration(1<<min(max(n, 0), 8))*time.Second, 5*time.Minute)
}

// Limits are the queue's one policy table: every task type's retries, back-off and run time.
// Default covers the types ByType does not name.
type Limits struct {
	Default Policy
	ByType  map[string]Policy
}

// DefaultLimits derives every type's policy from the hall's --max-retry and --task-timeout:
// assembling a batch writes every document's PDF, so it may take four times as long as one
// page; training is cheap and not worth many retries. Department deliveries keep their own
// day-long policy, which the delivery package supplies (With).
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

// With returns the table with p as the policy of the task types named.
func (l Limits) With(p Policy, taskTypes ...string) Limits {
	byType := make(map[string]Policy, len(l.ByType)+len(taskTypes))
	for k, v := range l.ByType {
		byType[k] = v
	}
	for _, t := range taskTypes {
		byType[t] = p
	}
	l.ByType = byType
	return l
}

// For returns the policy of a task type.
func (l Limits) For(taskType string) Policy {
	if p, ok := l.ByType[taskType]; ok {
		return p
	}
	return l.Default
}

// RetryDelay is the queue's RetryDelayFunc: a task whose worker died (its lease expired) is
// taken again at once; any other waits as its type's Backoff says.
func (l Limits) RetryDelay(n int, err error, t *asynq.Task) time.Duration {
	if errors.Is(err, asynq.ErrLeaseExpired) {
		return 0
	}
	if b := l.For(t.Type()).Backoff; b != nil {
		return b(n, err)
	}
	return DefaultBackoff(n, err)
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
