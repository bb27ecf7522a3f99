package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"onewindow/internal/errs"
	"onewindow/storage"
)

// ErrBagNotIntact is the cause of ImportBag's error for a bag that fails VerifyBag.
var ErrBagNotIntact = errors.New("bag is not intact")

// notIntact is the error for a bag that was checked and found wanting.
func notIntact(op string, rep *BagReport) error {
	return errs.E(op, errs.Unprocessable, "bag_not_intact", "The bag is "+rep.Summary()+".", ErrBagNotIntact)
}

// ImportResult is what ImportBag filed.
type ImportResult struct {
	Documents int      `json:"documents"`
	Originals int      `json:"originals"`
	Existing  []string `json:"existing,omitempty"` // objects already stored with the same bytes
	Bytes     int64    `json:"bytes"`
	NoLonger  []string `json:"retention_expired,omitempty"` // documents whose recorded retention has passed
	Batches   int      `json:"batches"`                     // batch manifests restored
	Events    int      `json:"events"`                      // events filed after the records, carried over
	// CodesHeld lists imported documents whose archival code a document here already holds.
	CodesHeld []string `json:"archival_codes_held,omitempty"`
}

// ImportStore is what importing a bag needs of object storage.
type ImportStore interface {
	Store
	Put(ctx context.Context, bk storage.Bucket, key string, r io.Reader, size int64, o storage.PutOptions) (storage.ObjectInfo, error)
	ExtendRetention(ctx context.Context, bk storage.Bucket, key, mode string, until time.Time) error
}

// ImportBag files the documents of a zipped bag into this installation: it verifies the bag,
// checks every file against the digests its record lists, stores each file where its record
// says, under the record's retention (an original shared by several documents is kept as long
// as the longest of them needs), and the record last, exactly as it was (so a half-done import
// leaves no record and a second run completes it). An "imported" event is filed beside each
// record. Objects already present with the same bytes are kept. Finally the batches' intake
// manifests the bag carries are restored, where this installation has none, so that reindex
// brings back the cases and batches as well as the documents. clock says whether a record's
// retention still runs and dates the events.
func ImportBag(ctx context.Context, s ImportStore, r io.ReaderAt, size int64, agent string, clock Clock) (*ImportResult, error) {
	src, err := openZipBag(r, size)
	if err != nil {
		return nil, err
	}
	rep := verifyBag(src)
	if !rep.OK() {
		return nil, notIntact("archive.ImportBag", rep)
	}
	// The files VerifyBag checked, from the bag's base directory: a bag kept inside another's
	// data/ is never imported instead of it.
	files := src.files
	var recordPaths []string
	for name := range files {
		if strings.HasPrefix(name, "data/") && strings.HasSuffix(name, "/record.json") && strings.Count(name, "/") == 2 {
			recordPaths = append(recordPaths, name)
		}
	}
	sort.Strings(recordPaths)
	res := &ImportResult{}
	seenOriginal := map[string]bool{}
	now := clock.Now()
	for _, rp := range recordPaths {
		recBytes, err := readBagFile(files[rp], 0)
		if err != nil {
			return res, err
		}
		var rec Record
		if err := json.Unmarshal(recBytes, &rec); err != nil {
			return res, fmt.Errorf("%s: %w", rp, err)
		}
		if want := path.Base(path.Dir(rp)); rec.DocumentID != want {
			return res, fmt.Errorf("%s: the record is of document %q", rp, rec.DocumentID)
		}
		retain := storage.PutOptions{IfAbsent: true}
		if rec.Retention.Until.After(now) {
			retain.RetentionMode, retain.RetainUntil = rec.Retention.Mode, rec.Retention.Until
		} else {
			res.NoLonger = append(res.NoLonger, rec.DocumentID)
		}
		// An original stored already (for another record, or by this installation) is kept as
		// long as this record needs it too.
		keepLonger := func(bk storage.Bucket, f File) error {
			if bk != storage.Archive || retain.RetainUntil.IsZero() {
				return nil
			}
			return s.ExtendRetention(ctx, bk, f.Key, retain.RetentionMode, retain.RetainUntil)
		}
		for _, f := range rec.Files {
			bk, ok := BucketOf(f.Bucket)
			if !ok {
				return res, fmt.Errorf("record %s: unknown bucket %q", rec.DocumentID, f.Bucket)
			}
			name := BagDocumentPath(rec.DocumentID, path.Base(f.Key))
			opts := retain
			if f.Role == "original" {
				name = BagOriginalPath(f.SHA256, f.Format)
				if bk != storage.Archive {
					opts = storage.PutOptions{IfAbsent: true} // an older record's original, in the inbox: no object lock
				}
				if seenOriginal[name] {
					if err := keepLonger(bk, f); err != nil {
						return res, err
					}
					continue
				}
				seenOriginal[name] = true
			}
			zf := files[name]
			if zf.open == nil {
				return res, fmt.Errorf("record %s lists %s, which the bag does not carry", rec.DocumentID, name)
			}
			if err := checkAgainstRecord(rep.payload, name, zf, f); err != nil {
				return res, fmt.Errorf("record %s, %s: %w", rec.DocumentID, name, err)
			}
			opts.ContentType = contentTypeOf(f)
			existed, err := putBagFile(ctx, s, bk, f.Key, zf, opts, f)
			if err != nil {
				return res, err
			}
			if existed {
				res.Existing = append(res.Existing, f.Bucket+"/"+f.Key)
				if f.Role == "original" {
					if err := keepLonger(bk, f); err != nil {
						return res, err
					}
				}
			}
			res.Bytes += f.Size
			if f.Role == "original" {
				res.Originals++
			}
		}
		// Events the source filed after the record come along as they were.
		eventsDir := path.Dir(rp) + "/events/"
		for name, zf := range files {
			rest, ok := strings.CutPrefix(name, eventsDir)
			if !ok || !strings.HasSuffix(rest, ".json") || strings.ContainsAny(rest, "/\\") || strings.HasPrefix(rest, ".") {
				continue
			}
			data, err := readBagFile(zf, 0)
			if err != nil {
				return res, err
			}
			key := storage.DocumentEventsPrefix(rec.DocumentID) + rest
			o := retain
			o.ContentType = "application/json"
			if _, err := s.PutBytes(ctx, storage.Archive, key, data, o); err != nil && !errors.Is(err, storage.ErrExists) {
				return res, err
			}
			res.Events++
		}
		ev := Event{Type: "imported", Agent: agent, Time: clock.Now(), Detail: "from a BagIt bag"}
		if err := SaveEvent(ctx, s, rec.DocumentID, ev, retain); err != nil {
			return res, err
		}
		recOpts := retain
		recOpts.ContentType = "application/json"
		if _, err := s.PutBytes(ctx, storage.Archive, storage.DocumentRecordKey(rec.DocumentID), recBytes, recOpts); err != nil {
			if !errors.Is(err, storage.ErrExists) {
				return res, err
			}
			old, gerr := s.Get(ctx, storage.Archive, storage.DocumentRecordKey(rec.DocumentID))
			if gerr != nil || string(old) != string(recBytes) {
				return res, fmt.Errorf("document %s is already filed here with another record", rec.DocumentID)
			}
			res.Existing = append(res.Existing, "archive/"+storage.DocumentRecordKey(rec.DocumentID))
		}
		// The imported code is claimed here too, so no document filed here is numbered onto it.
		if other, err := ClaimFiledCode(ctx, s, &rec); err != nil {
			return res, err
		} else if other != "" {
			res.CodesHeld = append(res.CodesHeld, rec.DocumentID+" ("+rec.ArchivalCode+", held by "+other+")")
		}
		res.Documents++
	}
	for name, zf := range files {
		if !strings.HasPrefix(name, "data/batches/") || !strings.HasSuffix(name, ".json") {
			continue
		}
		restored, err := restoreManifest(ctx, s, strings.TrimSuffix(path.Base(name), ".json"), zf)
		if err != nil {
			return res, fmt.Errorf("%s: %w", name, err)
		}
		if restored {
			res.Batches++
		}
	}
	return res, nil
}

