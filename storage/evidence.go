package storage

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The scheduled evidence run (archive.RenewEvidence): a claim per period and the last run,
// which holds the cursor the next run resumes from. Both can be lost: the run starts over
// and finds in MinIO what was stamped.
func evidenceRunKey(slot int64) string {
	return keyPrefix + "evidence:run:" + strconv.FormatInt(slot, 10)
}

const evidenceStateKey = keyPrefix + "evidence:last"

// ClaimEvidenceRun lets one of several processes time-stamp and renew evidence in a period,
// as ClaimFixityRun does for fixity.
func (s *State) ClaimEvidenceRun(ctx context.Context, slot int64, origin string, ttl time.Duration) (bool, error) {
	return s.claim(ctx, "storage.ClaimEvidenceRun", evidenceRunKey(slot), origin, ttl)
}

// PutEvidenceRun keeps the last evidence run (JSON), for the next run and the operators' page.
func (s *State) PutEvidenceRun(ctx context.Context, run []byte) error {
	if err := s.rdb.Set(ctx, evidenceStateKey, run, 0).Err(); err != nil {
		return unavailable("storage.PutEvidenceRun", err)
	}
	return nil
}

// EvidenceRun is the last evidence run (JSON), nil when none is known.
func (s *State) EvidenceRun(ctx context.Context) ([]byte, error) {
	b, err := s.rdb.Get(ctx, evidenceStateKey).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable("storage.EvidenceRun", err)
	}
	return b, nil
}
