package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"onewindow/internal/errs"
)

// ParseRedisURL accepts redis://, rediss://, redis-socket://, redis-sentinel:// (as asynq
// parses them) and redis-cluster://host:port,host:port for a Redis Cluster.
func ParseRedisURL(s string) (asynq.RedisConnOpt, error) {
	if rest, ok := strings.CutPrefix(s, "redis-cluster://"); ok {
		u, err := url.Parse("redis://" + rest)
		if err != nil {
			return nil, err
		}
		var opt asynq.RedisClusterClientOpt
		opt.Addrs = strings.Split(u.Host, ",")
		if u.User != nil {
			opt.Username = u.User.Username()
			opt.Password, _ = u.User.Password()
		}
		return opt, nil
	}
	return asynq.ParseRedisURI(s)
}

// State is the Redis side of storage: batch and document indexes that reindexing rebuilds
// from MinIO, and the per-batch page counters that make assembly happen once.
type State struct {
	rdb redis.UniversalClient
}

// NewState wraps a client made from the same connection options as the queue.
func NewState(opt asynq.RedisConnOpt) (*State, error) {
	c, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, fmt.Errorf("unexpected redis client type")
	}
	return &State{rdb: c}, nil
}

// Close closes the connection.
func (s *State) Close() error { return s.rdb.Close() }

// Redis exposes the client for readiness checks and tests.
func (s *State) Redis() redis.UniversalClient { return s.rdb }

// Ping checks that Redis answers.
func (s *State) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return unavailable("storage.Ping", err)
	}
	return nil
}

const keyPrefix = "ow:"

func batchKey(id string) string     { return keyPrefix + "batch:" + id }
func pagesDoneKey(id string) string { return keyPrefix + "batch:" + id + ":done" }
func docKey(id string) string       { return keyPrefix + "doc:" + id }
func caseKey(caseNo string) string  { return keyPrefix + "case:" + caseNo }
func idemKey(key string) string     { return keyPrefix + "idem:" + key }

const docsKey = keyPrefix + "docs" // set of every document ID

// PutBatch indexes a batch.
func (s *State) PutBatch(ctx context.Context, b *Batch) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	pipe := s.rdb.TxPipeline()
	pipe.Set(ctx, batchKey(b.ID), data, 0)
	if b.IdempotencyKey != "" {
		pipe.SetNX(ctx, idemKey(b.IdempotencyKey), b.ID, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable("storage.PutBatch", err)
	}
	return nil
}

// GetBatch reads a batch with its live page count.
func (s *State) GetBatch(ctx context.Context, id string) (*Batch, error) {
	pipe := s.rdb.Pipeline()
	get := pipe.Get(ctx, batchKey(id))
	done := pipe.SCard(ctx, pagesDoneKey(id))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable("storage.GetBatch", err)
	}
	data, err := get.Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, errs.E("storage.GetBatch", errs.NotFound, "batch_not_found", "No batch has that ID.", nil)
	}
	var b Batch
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, err
	}
	if b.Status != StatusDone && b.Status != StatusFailed {
		b.PagesDone = int(done.Val())
	}
	return &b, nil
}

// ClaimIdempotencyKey binds key to batchID unless it is bound already; it returns the batch
// the key is bound to and whether this call bound it.
func (s *State) ClaimIdempotencyKey(ctx context.Context, key, batchID string) (string, bool, error) {
	ok, err := s.rdb.SetNX(ctx, idemKey(key), batchID, 0).Result()
	if err != nil {
		return "", false, unavailable("storage.ClaimIdempotencyKey", err)
	}
	if ok {
		return batchID, true, nil
	}
	got, err := s.rdb.Get(ctx, idemKey(key)).Result()
	if err != nil {
		return "", false, unavailable("storage.ClaimIdempotencyKey", err)
	}
	return got, false, nil
}

// IdempotentBatch returns the batch key is bound to, or "".
func (s *State) IdempotentBatch(ctx context.Context, key string) (string, error) {
	id, err := s.rdb.Get(ctx, idemKey(key)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", unavailable("storage.IdempotentBatch", err)
	}
	return id, nil
}

// ReleaseIdempotencyKey unbinds key if it is still bound to batchID (the upload failed).
func (s *State) ReleaseIdempotencyKey(ctx context.Context, key, batchID string) error {
	const script = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`
	return s.rdb.Eval(ctx, script, []string{idemKey(key)}, batchID).Err()
}

// MarkPageDone records that a page of a batch is finished and returns how many are.
// Recording the same page twice counts it once.
func (s *State) MarkPageDone(ctx context.Context, batchID string, index int) (int, error) {
	pipe := s.rdb.TxPipeline()
	pipe.SAdd(ctx, pagesDoneKey(batchID), index)
	n := pipe.SCard(ctx, pagesDoneKey(batchID))
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, unavailable("storage.MarkPageDone", err)
	}
	return int(n.Val()), nil
}

// PutDocument indexes a filed document.
func (s *State) PutDocument(ctx context.Context, d *Document) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	pipe := s.rdb.TxPipeline()
	pipe.Set(ctx, docKey(d.ID), data, 0)
	pipe.SAdd(ctx, docsKey, d.ID)
	if d.CaseNo != "" {
		pipe.SAdd(ctx, caseKey(d.CaseNo), d.ID)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable("storage.PutDocument", err)
	}
	return nil
}

// GetDocument reads a document's index entry.
func (s *State) GetDocument(ctx context.Context, id string) (*Document, error) {
	data, err := s.rdb.Get(ctx, docKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, errs.E("storage.GetDocument", errs.NotFound, "document_not_found", "No document has that ID.", nil)
	}
	if err != nil {
		return nil, unavailable("storage.GetDocument", err)
	}
	var d Document
	return &d, json.Unmarshal(data, &d)
}

// DocumentsOfCase lists the IDs of a case's documents.
func (s *State) DocumentsOfCase(ctx context.Context, caseNo string) ([]string, error) {
	ids, err := s.rdb.SMembers(ctx, caseKey(caseNo)).Result()
	if err != nil {
		return nil, unavailable("storage.DocumentsOfCase", err)
	}
	return ids, nil
}

// DocumentIDs lists every indexed document.
func (s *State) DocumentIDs(ctx context.Context) ([]string, error) {
	ids, err := s.rdb.SMembers(ctx, docsKey).Result()
	if err != nil {
		return nil, unavailable("storage.DocumentIDs", err)
	}
	return ids, nil
}

func unavailable(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errs.E(op, errs.Unavailable, "redis_unavailable", "Redis does not answer.", err)
}
