package workers

import (
	"context"
	"errors"
	"fmt"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/pipeline"
	"onewindow/pipeline/ocr"
	"onewindow/pipeline/pages"
	"onewindow/storage"
)

// Recognizer reads one page image, reads one turned the way a person said is up, and shrinks
// one: an ocr.IsolatedPool, whose engines live in child processes so that a crash in
// Tesseract or Leptonica costs that page, not the worker.
type Recognizer interface {
	Recognize(ctx context.Context, img pipeline.PageImage) (pipeline.OCRPage, pipeline.PageImage, error)
	RecognizeTurned(ctx context.Context, img pipeline.PageImage, turn int) (pipeline.OCRPage, pipeline.PageImage, error)
	Shrink(ctx context.Context, img pipeline.PageImage, maxPixels int64) (pipeline.PageImage, error)
}

// WorkingPixels is the largest page image the pipeline works on and files. An A4 page at
// 600 dpi (35 MP) stays as scanned; a bigger page (a poster, a scan at 1200 dpi) is shrunk
// first, in an engine process, so no stage of the worker decodes it whole: a 110 MP page
// took the worker past 2 GB. The scan as uploaded is kept among the originals either way.
const WorkingPixels = 36_000_000

// shrinkPage replaces a page image bigger than WorkingPixels with its shrunk copy, stored
// beside it, and answers the copy.
func (p *Processor) shrinkPage(ctx context.Context, pl tasks.PagePayload, img pipeline.PageImage, res *storage.PageResult) (pipeline.PageImage, error) {
	small, err := p.Engines.Shrink(ctx, img, WorkingPixels)
	if errors.Is(err, ocr.ErrBadImage) {
		return img, tasks.InputError("workers.shrinkPage", fmt.Errorf("%w: page %d: %v", pages.ErrCorrupt, pl.Index+1, err))
	}
	if err != nil {
		return img, ocrError(pl, err)
	}
	res.ImageKey = storage.PageImageKey(pl.BatchID, pl.Index, "working."+small.Format)
	res.Format, res.Width, res.Height, res.DPI = small.Format, small.Width, small.Height, small.DPI
	if _, err := p.Blobs.PutBytes(ctx, storage.Work, res.ImageKey, small.Data, storage.PutOptions{ContentType: "image/" + small.Format}); err != nil {
		return img, err
	}
	return small, nil
}

// ocrError names the page when OCR gave up on it for good; other errors pass through.
func ocrError(pl tasks.PagePayload, err error) error {
	const op = "workers.processPage"
	if errors.Is(err, ocr.ErrEngineCrashed) {
		e := errs.Errorf(op, errs.Unprocessable, tasks.CodeOCREngineCrashed,
			"Page %d of this batch could not be read: the text-recognition engine failed on it twice. "+
				"Scan that page again, as a clean copy if you can, and upload the batch again.", pl.Index+1)
		e.Err = err
		return e
	}
	return err
}
