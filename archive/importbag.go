package archive

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"onewindow/storage"
)

// ErrBagNotIntact is returned by ImportBag for a bag that fails VerifyBag.
var ErrBagNotIntact = errors.New("bag is not intact")

// ImportResult is what ImportBag filed.
type ImportResult struct {
	Documents int      `json:"documents"`
	Originals int      `json:"originals"`
	Existing  []string `json:"existing,omitempty"` // objects already stored with the same bytes
	Bytes     int64    `json:"bytes"`
	NoLonger  []string `json:"retention_expired,omitempty"` // documents whose recorded retention has passed
}

// ImportBag files the documents of a zipped bag into this installation: it verifies the bag,
// checks every file against the digests its record lists, stores originals in the inbox and
// PDFs and texts in the archive under the record's retention, and the record last, exactly as
// it was (so a half-done import leaves no record and a second run completes it). An "imported"
// event is filed beside each record. Objects already present with the same bytes are kept.
func ImportBag(ctx context.Context, s Store, r io.ReaderAt, size int64, agent string) (*ImportResult, error) {
	rep, err := VerifyBag(r, size)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("%w: %d problems, first %s: %s", ErrBagNotIntact, len(rep.Problems), rep.Problems[0].Path, rep.Problems[0].Problem)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, err
	}
	prefix := ""
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/bagit.txt") && strings.Count(f.Name, "/") == 1 {
			prefix = strings.TrimSuffix(f.Name, "bagit.txt")
		}
	}
	files := map[string]*zip.File{}
	var recordPaths []string
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, prefix)
		files[name] = f
		if strings.HasPrefix(name, "data/") && strings.HasSuffix(name, "/record.json") && strings.Count(name, "/") == 2 {
			recordPaths = append(recordPaths, name)
		}
	}
	sort.Strings(recordPaths)
	res := &ImportResult{}
	seenOriginal := map[string]bool{}
	now := time.Now().UTC()
	for _, rp := range recordPaths {
		recBytes, err := readZip(files[rp])
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
		for _, f := range rec.Files {
			bk, ok := BucketOf(f.Bucket)
			if !ok {
				return res, fmt.Errorf("record %s: unknown bucket %q", rec.DocumentID, f.Bucket)
			}
			name := BagDocumentPath(rec.DocumentID, path.Base(f.Key))
			opts := retain
			if f.Role == "original" {
				name = BagOriginalPath(f.SHA256, f.Format)
				opts = storage.PutOptions{IfAbsent: true} // the inbox has no object lock
				if seenOriginal[name] {
					continue
				}
				seenOriginal[name] = true
			}
			zf := files[name]
			if zf == nil {
				return res, fmt.Errorf("record %s lists %s, which the bag does not carry", rec.DocumentID, name)
			}
			if err := checkZipAgainst(zf, f); err != nil {
				return res, fmt.Errorf("record %s, %s: %w", rec.DocumentID, name, err)
			}
			opts.ContentType = contentTypeOf(f)
			existed, err := putZip(ctx, s, bk, f.Key, zf, opts, f)
			if err != nil {
				return res, err
			}
			if existed {
				res.Existing = append(res.Existing, f.Bucket+"/"+f.Key)
			}
			res.Bytes += f.Size
			if f.Role == "original" {
				res.Originals++
			}
		}
		ev := Event{Type: "imported", Agent: agent, Time: time.Now().UTC(), Detail: "from a BagIt bag"}
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
		res.Documents++
	}
	return res, nil
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

func readZip(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// checkZipAgainst compares a bag file with the digests its record lists.
func checkZipAgainst(zf *zip.File, f File) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	got, err := DigestOf(rc)
	if err != nil {
		return err
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

// putZip stores a bag file write-once; an existing object is accepted only with the same bytes.
func putZip(ctx context.Context, s Store, bk storage.Bucket, key string, zf *zip.File, o storage.PutOptions, f File) (bool, error) {
	rc, err := zf.Open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	type putter interface {
		Put(ctx context.Context, bk storage.Bucket, key string, r io.Reader, size int64, o storage.PutOptions) (storage.ObjectInfo, error)
	}
	var perr error
	if p, ok := s.(putter); ok {
		_, perr = p.Put(ctx, bk, key, rc, int64(zf.UncompressedSize64), o)
	} else {
		data, err := io.ReadAll(rc)
		if err != nil {
			return false, err
		}
		_, perr = s.PutBytes(ctx, bk, key, data, o)
	}
	if !errors.Is(perr, storage.ErrExists) {
		return false, perr
	}
	n, reason, _ := checkFile(ctx, s, nil, f)
	if reason != "" {
		return true, fmt.Errorf("%s is already stored here with other bytes (%s, %d bytes)", key, reason, n)
	}
	return true, nil
}
