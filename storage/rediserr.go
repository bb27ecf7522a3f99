package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"onewindow/internal/errs"
)

// redisFailure is what one kind of Redis error reply means to a caller.
type redisFailure struct {
	prefix  string // the reply's first word
	kind    errs.Kind
	code    string
	message string
	// failover: the reply is what a node says while a master is being replaced or a slot
	// moved, so the same command succeeds a moment later.
	failover bool
}

// redisFailures name the Redis replies that are not "Redis does not answer"; the rest of the
// replies are redis_error, and every failure to talk at all is redis_unavailable.
var redisFailures = []redisFailure{
	{"CROSSSLOT", errs.Internal, "redis_cross_slot", "A Redis command named keys in different cluster slots.", false},
	{"NOSCRIPT", errs.Internal, "redis_no_script", "Redis does not hold a script it was asked to run.", false},
	{"WRONGTYPE", errs.Internal, "redis_wrong_type", "A Redis key holds another type of value than expected.", false},
	{"EXECABORT", errs.Internal, "redis_transaction_aborted", "Redis refused a transaction.", false},
	{"OOM", errs.Unavailable, "redis_out_of_memory", "Redis is out of memory (maxmemory).", false},
	{"NOAUTH", errs.Unavailable, "redis_auth", "Redis refuses the configured credentials.", false},
	{"WRONGPASS", errs.Unavailable, "redis_auth", "Redis refuses the configured credentials.", false},
	{"NOPERM", errs.Unavailable, "redis_auth", "Redis refuses the configured credentials.", false},
	{"READONLY", errs.Unavailable, "redis_read_only", "Redis is failing over: the node is a read-only replica.", true},
	{"LOADING", errs.Unavailable, "redis_loading", "Redis is loading its data after a restart.", true},
	{"MASTERDOWN", errs.Unavailable, "redis_master_down", "Redis is failing over: the replica has lost its master.", true},
	{"CLUSTERDOWN", errs.Unavailable, "redis_cluster_down", "The Redis Cluster does not serve every slot.", true},
	{"TRYAGAIN", errs.Unavailable, "redis_try_again", "A Redis Cluster slot is being moved.", true},
	{"MOVED", errs.Unavailable, "redis_moved", "A Redis Cluster slot kept moving (resharding or failover).", true},
	{"ASK", errs.Unavailable, "redis_moved", "A Redis Cluster slot kept moving (resharding or failover).", true},
}

// classify finds what a Redis error means; ok is false for errors that are no Redis reply
// (a lost connection, a refused dial, a closed client).
func classify(err error) (f redisFailure, ok bool) {
	var re redis.Error
	if !errors.As(err, &re) {
		return redisFailure{}, false
	}
	msg := strings.TrimPrefix(re.Error(), "ERR ")
	word, _, _ := strings.Cut(msg, " ")
	for _, f := range redisFailures {
		if word == f.prefix {
			return f, true
		}
	}
	return redisFailure{kind: errs.Internal, code: "redis_error", message: "Redis refused a command."}, true
}

// RedisError turns an error from a Redis call into the project's error, saying which
// failure it was. Context errors pass through; redis.Nil is the caller's to handle first.
func RedisError(op string, err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if f, ok := classify(err); ok {
		return errs.E(op, f.kind, f.code, f.message, err)
	}
	return errs.E(op, errs.Unavailable, "redis_unavailable", "Redis does not answer.", err)
}

// transient says whether a failed call may succeed when tried again shortly: the node is
// failing over, a slot moved, or the connection dropped (a master that died).
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if f, ok := classify(err); ok {
		return f.failover
	}
	return !errors.Is(err, redis.ErrClosed)
}

// failoverBackoff are the pauses between tries of a command that met a failover: about three
// seconds in all, which covers a manual Sentinel failover or a cluster replica's promotion.
// An automatic failover after a master died takes longer (down-after-milliseconds); then
// the caller gets Unavailable and the queue retries the task later.
var failoverBackoff = []time.Duration{100 * time.Millisecond, 200 * time.Millisecond,
	400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond}

// retry runs fn until it succeeds, fails for a reason that waiting will not cure, or the
// backoff is spent; the error is mapped by RedisError. fn must be safe to run again. go-redis
// already retries some of these itself, within milliseconds; this covers the seconds a
// failover takes.
func retry(ctx context.Context, op string, fn func(ctx context.Context) error) error {
	for i := 0; ; i++ {
		err := fn(ctx)
		if err == nil || errors.Is(err, redis.Nil) {
			return err
		}
		if i == len(failoverBackoff) || !transient(err) {
			return RedisError(op, err)
		}
		t := time.NewTimer(failoverBackoff[i])
		select {
		case <-ctx.Done():
			t.Stop()
			return RedisError(op, err)
		case <-t.C:
		}
	}
}
