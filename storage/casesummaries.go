package storage

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// Case summaries are a reader's compact per-case facts (the statistics' fold of a case's
// events), kept in Redis with the case version they were folded at, so that a process that
// starts does not read every case's events again. They are derived data: the reader writes
// them when it folds a case, and a reindex drops them to be folded afresh from MinIO.
const (
	summariesKey       = keyPrefix + "{summaries}:facts"    // case number → summary
	summaryVersionsKey = keyPrefix + "{summaries}:versions" // case number → its version
	summariesScanCount = 2000
)

// putSummary keeps a summary unless one of the same or a later version is there.
var putSummary = redis.NewScript(`
local v = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if v >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`)

// PutSummary keeps a case's summary at version unless a later one is kept already (two
// processes folding one case race harmlessly).
func (s *CaseStore) PutSummary(ctx context.Context, caseNo string, version int, data []byte) error {
	err := putSummary.Run(ctx, s.rdb, []string{summariesKey, summaryVersionsKey}, caseNo, version, data).Err()
	return unavailable("storage.PutSummary", err)
}

// Summaries reads every kept summary, a slice of the hash at a time so that Redis never
// blocks on one large answer.
func (s *CaseStore) Summaries(ctx context.Context) (map[string][]byte, error) {
	out := map[string][]byte{}
	var cursor uint64
	for {
		kv, next, err := s.rdb.HScan(ctx, summariesKey, cursor, "", summariesScanCount).Result()
		if err != nil {
			return nil, unavailable("storage.Summaries", err)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = []byte(kv[i+1])
		}
		if cursor = next; cursor == 0 {
			return out, nil
		}
	}
}

// DropSummaries forgets every summary (a reindex folds them afresh from MinIO).
func (s *CaseStore) DropSummaries(ctx context.Context) error {
	return unavailable("storage.DropSummaries", s.rdb.Del(ctx, summariesKey, summaryVersionsKey).Err())
}

// CachedVersions are every case's version as its cached view in Redis says: the case desk
// writes the view after each change, and the reindex and the reconciler put back what a loss
// of Redis took. Cheaper than listing a million event keys in MinIO (CaseVersions), which
// stays the check that does not trust Redis.
func (s *CaseStore) CachedVersions(ctx context.Context) (map[string]int, error) {
	nos, err := s.rdb.ZRange(ctx, caseAllIndex, 0, -1).Result()
	if err != nil {
		return nil, unavailable("storage.CachedVersions", err)
	}
	vs, _, err := s.ViewVersions(ctx, nos)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(nos))
	for i, no := range nos {
		if vs[i] > 0 {
			out[no] = vs[i]
		}
	}
	return out, nil
}
