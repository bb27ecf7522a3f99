package storage

import (
	"context"
	"strings"
)

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
