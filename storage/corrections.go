package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/minio/minio-go/v7"
)

// Corrections by reviewers. Filed documents are write-once under retention, so a correction
// never rewrites one: it files the corrected documents under new IDs and leaves beside each
// replaced document a small write-once note saying what replaced it, who, when and why.

// Correction is a reviewer's regrouping or retyping of a batch's documents. It is filed in the
// archive when the reviewer asks for it, before it is applied, so the revision number is fixed
// then and the queued refile can run any number of times with the same result.
type Correction struct {
	BatchID  string    `json:"batch_id"`
	Revision int       `json:"revision"`
	By       string    `json:"by"`
	Role     string    `json:"role"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason,omitempty"`
	// Replaces are the batch's document IDs the correction was made against, in order.
	Replaces  []string            `json:"replaces"`
	Documents []CorrectedDocument `json:"documents"`
}

// CorrectedDocument is one document as the reviewer grouped it.
type CorrectedDocument struct {
	Pages []int  `json:"pages"`          // upload page indexes, in reading order
	Type  string `json:"type,omitempty"` // empty: classify as usual
	// Train: a person stated this type, so the classifier's model learns from it.
	Train bool `json:"train,omitempty"`
	// Fields are values a reviewer typed, by field (internal/fields); each field given
	// replaces what was read for it.
	Fields map[string][]string `json:"fields,omitempty"`
	// Rotations turn pages clockwise when shown (90, 180, 270), by upload page index; a page
	// not named stands as scanned. They are the filed PDF's /Rotate, not the scans'.
	Rotations map[int]int `json:"rotations,omitempty"`
}

// SameRotations says whether two documents' rotations turn the same pages the same way; a
// rotation of 0 is no rotation.
func SameRotations(a, b map[int]int) bool {
	for pg, deg := range a {
		if deg%360 != b[pg]%360 {
			return false
		}
	}
	for pg, deg := range b {
		if deg%360 != a[pg]%360 {
			return false
		}
	}
	return true
}

// Supersession is the note filed beside a document that a correction replaced.
type Supersession struct {
	DocumentID   string    `json:"document_id"`
	SupersededBy []string  `json:"superseded_by"`
	BatchID      string    `json:"batch_id"`
	Revision     int       `json:"revision"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
	Reason       string    `json:"reason,omitempty"`
}

// Confirmation is the note filed beside a document whose type a reviewer confirmed.
type Confirmation struct {
	DocumentID string    `json:"document_id"`
	Type       string    `json:"type"`
	By         string    `json:"by"`
	Role       string    `json:"role"`
	At         time.Time `json:"at"`
}

// CorrectionKey is a batch's correction number rev in the archive bucket.
func CorrectionKey(batchID string, rev int) string {
	return fmt.Sprintf("batches/%s/revisions/%03d.json", batchID, rev)
}

// SupersededKey is the note beside a replaced document (archive bucket).
func SupersededKey(docID string) string { return DocumentPrefix(docID) + "superseded.json" }

// ConfirmedKey is the note beside a document whose type a reviewer confirmed (archive bucket).
func ConfirmedKey(docID string) string { return DocumentPrefix(docID) + "confirmed.json" }

// ModelKey is the classifier's learned model in the work bucket: derived from the notes
// above and the documents' text, so it could be retrained from the archive.
const ModelKey = "model/classifier.json"

// ErrChanged is returned by PutIfMatch when the object changed since it was read.
var ErrChanged = errors.New("object changed since it was read")

// PutIfMatch stores data under key only if the object still has etag, or, with etag "",
// only if there is no object yet: read-modify-write without a lock.
func (b *Blobs) PutIfMatch(ctx context.Context, bk Bucket, key string, data []byte, etag, contentType string) (ObjectInfo, error) {
	opts := minio.PutObjectOptions{ContentType: contentType}
	if etag == "" {
		opts.SetMatchETagExcept("*")
	} else {
		opts.SetMatchETag(etag)
	}
	info, err := b.c.PutObject(ctx, b.names[bk], key, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		resp := minio.ToErrorResponse(err)
		if resp.StatusCode == http.StatusPreconditionFailed || resp.Code == "NoSuchKey" {
			return ObjectInfo{}, ErrChanged
		}
		return ObjectInfo{}, wrap("storage.PutIfMatch", key, err)
	}
	return ObjectInfo{Key: key, Size: info.Size, ETag: info.ETag, VersionID: info.VersionID}, nil
}

// ReviewQueue lists the documents that wait for a person: marked needs_review, not confirmed
// and not superseded, oldest first; page is 1-based. It reads every document entry, which
// keeps it right after any reindex at the price of a scan (fine for a hall's tens of
// thousands of documents).
func (s *State) ReviewQueue(ctx context.Context, page, perPage int) ([]Document, int, error) {
	ids, err := s.DocumentIDs(ctx)
	if err != nil {
		return nil, 0, err
	}
	docs, err := s.documents(ctx, "storage.ReviewQueue", ids)
	if err != nil {
		return nil, 0, err
	}
	var waiting []Document
	for _, d := range docs {
		if d.NeedsReview && len(d.SupersededBy) == 0 {
			waiting = append(waiting, d)
		}
	}
	sort.Slice(waiting, func(i, j int) bool {
		if !waiting[i].CreatedAt.Equal(waiting[j].CreatedAt) {
			return waiting[i].CreatedAt.Before(waiting[j].CreatedAt)
		}
		return waiting[i].ID < waiting[j].ID
	})
	total := len(waiting)
	from := min((page-1)*perPage, total)
	return waiting[from:min(from+perPage, total)], total, nil
}
