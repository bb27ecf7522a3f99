package pages

import (
	"errors"
	"fmt"
)

// ErrUnreadable is a real image file whose encoding nothing here decodes (a TIFF compression
// libtiff lacks, an arithmetic-coded JPEG): the type is right, the pixels out of reach.
var ErrUnreadable = errors.New("image encoding not readable")

// A Problem says for the person at the desk what is wrong with an upload: on which page,
// what, and what to do. It wraps a sentinel error with the technical detail for the log.
type Problem struct {
	Page int    // 1-based page of the file; 0 for the file as a whole
	What string // completes "Page 3 of the file ...", e.g. "uses LZMA compression"
	Fix  string // a whole sentence, e.g. "Scan it again as PDF."
	Err  error
}

func (p *Problem) Error() string { return p.Err.Error() }
func (p *Problem) Unwrap() error { return p.Err }

// Sentence is the problem in plain words, e.g. "Page 3 of the file is cut short: its image
// data runs past the end of the file. Upload the file again."
func (p *Problem) Sentence() string {
	s := "The file " + p.What + "."
	if p.Page > 0 {
		s = fmt.Sprintf("Page %d of the file %s.", p.Page, p.What)
	}
	if p.Fix != "" {
		s += " " + p.Fix
	}
	return s
}

// Advice the problems share.
const (
	fixUploadAgain = "Upload the file again; if it fails again, scan the paper again."
	fixRescan      = "Scan the paper again, or save the file again as PDF."
)

// pageProblem wraps err (a sentinel with detail) as a Problem on 0-based page i.
func pageProblem(i int, what, fix string, err error) error {
	return &Problem{Page: i + 1, What: what, Fix: fix, Err: err}
}
