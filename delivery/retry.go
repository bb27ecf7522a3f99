package delivery

import (
	"math/rand/v2"
	"time"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
)

// Backoff of failed deliveries: 30 s, doubling, at most an hour apart, for a day.
const (
	retryBase   = 30 * time.Second
	retryCap    = time.Hour
	RetryWithin = 24 * time.Hour
)

// QueuePolicy is the queue's policy for packages and department events (tasks.Limits.With):
// retried for a day as RetryDelayFor says, each attempt within tasks.DeliverTimeout.
func QueuePolicy() tasks.Policy {
	return tasks.Policy{MaxRetry: MaxRetry, Timeout: tasks.DeliverTimeout, Backoff: RetryDelayFor}
}

// MaxRetry is the number of retries whose delays (RetryDelay(0) … RetryDelay(MaxRetry-1))
// first add up to RetryWithin: the asynq task's MaxRetry.
var MaxRetry = retriesWithin(RetryWithin)

// RetryDelay is the wait before retry n+1, n being the retries made so far (asynq's
// RetryDelayFunc counts the same way).
func RetryDelay(n int) time.Duration {
	if n < 0 {
		n = 0
	}
	if n >= 20 { // 30s << 7 is already past the cap; avoid overflowing the shift
		return retryCap
	}
	return min(retryBase<<n, retryCap)
}

// RetryDelayFor is RetryDelay for an actual failure: it honours a receiver's Retry-After
// (within the cap), retries a busy department's package soon, and spreads retries by up to a
// tenth so that a department coming back is not hit by every package at the same second.
// Its shape fits asynq.RetryDelayFunc once the task argument is dropped.
func RetryDelayFor(n int, err error) time.Duration {
	d := RetryDelay(n)
	if ra, ok := RetryAfterOf(err); ok {
		d = min(max(ra, retryBase), retryCap)
	} else if errs.CodeOf(err) == "department_busy" {
		d = retryBase
	}
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

func retriesWithin(total time.Duration) int {
	var sum time.Duration
	n := 0
	for sum < total {
		sum += RetryDelay(n)
		n++
	}
	return n
}

// Final reports whether a failed attempt is the last: the error can never succeed, or the
// retries are used up. A final failure puts the delivery in the dead-letter list.
func Final(err error, retried, maxRetry int) bool {
	return !errs.Retryable(err) || retried >= maxRetry
}
