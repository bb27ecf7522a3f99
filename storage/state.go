package storage

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"onewindow/internal/errs"
)

// State is the Redis side of storage: batch and document indexes that reindexing rebuilds
// from MinIO, and the per-batch page counters that make assembly happen once.
type State struct {
	rdb redis.UniversalClient
}

// NewState makes the Redis client that the queue shares (asynq.NewClientFromRedisClient and
// friends take it from Redis()), for a single server, a Sentinel group or a Cluster.
func NewState(opt asynq.RedisConnOpt) (*State, error) {
	c, err := newRedisClient(opt)
	if err != nil {
		return nil, err
	}
	return &State{rdb: c}, nil
}

// Close closes the connection.
func (s *State) Close() error { return s.rdb.Close() }

// Redis exposes the client for readiness checks and tests.
func (s *State) Redis() redis.UniversalClient { return s.rdb }

// Ping checks that Redis answers: on a cluster, every master, since each holds a share of
// the batches and a PING through the cluster client reaches only one.
func (s *State) Ping(ctx context.Context) error {
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return c.Ping(ctx).Err() })
	} else {
		err = s.rdb.Ping(ctx).Err()
	}
	if err != nil {
		return unavailable("storage.Ping", err)
	}
	return nil
}

// Redis keys. In a Redis Cluster every command, transaction and script touches one hash
// slot, so keys used together share a hash tag (the part in braces): a batch's entry and its
// page counter are both tagged {batch:ID}. Keys only ever used alone need no tag. Set members
// (docsKey, caseKey) are the index a cluster needs instead of KEYS or SCAN.
const keyPrefix = "ow:"

func batchKey(id string) string     { return keyPrefix + "{batch:" + id + "}" }
func pagesDoneKey(id string) string { return keyPrefix + "{batch:" + id + "}:done" }
func docKey(id string) string       { return keyPrefix + "doc:" + id }
func caseKey(caseNo string) string  { return keyPrefix + "case:" + caseNo }
func idemKey(key string) string     { return keyPrefix + "idem:" + key }

const docsKey = keyPrefix + "docs" // set of every document ID

// PutBatch indexes a batch and restores the binding of its idempotency key. The two keys live
// in different cluster slots, so this is a pipeline, not a transaction: both writes are safe
// to repeat, and a batch whose key binding was lost is found again by reindex.
func (s *State) PutBatch(ctx context.Context, b *Batch) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return retry(ctx, "storage.PutBatch", func(ctx context.Context) error {
		pipe := s.rdb.Pipeline()
		pipe.Set(ctx, batchKey(b.ID), data, 0)
		if b.IdempotencyKey != "" {
			pipe.SetNX(ctx, idemKey(b.IdempotencyKey), b.ID, 0)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
		return s.countBatchPages(ctx, b) // once per batch: safe to retry
	})
}

