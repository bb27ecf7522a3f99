package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"sort"
	"strings"
	"sync"
	"time"

	"onewindow/archive/internal/sm3lanes"
	"onewindow/internal/errs"
	"onewindow/storage"
)

// Store is what fixity and export need of object storage.
type Store interface {
	Get(ctx context.Context, bk storage.Bucket, key string) ([]byte, error)
	Open(ctx context.Context, bk storage.Bucket, key string) (io.ReadCloser, storage.ObjectInfo, error)
	List(ctx context.Context, bk storage.Bucket, prefix string) iter.Seq2[storage.ObjectInfo, error]
	PutBytes(ctx context.Context, bk storage.Bucket, key string, data []byte, o storage.PutOptions) (storage.ObjectInfo, error)
}

// BucketOf maps a record's bucket role to the bucket.
func BucketOf(role string) (storage.Bucket, bool) {
	switch role {
	case "inbox":
		return storage.Inbox, true
	case "work":
		return storage.Work, true
	case "archive":
		return storage.Archive, true
	}
	return 0, false
}

// FixityFailure is one object whose bytes are not what its record says.
type FixityFailure struct {
	Object   string `json:"object"` // the key in its bucket
	Bucket   string `json:"bucket"`
	Document string `json:"document"`
	Reason   string `json:"reason"` // missing, size_mismatch, sha256_mismatch, sm3_mismatch, unreadable, bad_record
	Detail   string `json:"detail,omitempty"`
}

// FixityReport is one fixity run. It is kept in the archive bucket as history.
type FixityReport struct {
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt time.Time       `json:"finished_at"`
	Records    int             `json:"records"`
	Checked    int             `json:"checked"`
	Bytes      int64           `json:"bytes"`
	Failed     []FixityFailure `json:"failed"`
	Key        string          `json:"key,omitempty"` // where this report is kept
	SM3Lanes   int             `json:"sm3_lanes"`     // SM3 streams hashed at once on this CPU
}

// FixityResult is told the outcome of every object checked ("ok", "mismatch", "missing").
type FixityResult func(result string)

// RecordKeys yields the keys of every record in the archive bucket.
func RecordKeys(ctx context.Context, s Store) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for o, err := range s.List(ctx, storage.Archive, storage.DocumentsPrefix) {
			if err != nil {
				yield("", err)
				return
			}
			if _, ok := storage.DocumentOfRecordKey(o.Key); ok && !yield(o.Key, nil) {
				return
			}
		}
	}
}

// DefaultFixityReaders is how many objects a fixity run reads at once unless told otherwise:
// more than the digest hub's eight SM3 lanes, so that they stay full while some readers fetch
// their next record and object (12 read 20 % faster than 8 here).
const DefaultFixityReaders = 12

// CheckFixity re-reads every object every record lists, as a stream, recomputes SHA-256 and
// SM3 and compares them and the size with the record. It never repairs anything: a mismatch is
// reported, and the archivist decides. parallel bounds concurrent reads; with more than eight,
// SM3 fills every SIMD lane of the digest hub.
func CheckFixity(ctx context.Context, s Store, parallel int, tell FixityResult) (*FixityReport, error) {
	rep := &FixityReport{StartedAt: time.Now().UTC(), Failed: []FixityFailure{}, SM3Lanes: sm3lanes.Lanes()}
	hub := NewDigestHub()
	defer hub.Close()
	var mu sync.Mutex
	seen := map[string]bool{} // originals are shared by the documents of a batch: check once
	fail := func(f FixityFailure) {
		mu.Lock()
		rep.Failed = append(rep.Failed, f)
		mu.Unlock()
	}
	// Workers take records, not files, so that reading the records is spread over them too.
	check := func(key string) {
		doc, _ := storage.DocumentOfRecordKey(key)
		data, err := s.Get(ctx, storage.Archive, key)
		var rec Record
		if err == nil {
			err = json.Unmarshal(data, &rec)
		}
		if err != nil {
			fail(FixityFailure{Object: key, Bucket: "archive", Document: doc, Reason: "bad_record", Detail: err.Error()})
			return
		}
		for _, f := range rec.Files {
			id := f.Bucket + "/" + f.Key
			mu.Lock()
			dup := seen[id]
			seen[id] = true
			mu.Unlock()
			if dup || ctx.Err() != nil {
				continue
			}
			n, reason, detail := checkFile(ctx, s, hub, f)
			mu.Lock()
			rep.Checked++
			rep.Bytes += n
			mu.Unlock()
			result := "ok"
			if reason != "" {
				result = "mismatch"
				if reason == "missing" {
					result = "missing"
				}
				fail(FixityFailure{Object: f.Key, Bucket: f.Bucket, Document: doc, Reason: reason, Detail: detail})
			}
			if tell != nil {
				tell(result)
			}
		}
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range max(parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for key := range jobs {
				check(key)
			}
		}()
	}
	var listErr error
	for key, err := range RecordKeys(ctx, s) {
		if err != nil {
			listErr = err
			break
		}
		rep.Records++
		select {
		case jobs <- key:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	rep.FinishedAt = time.Now().UTC()
	sort.Slice(rep.Failed, func(i, j int) bool { return rep.Failed[i].Object < rep.Failed[j].Object })
	if listErr != nil {
		return rep, listErr
	}
	return rep, ctx.Err()
}

// checkFile compares one object with its record. hub may be nil for a single check.
func checkFile(ctx context.Context, s Store, hub *DigestHub, f File) (int64, string, string) {
	bk, ok := BucketOf(f.Bucket)
	if !ok {
		return 0, "bad_record", "unknown bucket " + f.Bucket
	}
	rc, _, err := s.Open(ctx, bk, f.Key)
	if errs.KindOf(err) == errs.NotFound {
		return 0, "missing", ""
	}
	if err != nil {
		return 0, "unreadable", err.Error()
	}
	defer rc.Close()
	var got Digests
	if hub != nil {
		got, err = hub.Digest(rc)
	} else {
		got, err = DigestOf(rc)
	}
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return 0, "missing", ""
		}
		return got.Size, "unreadable", err.Error()
	}
	switch {
	case got.Size != f.Size:
		return got.Size, "size_mismatch", fmt.Sprintf("record says %d bytes, read %d", f.Size, got.Size)
	case !strings.EqualFold(got.SHA256, f.SHA256):
		return got.Size, "sha256_mismatch", "read " + got.SHA256
	case f.SM3 != "" && !strings.EqualFold(got.SM3, f.SM3):
		return got.Size, "sm3_mismatch", "read " + got.SM3
	}
	return got.Size, "", ""
}

// SaveFixityReport keeps rep in the archive bucket, write-once.
func SaveFixityReport(ctx context.Context, s Store, rep *FixityReport) error {
	rep.Key = storage.FixityReportKey(rep.StartedAt)
	data, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		return err
	}
	_, err = s.PutBytes(ctx, storage.Archive, rep.Key, data, storage.PutOptions{ContentType: "application/json", IfAbsent: true})
	return err
}
