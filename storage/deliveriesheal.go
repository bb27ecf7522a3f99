package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/redis/go-redis/v9"

	"onewindow/internal/errs"
)

// HealDeliveryIndex compares the index entries of the deliveries whose keys sort after after,
// at most limit of them, with their records in MinIO, and indexes again each one Redis lost or
// holds at an older state (a partial loss took its last update). parse tells what a record
// says. A record written after settled is left for the next round: its writer is indexing it.
// It answers where the next round starts ("" when this one reached the end) and how many it
// repaired.
func (s *DeliveryStore) HealDeliveryIndex(ctx context.Context, after string, limit int, settled time.Time,
	parse func([]byte) (DeliveryIndex, error)) (string, int, error) {
	const op = "storage.HealDeliveryIndex"
	keys, more, err := s.deliveryKeysAfter(ctx, after, limit, settled)
	if err != nil {
		return after, 0, err
	}
	repaired := 0
	for _, key := range keys {
		data, err := s.Delivery(ctx, key)
		if errs.KindOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return after, repaired, err
		}
		ix, err := parse(data)
		if err != nil {
			return after, repaired, err
		}
		ix.Key = key
		pipe := s.rdb.Pipeline()
		held := pipe.HGet(ctx, caseDeliveriesKey(ix.CaseNo), key)
		listed := pipe.ZScore(ctx, deliveryStateIndex(ix.State), ix.member())
		_, _ = pipe.Exec(ctx)
		for _, c := range []redis.Cmder{held, listed} {
			if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
				return after, repaired, unavailable(op, err)
			}
		}
		if held.Val() == string(data) && listed.Err() == nil {
			continue
		}
		if err := s.index(ctx, ix, data); err != nil {
			return after, repaired, err
		}
		repaired++
	}
	if !more || len(keys) == 0 {
		return "", repaired, nil
	}
	return keys[len(keys)-1], repaired, nil
}

// deliveryKeysAfter lists up to limit delivery keys after after, skipping records written
// after settled, and says whether more follow.
func (s *DeliveryStore) deliveryKeysAfter(ctx context.Context, after string, limit int, settled time.Time) ([]string, bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: deliveriesPrefix, Recursive: true}
	if after != "" {
		opts.StartAfter = DeliveryKey(after)
	}
	var keys []string
	for o := range s.b.c.ListObjects(ctx, s.b.names[Archive], opts) {
		if o.Err != nil {
			return keys, false, wrap("storage.HealDeliveryIndex", deliveriesPrefix, o.Err)
		}
		key, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, deliveriesPrefix), ".json")
		if !ok || o.LastModified.After(settled) {
			continue
		}
		if len(keys) == limit {
			return keys, true, nil
		}
		keys = append(keys, key)
	}
	return keys, false, nil
}