// batchIDPattern is what a batch ID may look like; a bag naming another is not trusted with a key.
var batchIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)

// restoreManifest writes a bag's batch manifest to the inbox unless a manifest of that batch is
// already here. A batch the source had not finished comes back failed, with a code that says
// why: its uploads did not travel with the bag, so it cannot run here.
func restoreManifest(ctx context.Context, s ImportStore, id string, zf bagFile) (bool, error) {
	data, err := readBagFile(zf, 0)
	if err != nil {
		return false, err
	}
	var b storage.Batch
	if err := json.Unmarshal(data, &b); err != nil {
		return false, err
	}
	if b.ID != id || !batchIDPattern.MatchString(id) {
		return false, fmt.Errorf("the manifest is of batch %q", b.ID)
	}
	if b.Status != storage.StatusDone && b.Status != storage.StatusFailed {
		b.Status = storage.StatusFailed
		b.Error = &storage.BatchError{Code: "imported_unfinished",
			Message: "The batch was not finished where it was exported; only its filed documents came with the bag."}
		if data, err = json.Marshal(&b); err != nil {
			return false, err
		}
	}
	_, err = s.PutBytes(ctx, storage.Inbox, storage.ManifestKey(id), data, storage.PutOptions{ContentType: "application/json", IfAbsent: true})
	if errors.Is(err, storage.ErrExists) {
		return false, nil
	}
	return err == nil, err
}

func contentTypeOf(f File) string {
	switch f.Role {
	case "pdf":
		return "application/pdf"
	case "text":
		return "text/plain; charset=utf-8"
	}
	return ""
}

// checkAgainstRecord compares a bag file with the digests its record lists: those VerifyBag
// computed, or, for a file it did not hash, the file's own.
func checkAgainstRecord(verified map[string]Digests, name string, zf bagFile, f File) error {
	got, ok := verified[name]
	if !ok {
		rc, err := zf.open()
		if err != nil {
			return err
		}
		defer rc.Close()
		if got, err = DigestOf(rc); err != nil {
			return err
		}
	}
	switch {
	case got.Size != f.Size:
		return fmt.Errorf("%d bytes, the record says %d", got.Size, f.Size)
	case !strings.EqualFold(got.SHA256, f.SHA256):
		return errors.New("SHA-256 differs from the record's")
	case f.SM3 != "" && !strings.EqualFold(got.SM3, f.SM3):
		return errors.New("SM3 differs from the record's")
	}
	return nil
}

// putBagFile stores a bag file write-once; an existing object is accepted only with the same
// bytes.
func putBagFile(ctx context.Context, s ImportStore, bk storage.Bucket, key string, zf bagFile, o storage.PutOptions, f File) (bool, error) {
	rc, err := zf.open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	_, perr := s.Put(ctx, bk, key, rc, zf.size, o)
	if !errors.Is(perr, storage.ErrExists) {
		return false, perr
	}
	n, reason, _ := checkFile(ctx, s, nil, f)
	if reason != "" {
		return true, fmt.Errorf("%s is already stored here with other bytes (%s, %d bytes)", key, reason, n)
	}
	return true, nil
}
