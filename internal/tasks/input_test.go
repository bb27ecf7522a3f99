package tasks

import (
	"errors"
	"fmt"
	"testing"

	"onewindow/internal/errs"
	"onewindow/pipeline/pages"
)

func TestInputError(t *testing.T) {
	unreadable := &pages.Problem{Page: 3, What: "uses LZMA compression, which this service cannot read",
		Fix: "Save it again as PDF.", Err: fmt.Errorf("%w: tiff page 2: compression 34925", pages.ErrUnreadable)}
	damaged := &pages.Problem{Page: 2, What: "is damaged: its image data cannot be decoded", Err: fmt.Errorf("%w: strip 0", pages.ErrCorrupt)}
	tests := []struct {
		name    string
		err     error
		kind    errs.Kind
		code    string
		message string
	}{
		{"a wrong type", fmt.Errorf("%w: ZIP archive", pages.ErrUnsupported), errs.Unsupported, "unsupported_media_type", "The file is not a PDF, TIFF, JPEG or PNG image."},
		{"a real TIFF nothing reads", fmt.Errorf("file 1 (scan.tif): %w", unreadable), errs.Unprocessable, "unreadable_image",
			"Page 3 of the file uses LZMA compression, which this service cannot read. Save it again as PDF."},
		{"a damaged page", damaged, errs.Invalid, "corrupt_file", "Page 2 of the file is damaged: its image data cannot be decoded."},
		{"corrupt without an account", pages.ErrCorrupt, errs.Invalid, "corrupt_file", "The file is damaged or truncated and cannot be read."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := InputError("test", tt.err)
			if errs.KindOf(err) != tt.kind || errs.CodeOf(err) != tt.code || errs.MessageOf(err) != tt.message {
				t.Errorf("InputError = %v %q %q, want %v %q %q", errs.KindOf(err), errs.CodeOf(err), errs.MessageOf(err), tt.kind, tt.code, tt.message)
			}
			if !errors.Is(err, tt.err) {
				t.Error("the cause is lost")
			}
		})
	}
	if err := errors.New("redis down"); InputError("test", err) != err {
		t.Error("an error not about the input changed")
	}
}