// GetBatch reads a batch with its live page count.
func (s *State) GetBatch(ctx context.Context, id string) (*Batch, error) {
	var get *redis.StringCmd
	var done *redis.IntCmd
	err := retry(ctx, "storage.GetBatch", func(ctx context.Context) error {
		pipe := s.rdb.Pipeline()
		get = pipe.Get(ctx, batchKey(id))
		done = pipe.SCard(ctx, pagesDoneKey(id))
		_, _ = pipe.Exec(ctx)
		return firstFailure(get, done)
	})
	if err != nil {
		return nil, err
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
	var got string
	err := retry(ctx, "storage.ClaimIdempotencyKey", func(ctx context.Context) error {
		ok, err := s.rdb.SetNX(ctx, idemKey(key), batchID, 0).Result()
		if err != nil {
			return err
		}
		if ok {
			got = batchID
			return nil
		}
		got, err = s.rdb.Get(ctx, idemKey(key)).Result()
		return err
	})
	if err != nil {
		return "", false, err
	}
	// A retried SETNX whose first try was applied finds its own binding.
	return got, got == batchID, nil
}

// IdempotentBatch returns the batch key is bound to, or "".
func (s *State) IdempotentBatch(ctx context.Context, key string) (string, error) {
	var id string
	err := retry(ctx, "storage.IdempotentBatch", func(ctx context.Context) (err error) {
		id, err = s.rdb.Get(ctx, idemKey(key)).Result()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return id, err
}

// releaseIdem deletes an idempotency key only while it is still bound to the failed batch.
var releaseIdem = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// ReleaseIdempotencyKey unbinds key if it is still bound to batchID (the upload failed).
func (s *State) ReleaseIdempotencyKey(ctx context.Context, key, batchID string) error {
	// Run sends EVALSHA and falls back to EVAL on NOSCRIPT (a restarted or failed-over node
	// has an empty script cache).
	return retry(ctx, "storage.ReleaseIdempotencyKey", func(ctx context.Context) error {
		return releaseIdem.Run(ctx, s.rdb, []string{idemKey(key)}, batchID).Err()
	})
}

// MarkPageDone records that a page of a batch is finished and returns how many are.
// Recording the same page twice counts it once.
func (s *State) MarkPageDone(ctx context.Context, batchID string, index int) (int, error) {
	var n *redis.IntCmd
	err := retry(ctx, "storage.MarkPageDone", func(ctx context.Context) error {
		pipe := s.rdb.TxPipeline()
		pipe.SAdd(ctx, pagesDoneKey(batchID), index)
		n = pipe.SCard(ctx, pagesDoneKey(batchID))
		_, err := pipe.Exec(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n.Val()), nil
}

// PutDocument indexes a filed document. The entry and the two index sets live in different
// cluster slots, so they are written by one pipeline, entry first; every write is safe to
// repeat, and a document missing from an index is put back by the retried task or by reindex.
func (s *State) PutDocument(ctx context.Context, d *Document) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return retry(ctx, "storage.PutDocument", func(ctx context.Context) error {
		pipe := s.rdb.Pipeline()
		pipe.Set(ctx, docKey(d.ID), data, 0)
		pipe.SAdd(ctx, docsKey, d.ID)
		if d.CaseNo != "" {
			pipe.SAdd(ctx, caseKey(d.CaseNo), d.ID)
		}
		_, err := pipe.Exec(ctx)
		return err
	})
}

// GetDocument reads a document's index entry.
func (s *State) GetDocument(ctx context.Context, id string) (*Document, error) {
	var data []byte
	err := retry(ctx, "storage.GetDocument", func(ctx context.Context) (err error) {
		data, err = s.rdb.Get(ctx, docKey(id)).Bytes()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return nil, errs.E("storage.GetDocument", errs.NotFound, "document_not_found", "No document has that ID.", nil)
	}
	if err != nil {
		return nil, err
	}
	var d Document
	return &d, json.Unmarshal(data, &d)
}

// DocumentsOfCase lists the IDs of a case's documents.
func (s *State) DocumentsOfCase(ctx context.Context, caseNo string) ([]string, error) {
	return s.members(ctx, "storage.DocumentsOfCase", caseKey(caseNo))
}

// CaseDocuments reads the index entries of a case's documents, in no particular order.
func (s *State) CaseDocuments(ctx context.Context, caseNo string) ([]Document, error) {
	ids, err := s.DocumentsOfCase(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	return s.documents(ctx, "storage.CaseDocuments", ids)
}

// DocumentIDs lists every indexed document.
func (s *State) DocumentIDs(ctx context.Context) ([]string, error) {
	return s.members(ctx, "storage.DocumentIDs", docsKey)
}

func (s *State) members(ctx context.Context, op, key string) ([]string, error) {
	var ids []string
	err := retry(ctx, op, func(ctx context.Context) (err error) {
		ids, err = s.rdb.SMembers(ctx, key).Result()
		return err
	})
	return ids, err
}

// documents reads the entries of ids, skipping any that are gone.
func (s *State) documents(ctx context.Context, op string, ids []string) ([]Document, error) {
	entries, err := s.documentEntries(ctx, op, ids)
	if err != nil {
		return nil, err
	}
	var out []Document
	for _, d := range entries {
		if d != nil {
			out = append(out, *d)
		}
	}
	return out, nil
}

// unavailable maps a Redis error for callers that do not retry (the name predates RedisError).
func unavailable(op string, err error) error { return RedisError(op, err) }

// firstFailure is the first error of cmds that is not a missing key: a pipeline's Exec
// reports only the first error, which may be a harmless redis.Nil hiding a real one.
func firstFailure(cmds ...redis.Cmder) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}
