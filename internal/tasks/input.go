package tasks

import (
	"errors"

	"onewindow/internal/errs"
	"onewindow/pipeline/pages"
)

// inputFailures are the page decoder's findings about an upload, with the codes the contract
// names: the one list of failures that no second run can mend.
var inputFailures = []struct {
	target  error
	kind    errs.Kind
	code    string
	message string
}{
	{pages.ErrEmpty, errs.Invalid, "empty_file", "The uploaded file is empty."},
	{pages.ErrUnsupported, errs.Unsupported, "unsupported_media_type", "The file is not a PDF, TIFF, JPEG or PNG image."},
	{pages.ErrEncrypted, errs.Invalid, "encrypted_pdf", "The PDF needs a password to open; ask the sender for a copy without a password, or print it and scan the paper."},
	{pages.ErrNoPages, errs.Invalid, "no_pages", "The file has no pages."},
	{pages.ErrTooManyPages, errs.TooLarge, "too_many_pages", "The batch has more pages than this hall accepts in one upload."},
	{pages.ErrTooManyPixels, errs.TooLarge, "image_too_large", "A page image has more pixels than this hall accepts (decompression-bomb guard)."},
	{pages.ErrCorrupt, errs.Invalid, "corrupt_file", "The file is damaged or truncated and cannot be read."},
	{pages.ErrUnreadable, errs.Unprocessable, "unreadable_image", "A page is stored in an image encoding this service cannot read; scan it again or save it as PDF."},
}

// Codes of failures that come from the batch itself rather than from the hall's services.
const (
	CodeBadTask          = "bad_task"
	CodeOCREngineCrashed = "ocr_engine_crashed" // a page brings the OCR engine down every time
)

// InputCode reports whether a failure code is about the input (or a page that crashes the
// engine every time): running the batch again cannot succeed.
func InputCode(code string) bool {
	if code == CodeBadTask || code == CodeOCREngineCrashed {
		return true
	}
	for _, t := range inputFailures {
		if t.code == code {
			return true
		}
	}
	return false
}

// InputError maps the page decoder's findings about an upload to the project's error.
// Errors that are not about the input pass through.
func InputError(op string, err error) error {
	// The decoder's own account names the page and the cause, which the clerk can act on.
	var problem *pages.Problem
	explained := errors.As(err, &problem)
	for _, t := range inputFailures {
		if errors.Is(err, t.target) {
			if explained {
				t.message = problem.Sentence()
			}
			return errs.E(op, t.kind, t.code, t.message, err)
		}
	}
	return err
}
