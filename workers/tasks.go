// Package workers adapts the pipeline to asynq: task types, their payloads, and the handlers
// that fetch inputs from storage, run pipeline steps and store what they produce.
package workers

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
	"onewindow/pipeline/pages"
)

// Task types, "domain:verb".
const (
	TypePrepare  = "batch:prepare"  // split an upload into page images, fan out one task a page
	TypePage     = "page:process"   // detect separator/blank, orient, OCR one page
	TypeAssemble = "batch:assemble" // split, classify, stamp and file a batch's documents
)

// Queues: the cheap steps that unblock or finish a batch go before OCR.
const (
	QueueCritical = "critical"
	QueuePages    = "pages"
)

// Queues is the asynq queue priority map of a worker.
var Queues = map[string]int{QueueCritical: 6, QueuePages: 3}

// taskRetention keeps a finished task's ID taken for a day, so a late duplicate enqueue of
// the same step (a redelivered page finishing the batch again) is refused by asynq.
const taskRetention = 24 * time.Hour

type batchPayload struct {
	BatchID string `json:"batch_id"`
}

type pagePayload struct {
	BatchID string `json:"batch_id"`
	Index   int    `json:"index"`
}

// NewPrepareTask is the first step of a batch.
func NewPrepareTask(batchID string) *asynq.Task {
	p, _ := json.Marshal(batchPayload{BatchID: batchID})
	return asynq.NewTask(TypePrepare, p, asynq.TaskID("prepare:"+batchID), asynq.Queue(QueueCritical),
		asynq.Retention(taskRetention))
}

// NewPageTask processes one page.
func NewPageTask(batchID string, index int) *asynq.Task {
	p, _ := json.Marshal(pagePayload{BatchID: batchID, Index: index})
	return asynq.NewTask(TypePage, p, asynq.TaskID(fmt.Sprintf("page:%s:%d", batchID, index)),
		asynq.Queue(QueuePages), asynq.Retention(taskRetention))
}

// NewAssembleTask files a batch's documents once all pages are done. Its ID makes it unique:
// whichever page finishes last enqueues it, and any other attempt is refused.
func NewAssembleTask(batchID string) *asynq.Task {
	p, _ := json.Marshal(batchPayload{BatchID: batchID})
	return asynq.NewTask(TypeAssemble, p, asynq.TaskID("assemble:"+batchID), asynq.Queue(QueueCritical),
		asynq.Retention(taskRetention))
}

// InputError maps the page decoder's findings about an upload to the project's error, with
// the codes the contract names. Errors that are not about the input pass through.
func InputError(op string, err error) error {
	table := []struct {
		target  error
		kind    errs.Kind
		code    string
		message string
	}{
		{pages.ErrEmpty, errs.Invalid, "empty_file", "The uploaded file is empty."},
		{pages.ErrUnsupported, errs.Unsupported, "unsupported_media_type", "The file is not a PDF, TIFF, JPEG or PNG image."},
		{pages.ErrEncrypted, errs.Invalid, "encrypted_pdf", "The PDF is encrypted; scan stations must send unencrypted PDFs."},
		{pages.ErrNoPages, errs.Invalid, "no_pages", "The file has no pages."},
		{pages.ErrTooManyPages, errs.TooLarge, "too_many_pages", "The batch has more pages than this hall accepts in one upload."},
		{pages.ErrTooManyPixels, errs.TooLarge, "image_too_large", "A page image has more pixels than this hall accepts (decompression-bomb guard)."},
		{pages.ErrCorrupt, errs.Invalid, "corrupt_file", "The file is damaged or truncated and cannot be read."},
	}
	for _, t := range table {
		if errors.Is(err, t.target) {
			return errs.E(op, t.kind, t.code, t.message, err)
		}
	}
	return err
}
