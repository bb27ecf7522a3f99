package workers

import (
	"context"
	"errors"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/pipeline"
	"onewindow/pipeline/ocr"
)

// Recognizer reads one page image: an ocr.IsolatedPool, whose engines live in child
// processes so that a crash in Tesseract or Leptonica costs that page, not the worker.
type Recognizer interface {
	Recognize(ctx context.Context, img pipeline.PageImage) (pipeline.OCRPage, pipeline.PageImage, error)
}

// ocrError names the page when OCR gave up on it for good; other errors pass through.
func ocrError(pl tasks.PagePayload, err error) error {
	const op = "workers.processPage"
	if errors.Is(err, ocr.ErrEngineCrashed) {
		e := errs.Errorf(op, errs.Unprocessable, "ocr_engine_crashed",
			"Page %d of this batch could not be read: the text-recognition engine failed on it twice. "+
				"Scan that page again, as a clean copy if you can, and upload the batch again.", pl.Index+1)
		e.Err = err
		return e
	}
	return err
}
