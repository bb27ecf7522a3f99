package storage

import (
	"context"
	"encoding/json"
	"time"

	"onewindow/internal/errs"
)

// Batch statuses, as the contract names them.
const (
	StatusQueued     = "queued"
	StatusProcessing = "processing"
	StatusDone       = "done"
	StatusFailed     = "failed"
)

// BatchFile is one uploaded file of a batch, stored content-addressed in the inbox.
type BatchFile struct {
	SHA256 string `json:"sha256"`
	SM3    string `json:"sm3,omitempty"`
	Size   int64  `json:"size"`
	Kind   string `json:"kind"` // pdf, tiff, jpeg, png (sniffed from the bytes)
	Name   string `json:"name,omitempty"`
	Pages  int    `json:"pages"`
	// ActiveContent lists what a PDF carries that could run (javascript, launch_action,
	// embedded_file, form_action); such files are kept as evidence but flagged.
	ActiveContent []string `json:"active_content,omitempty"`
	// Notes say how the file was read, for the record: an owner password's restrictions, a
	// repair of damage (pages.Notes).
	Notes []string `json:"notes,omitempty"`
}

// MaxAutoResumes bounds the automatic resumes of one batch after transient failures: a
// "transient" cause that never passes (a bug that looks like an outage) must not loop. An
// operator may still retry by hand.
const MaxAutoResumes = 3

// BatchError is why a batch failed.
type BatchError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Transient says the cause may pass by itself (storage or the queue down past the retry
	// budget), not the input: the reconciler resumes such a batch once the services answer.
	Transient bool `json:"transient,omitempty"`
}

// DroppedPage is a page that became no document.
type DroppedPage struct {
	Index  int    `json:"index"`
	Reason string `json:"reason"` // separator or blank
}

// Batch is a scanned stack and what became of it. Manifest fields are written once at intake;
// status fields change as the batch is processed.
type Batch struct {
	ID           string        `json:"id"`
	Status       string        `json:"status"`
	PagesTotal   int           `json:"pages_total"`
	PagesDone    int           `json:"pages_done"`
	Error        *BatchError   `json:"error"`
	Documents    []Document    `json:"documents"`
	DroppedPages []DroppedPage `json:"dropped_pages"`
	CaseNo       string        `json:"case_no,omitempty"`
	Station      string        `json:"station,omitempty"`
	Source       string        `json:"source,omitempty"`
	// Applicant and Matter are as the desk gave them at intake, or else as the documents
	// name them (filled in when the batch is assembled). Departments are as given.
	Applicant      string      `json:"applicant,omitempty"`
	Matter         string      `json:"matter,omitempty"`
	Departments    []string    `json:"departments,omitempty"`
	Files          []BatchFile `json:"files,omitempty"`
	IdempotencyKey string      `json:"idempotency_key,omitempty"`
	// AutoResumes counts the reconciler's resumes of the batch after transient failures; it
	// stops at MaxAutoResumes so that a cause that never passes does not loop.
	AutoResumes int       `json:"auto_resumes,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Document is one filed document. Fields holds extracted values by field, as the fields table
// (internal/fields) names them.
type Document struct {
	ID           string              `json:"id"`
	BatchID      string              `json:"batch_id"`
	CaseNo       string              `json:"case_no"`
	Type         string              `json:"type"`
	TypeName     string              `json:"type_name,omitempty"`
	Title        string              `json:"title,omitempty"`
	Confidence   float64             `json:"confidence"`
	NeedsReview  bool                `json:"needs_review"`
	Pages        []int               `json:"pages"`
	Fields       map[string][]string `json:"fields"`
	SHA256       string              `json:"sha256"` // of the filed PDF
	SM3          string              `json:"sm3,omitempty"`
	Size         int64               `json:"size"`
	ArchivalCode string              `json:"archival_code,omitempty"`
	Applicant    string              `json:"applicant,omitempty"`
	Matter       string              `json:"matter,omitempty"`
	Station      string              `json:"station,omitempty"`
	CreatedAt    time.Time           `json:"created_at"`
	// SupersededBy names the documents a reviewer's correction filed in this one's place.
	SupersededBy []string `json:"superseded_by,omitempty"`
	// ReviewedBy is the reviewer who confirmed or corrected the type.
	ReviewedBy string `json:"reviewed_by,omitempty"`
	// Rotations are the pages a reviewer turned (upload page index → clockwise degrees), as
	// the filed PDF shows them; pages not named stand as scanned.
	Rotations map[int]int `json:"rotations,omitempty"`
}

// PageResult is what the page task found on one page; kept in the work bucket so a batch can
// be assembled, or re-assembled after a correction, without OCR.
type PageResult struct {
	Index    int     `json:"index"`
	Dropped  string  `json:"dropped,omitempty"` // separator, blank, or empty
	Payload  string  `json:"payload,omitempty"` // the separator's code value
	Rotation int     `json:"rotation"`
	ImageKey string  `json:"image_key"` // upright page image in the work bucket
	Format   string  `json:"format"`
	Width    int     `json:"width"`
	Height   int     `json:"height"`
	DPI      float64 `json:"dpi"`
	OCRKey   string  `json:"ocr_key,omitempty"` // word boxes (pipeline.OCRPage JSON)
	Text     string  `json:"text,omitempty"`
	OCRSecs  float64 `json:"ocr_seconds,omitempty"`
	Dark     bool    `json:"dark,omitempty"` // dark all over: its document goes to review
}

type bytesPutter interface {
	PutBytes(ctx context.Context, bk Bucket, key string, data []byte, o PutOptions) (ObjectInfo, error)
}

type bytesGetter interface {
	Get(ctx context.Context, bk Bucket, key string) ([]byte, error)
}

type batchIndexer interface {
	PutBatch(ctx context.Context, b *Batch) error
}

// SaveBatch records a batch's new state: the manifest in MinIO first (it is the record), then
// the Redis index that reindex rebuilds from it.
func SaveBatch(ctx context.Context, b bytesPutter, index batchIndexer, batch *Batch) error {
	batch.UpdatedAt = time.Now().UTC()
	if err := SaveManifest(ctx, b, batch); err != nil {
		return err
	}
	return index.PutBatch(ctx, batch)
}

// SaveManifest writes a batch's record to the inbox; Redis is rebuilt from these.
func SaveManifest(ctx context.Context, b bytesPutter, batch *Batch) error {
	return putJSON(ctx, b, Inbox, ManifestKey(batch.ID), batch)
}

// LoadManifest reads a batch's record from the inbox.
func LoadManifest(ctx context.Context, b bytesGetter, id string) (*Batch, error) {
	var batch Batch
	return &batch, GetJSON(ctx, b, Inbox, ManifestKey(id), &batch)
}

// SaveRejection records an upload that was refused, beside its kept bytes.
func SaveRejection(ctx context.Context, b bytesPutter, batch *Batch) error {
	return putJSON(ctx, b, Inbox, RejectedKey(batch.ID), batch)
}

func putJSON(ctx context.Context, b bytesPutter, bk Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = b.PutBytes(ctx, bk, key, data, PutOptions{ContentType: "application/json"})
	return err
}

// GetJSON reads the small JSON object key into v; an object that is not valid JSON is an
// internal error naming the key.
func GetJSON(ctx context.Context, b bytesGetter, bk Bucket, key string, v any) error {
	data, err := b.Get(ctx, bk, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errs.E("storage.GetJSON", errs.Internal, "bad_object", "A stored object is not valid JSON: "+key, err)
	}
	return nil
}
