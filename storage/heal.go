package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/redis/go-redis/v9"
)

// What the reconciler compares between MinIO (the record) and Redis (the indexes), a slice of
// the archive at a time, so that no pass lists the whole archive.

// CasesPrefix holds every case's objects in the archive (events, notices).
const CasesPrefix = "cases/"

// IDTimePrefix is the start of every UUIDv7 made at t or later: batch IDs are UUIDv7 and
// document IDs begin with their batch's, so a key range from this prefix on holds what was
// taken in since t, without reading a single object.
func IDTimePrefix(t time.Time) string {
	ms := uint64(t.UnixMilli())
	return fmt.Sprintf("%08x-%04x", ms>>16, ms&0xffff)
}

// Children lists the names of the "folders" directly under prefix (documents/ → document IDs)
// that sort after after and before before ("" leaves that side open), at most limit of them (0:
// no limit), in order; more says whether the listing stopped at limit. One listing with a
// delimiter: a document's objects count once.
func (b *Blobs) Children(ctx context.Context, bk Bucket, prefix, after, before string, limit int) (names []string, more bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: prefix}
	if after != "" {
		opts.StartAfter = prefix + after
	}
	for o := range b.c.ListObjects(ctx, b.names[bk], opts) {
		if o.Err != nil {
			return names, false, wrap("storage.Children", prefix, o.Err)
		}
		name, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, prefix), "/")
		if !ok || name == "" || name <= after {
			continue // an object directly under prefix, or the start itself
		}
		if before != "" && name >= before {
			return names, false, nil
		}
		if limit > 0 && len(names) == limit {
			return names, true, nil
		}
		names = append(names, name)
	}
	return names, false, nil
}

// DocumentIndexState is what Redis holds of one filed document: whether it has its entry
// (and what the entry says of its case and supersession), and whether the set of every
// document and its case's set name it.
type DocumentIndexState struct {
	Entry      bool
	CaseNo     string
	Superseded bool
	InAll      bool
	InCase     bool
}

// Whole says whether every index of the document has it.
func (s DocumentIndexState) Whole() bool {
	return s.Entry && s.InAll && (s.CaseNo == "" || s.InCase)
}

// DocumentIndexStates reads what Redis holds of ids, in their order: a few pipelined round
// trips a chunk, whatever the number of documents. Only the entry's case and supersession are
// decoded, which is most of a comparison's cost.
func (s *State) DocumentIndexStates(ctx context.Context, ids []string) ([]DocumentIndexState, error) {
	const op = "storage.DocumentIndexStates"
	out := make([]DocumentIndexState, len(ids))
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = docKey(id)
	}
	vals, err := s.getMany(ctx, op, keys)
	if err != nil {
		return nil, err
	}
	for i, data := range vals {
		var e struct {
			CaseNo       string   `json:"case_no"`
			SupersededBy []string `json:"superseded_by"`
		}
		if data != nil && json.Unmarshal(data, &e) == nil {
			out[i] = DocumentIndexState{Entry: true, CaseNo: e.CaseNo, Superseded: len(e.SupersededBy) > 0}
		}
	}
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		got := out[start:min(start+chunk, len(ids))]
		var inAll *redis.BoolSliceCmd
		var inCase []*redis.BoolCmd
		var idx []int
		err := retry(ctx, op, func(ctx context.Context) error {
			pipe := s.rdb.Pipeline()
			members := make([]any, len(got))
			for i := range got {
				members[i] = ids[start+i]
			}
			inAll = pipe.SMIsMember(ctx, docsKey, members...)
			inCase, idx = nil, nil
			for i, st := range got {
				if st.Entry && st.CaseNo != "" {
					inCase = append(inCase, pipe.SIsMember(ctx, caseKey(st.CaseNo), ids[start+i]))
					idx = append(idx, i)
				}
			}
			_, err := pipe.Exec(ctx)
			return err
		})
		if err != nil {
			return nil, err
		}
		for i, in := range inAll.Val() {
			got[i].InAll = in
		}
		for j, c := range inCase {
			got[idx[j]].InCase = c.Val()
		}
	}
	return out, nil
}

// BatchEntry is what the reconciler reads of a batch's Redis entry.
type BatchEntry struct {
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BatchEntries reads the status of the Redis entries of ids, in their order; nil where Redis
// has none.
func (s *State) BatchEntries(ctx context.Context, ids []string) ([]*BatchEntry, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = batchKey(id)
	}
	vals, err := s.getMany(ctx, "storage.BatchEntries", keys)
	if err != nil {
		return nil, err
	}
	out := make([]*BatchEntry, len(ids))
	for i, data := range vals {
		var b BatchEntry
		if data != nil && json.Unmarshal(data, &b) == nil {
			out[i] = &b
		}
	}
	return out, nil
}

// documentEntries reads the entries of ids, in their order; nil where Redis has none.
func (s *State) documentEntries(ctx context.Context, op string, ids []string) ([]*Document, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = docKey(id)
	}
	vals, err := s.getMany(ctx, op, keys)
	if err != nil {
		return nil, err
	}
	out := make([]*Document, len(ids))
	for i, data := range vals {
		var d Document
		if data != nil && json.Unmarshal(data, &d) == nil {
			out[i] = &d
		}
	}
	return out, nil
}

// getMany reads keys, in their order, nil for a missing key: a GET each in one pipeline a
// chunk (not MGET, which a cluster refuses across slots; a cluster client sends each node
// its share).
func (s *State) getMany(ctx context.Context, op string, keys []string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	const chunk = 500
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		var gets []*redis.StringCmd
		err := retry(ctx, op, func(ctx context.Context) error {
			pipe := s.rdb.Pipeline()
			gets = make([]*redis.StringCmd, len(part))
			all := make([]redis.Cmder, len(part))
			for i, k := range part {
				gets[i] = pipe.Get(ctx, k)
				all[i] = gets[i]
			}
			_, _ = pipe.Exec(ctx)
			return firstFailure(all...)
		})
		if err != nil {
			return nil, err
		}
		for i, g := range gets {
			if data, err := g.Bytes(); err == nil {
				out[start+i] = data
			}
		}
	}
	return out, nil
}
