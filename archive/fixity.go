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
}

// FixityResult is told the outcome of every object checked ("ok", "mismatch", "missing").
type FixityResult func(result string)

// RecordKeys yields the keys of every record in the archive bucket.
func RecordKeys(ctx context.Context, s Store) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for o, err := range s.List(ctx, storage.Archive, "documents/") {
			if err != nil {
				yield("", err)
				return
			}
			if strings.HasSuffix(o.Key, "/record.json") && !yield(o.Key, nil) {
				return
			}
		}
	}
}

// CheckFixity re-reads every object every record lists, as a stream, recomputes SHA-256 and
// SM3 and compares them and the size with the record. It never repairs anything: a mismatch is
// reported, and the archivist decides. parallel bounds concurrent reads.
func CheckFixity(ctx context.Context, s Store, parallel int, tell FixityResult) (*FixityReport, error) {
	rep := &FixityReport{StartedAt: time.Now().UTC(), Failed: []FixityFailure{}}
	type job struct {
		doc string
		f   File
	}
	jobs := make(chan job)
	var mu sync.Mutex
	fail := func(f FixityFailure) {
		mu.Lock()
		rep.Failed = append(rep.Failed, f)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range max(parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				n, reason, detail := checkFile(ctx, s, j.f)
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
					fail(FixityFailure{Object: j.f.Key, Bucket: j.f.Bucket, Document: j.doc, Reason: reason, Detail: detail})
				}
				if tell != nil {
					tell(result)
				}
			}
		}()
	}
	seen := map[string]bool{}
	var listErr error
	for key, err := range RecordKeys(ctx, s) {
		if err != nil {
			listErr = err
			break
		}
		rep.Records++
		doc := strings.TrimSuffix(strings.TrimPrefix(key, "documents/"), "/record.json")
		data, err := s.Get(ctx, storage.Archive, key)
		var rec Record
		if err == nil {
			err = json.Unmarshal(data, &rec)
		}
		if err != nil {
			fail(FixityFailure{Object: key, Bucket: "archive", Document: doc, Reason: "bad_record", Detail: err.Error()})
			continue
		}
		for _, f := range rec.Files {
			id := f.Bucket + "/" + f.Key
			if seen[id] { // originals are shared by the documents of a batch
				continue
			}
			seen[id] = true
			select {
			case jobs <- job{doc: doc, f: f}:
			case <-ctx.Done():
			}
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

func checkFile(ctx context.Context, s Store, f File) (int64, string, string) {
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
	d := NewDigester()
	if _, err := copyBuf(d, rc); err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return 0, "missing", ""
		}
		return d.n, "unreadable", err.Error()
	}
	got := d.Sum()
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

// FixityHistoryKey is where a run's report is kept.
func FixityHistoryKey(t time.Time) string {
	return "fixity/" + t.UTC().Format("2006/01/02T150405.000Z") + ".json"
}

// SaveFixityReport keeps rep in the archive bucket, write-once.
func SaveFixityReport(ctx context.Context, s Store, rep *FixityReport) error {
	rep.Key = FixityHistoryKey(rep.StartedAt)
	data, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		return err
	}
	_, err = s.PutBytes(ctx, storage.Archive, rep.Key, data, storage.PutOptions{ContentType: "application/json", IfAbsent: true})
	return err
}
