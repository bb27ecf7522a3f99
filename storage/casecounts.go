package storage

import (
	"context"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
)

// caseEventsFiled counts the case events filed by every process: a reader that keeps figures
// per case (the statistics) lists the archive again only when it moved.
const caseEventsFiled = keyPrefix + "cases:events_filed"

// countEvent notes that an event was filed. A failure is no one's concern but the readers',
// who then recount from the archive a little later (their figures may lag, never be wrong
// for long: see EventsFiled).
func (s *CaseStore) countEvent(ctx context.Context) {
	_ = s.rdb.Incr(ctx, caseEventsFiled).Err()
}

// EventsFiled is the count of case events filed since Redis began counting; it only moves
// when an event is filed. After a loss of Redis it starts again from zero, so a reader should
// compare it for equality and recount now and then regardless.
func (s *CaseStore) EventsFiled(ctx context.Context) (int64, error) {
	n, err := s.rdb.Get(ctx, caseEventsFiled).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}

// CaseVersions lists every case in the archive with how many events it has, from one listing
// of the event keys: a reader that keeps figures per case (the statistics) rereads only the
// cases whose count moved. Events are filed 1, 2, 3... write-once, so the count is the
// case's version.
func (s *CaseStore) CaseVersions(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for o, err := range s.b.List(ctx, Archive, "cases/") {
		if err != nil {
			return nil, err
		}
		no, tail, ok := strings.Cut(strings.TrimPrefix(o.Key, "cases/"), "/")
		if ok && strings.HasPrefix(tail, "events/") && strings.HasSuffix(tail, ".json") {
			out[no]++
		}
	}
	return out, nil
}
