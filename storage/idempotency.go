package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// IdempotencyClaim is the durable claim of an Idempotency-Key, written once in the inbox so
// that a retry after Redis was lost still finds the first batch.
type IdempotencyClaim struct {
	BatchID string `json:"batch_id"`
	// Fingerprint is the SHA-256 of the request's fields and file digests: the same key with
	// another request is refused, not answered with the first batch.
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
}

// IdempotencyClaimKey is where a key's claim is kept; the key is hashed, since clients choose it.
func IdempotencyClaimKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "idempotency/" + hex.EncodeToString(sum[:]) + ".json"
}

func receivingKey(key string) string { return keyPrefix + "idem-recv:" + key }

// MarkReceiving notes that an upload with key is being received, for at most ttl (a process
// that dies mid-upload must not block the key for ever). It returns the batch that holds the
// mark and whether this call set it.
func (s *State) MarkReceiving(ctx context.Context, key, batchID string, ttl time.Duration) (string, bool, error) {
	var holder string
	err := retry(ctx, "storage.MarkReceiving", func(ctx context.Context) error {
		ok, err := s.rdb.SetNX(ctx, receivingKey(key), batchID, ttl).Result()
		if err != nil {
			return err
		}
		if ok {
			holder = batchID
			return nil
		}
		holder, err = s.rdb.Get(ctx, receivingKey(key)).Result()
		return err
	})
	if errors.Is(err, redis.Nil) { // expired between the two calls: nobody holds it now
		return s.MarkReceiving(ctx, key, batchID, ttl)
	}
	if err != nil {
		return "", false, err
	}
	return holder, holder == batchID, nil
}

// DoneReceiving removes the mark if batchID still holds it.
func (s *State) DoneReceiving(ctx context.Context, key, batchID string) error {
	return retry(ctx, "storage.DoneReceiving", func(ctx context.Context) error {
		return releaseIdem.Run(ctx, s.rdb, []string{receivingKey(key)}, batchID).Err()
	})
}

var extendMark = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`)

// ExtendReceiving keeps the mark for another ttl while batchID still holds it: a receiving
// process renews it, so a process that died frees the key within one ttl.
func (s *State) ExtendReceiving(ctx context.Context, key, batchID string, ttl time.Duration) error {
	return retry(ctx, "storage.ExtendReceiving", func(ctx context.Context) error {
		return extendMark.Run(ctx, s.rdb, []string{receivingKey(key)}, batchID, ttl.Milliseconds()).Err()
	})
}
