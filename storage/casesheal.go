package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/redis/go-redis/v9"
)

// CaseVersion is how many events a case has in MinIO (its version: events are filed 1, 2, 3…
// write-once) and when the newest was filed.
type CaseVersion struct {
	CaseNo  string
	Version int
	Latest  time.Time
}

// CaseVersionsAfter counts the events of the cases whose numbers sort after after ("" from
// the first), in one listing of about limit keys (0: all): the last case is always counted
// whole. next is the last case counted, "" when the listing reached the end.
func (s *CaseStore) CaseVersionsAfter(ctx context.Context, after string, limit int) (out []CaseVersion, next string, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: CasesPrefix, Recursive: true}
	if after != "" {
		// '0' sorts right after '/': every key of case after is before this, every later case's after it.
		opts.StartAfter = CasesPrefix + after + "0"
	}
	keys := 0
	for o := range s.b.c.ListObjects(ctx, s.b.names[Archive], opts) {
		if o.Err != nil {
			return out, "", wrap("storage.CaseVersionsAfter", CasesPrefix, o.Err)
		}
		no, tail, ok := strings.Cut(strings.TrimPrefix(o.Key, CasesPrefix), "/")
		if !ok || !strings.HasPrefix(tail, "events/") || !strings.HasSuffix(tail, ".json") {
			continue
		}
		if n := len(out); n == 0 || out[n-1].CaseNo != no {
			if limit > 0 && keys >= limit {
				return out, out[n-1].CaseNo, nil
			}
			out = append(out, CaseVersion{CaseNo: no})
		}
		keys++
		last := &out[len(out)-1]
		last.Version++
		if o.LastModified.After(last.Latest) {
			last.Latest = o.LastModified
		}
	}
	return out, "", nil
}

// ViewVersions answers, for each case, the version of its cached view (0 when Redis has
// none) and whether the list of every case holds it.
func (s *CaseStore) ViewVersions(ctx context.Context, caseNos []string) (versions []int, listed []bool, err error) {
	versions, listed = make([]int, len(caseNos)), make([]bool, len(caseNos))
	const chunk = 500
	for start := 0; start < len(caseNos); start += chunk {
		part := caseNos[start:min(start+chunk, len(caseNos))]
		vs := make([]*redis.StringCmd, len(part))
		zs := make([]*redis.FloatCmd, len(part))
		pipe := s.rdb.Pipeline()
		for i, no := range part {
			vs[i] = pipe.HGet(ctx, caseViewKey(no), "v")
			zs[i] = pipe.ZScore(ctx, caseAllIndex, no)
		}
		_, _ = pipe.Exec(ctx)
		for i := range part {
			for _, c := range []redis.Cmder{vs[i], zs[i]} {
				if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
					return nil, nil, unavailable("storage.ViewVersions", err)
				}
			}
			versions[start+i], _ = vs[i].Int()
			listed[start+i] = zs[i].Err() == nil
		}
	}
	return versions, listed, nil
}

// forgetView lowers a view's version to 0 while it is still version, so that the next PutView
// of that version writes it and its list entries again.
var forgetView = redis.NewScript(`if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then redis.call('HSET', KEYS[1], 'v', '0') end return 0`)

// ForgetView makes the cached view of version version writable again (a case its lists lost).
func (s *CaseStore) ForgetView(ctx context.Context, caseNo string, version int) error {
	if err := forgetView.Run(ctx, s.rdb, []string{caseViewKey(caseNo)}, version).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return unavailable("storage.ForgetView", err)
	}
	return nil
}
