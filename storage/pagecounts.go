package storage

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Pages digitised are counted when a batch is done, once per batch, in quarter hours of UTC:
// every zone's midnight falls on a quarter hour, so the statistics sum them into the hall's
// days whatever its zone. PutBatch counts, and the reindex puts every batch back through
// PutBatch, so the counts come back from the manifests in MinIO like every other index.
const (
	pagesBatchesKey  = "ow:{pages}:batches"  // batch id → pages counted for it (counted once)
	pagesQuartersKey = "ow:{pages}:quarters" // "2006-01-02T15:04" (UTC quarter hour) → pages
	quarterLayout    = "2006-01-02T15:04"
)

// countPages adds a done batch's pages to its quarter hour unless the batch was counted.
var countPages = redis.NewScript(`
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
end
return 0`)

// quarter is the UTC quarter hour t falls in, as the counts' field.
func quarter(t time.Time) string { return t.UTC().Truncate(15 * time.Minute).Format(quarterLayout) }

// countBatchPages counts b's pages once, at the quarter hour it was last updated (done).
func (s *State) countBatchPages(ctx context.Context, b *Batch) error {
	if b.Status != StatusDone || b.PagesTotal <= 0 || b.UpdatedAt.IsZero() {
		return nil
	}
	return countPages.Run(ctx, s.rdb, []string{pagesBatchesKey, pagesQuartersKey}, b.ID, quarter(b.UpdatedAt), b.PagesTotal).Err()
}

// PagesDigitised are the pages of the batches done from from to to (UTC quarter hours, from's
// quarter included, to's excluded), by the quarter hour's start.
func (s *State) PagesDigitised(ctx context.Context, from, to time.Time) (map[time.Time]int, error) {
	var fields []string
	var starts []time.Time
	for t := from.UTC().Truncate(15 * time.Minute); t.Before(to); t = t.Add(15 * time.Minute) {
		fields, starts = append(fields, t.Format(quarterLayout)), append(starts, t)
	}
	out := map[time.Time]int{}
	if len(fields) == 0 {
		return out, nil
	}
	var vals []any
	err := retry(ctx, "storage.PagesDigitised", func(ctx context.Context) (err error) {
		vals, err = s.rdb.HMGet(ctx, pagesQuartersKey, fields...).Result()
		return err
	})
	if err != nil {
		return nil, err
	}
	for i, v := range vals {
		if str, ok := v.(string); ok {
			if n, err := strconv.Atoi(str); err == nil && n != 0 {
				out[starts[i]] = n
			}
		}
	}
	return out, nil
}
