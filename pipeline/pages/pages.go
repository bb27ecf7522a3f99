// Package pages turns an uploaded file's bytes (PDF, TIFF, JPEG or PNG) into page images.
//
// Open checks the whole file before any pixel is decoded: its type (from magic bytes, never
// the file name), page count, encryption and every page's declared pixel size. Bad input
// fails there with one of the sentinel errors below, so callers can answer before queueing
// work. Pages are then produced one at a time, in the scanner's own encoding where possible:
// a scanned PDF page that is one JPEG comes back as exactly those JPEG bytes.
package pages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"

	"onewindow/pipeline"
)

// Errors for input that can never succeed; test with errors.Is. Returned errors wrap these
// with detail.
var (
	ErrEmpty         = errors.New("empty file")
	ErrUnsupported   = errors.New("unsupported file type")
	ErrCorrupt       = errors.New("corrupt file")
	ErrEncrypted     = errors.New("encrypted PDF")
	ErrNoPages       = errors.New("file has no pages")
	ErrTooManyPages  = errors.New("too many pages")
	ErrTooManyPixels = errors.New("page image too large")
)

// Kind is a supported upload type.
type Kind string

// Supported kinds.
const (
	KindPDF  Kind = "pdf"
	KindTIFF Kind = "tiff"
	KindJPEG Kind = "jpeg"
	KindPNG  Kind = "png"
)

// Defaults for a zero Limits.
const (
	DefaultMaxPages = 2000
	// DefaultMaxPixels allows an A3 page at 600 dpi (~70 MP); a 300-dpi A3 scan is ~17 MP.
	DefaultMaxPixels = 100_000_000
)

// Limits bound what Open accepts. Zero (or negative) fields mean the defaults.
type Limits struct {
	MaxPages  int   // pages per file
	MaxPixels int64 // width*height of any one page image, and of any image inside a PDF page
}

func (l Limits) withDefaults() Limits {
	if l.MaxPages <= 0 {
		l.MaxPages = DefaultMaxPages
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	return l
}

// checkPixels refuses a declared image size before anything is decoded.
func (l Limits) checkPixels(what string, w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: %s has size %dx%d", ErrCorrupt, what, w, h)
	}
	// Both are below 2^31, so the product fits in int64.
	if int64(w)*int64(h) > l.MaxPixels {
		return fmt.Errorf("%w: %s is %dx%d pixels, limit %d", ErrTooManyPixels, what, w, h, l.MaxPixels)
	}
	return nil
}

func (l Limits) checkPages(n int) error {
	if n == 0 {
		return ErrNoPages
	}
	if n > l.MaxPages {
		return fmt.Errorf("%w: %d pages, limit %d", ErrTooManyPages, n, l.MaxPages)
	}
	return nil
}

// Source yields the pages of one opened file. Page indexes are 0-based. Page may be called
// concurrently and in any order. Close releases temporary files; call it when done.
type Source interface {
	Kind() Kind
	Len() int
	Page(ctx context.Context, i int) (pipeline.PageImage, error)
	Close() error
}

var (
	magicPDF     = []byte("%PDF-")
	magicTIFFLE  = []byte("II*\x00")
	magicTIFFBE  = []byte("MM\x00*")
	magicBigTIFF = [][]byte{[]byte("II+\x00"), []byte("MM\x00+")}
	magicJPEG    = []byte{0xFF, 0xD8, 0xFF}
	magicPNG     = []byte("\x89PNG\r\n\x1a\n")
)

// pdfHeaderWindow is how far into a file "%PDF-" may start; readers accept leading junk
// (some mail gateways prepend a line), as the PDF spec's implementation notes allow.
const pdfHeaderWindow = 1024

// jpegHeaderWindow is how far into a file a JPEG's start of image may lie: some cameras,
// phones and document systems prepend a header of their own, which libjpeg-based viewers skip.
const jpegHeaderWindow = 4096

// pdfObjectAtStart is a PDF that lost its header: comments, then "1 0 obj".
var pdfObjectAtStart = regexp.MustCompile(`^(?:\s|%[^\r\n]*)*\d+\s+\d+\s+obj\b`)

// SniffLen is how many leading bytes Sniff needs at most.
const SniffLen = jpegHeaderWindow + 8

// Sniff tells the kind of a file from its first bytes (at least SniffLen of them when the
// file is that long). It never looks at a file name.
func Sniff(head []byte) (Kind, error) {
	switch {
	case len(head) == 0:
		return "", ErrEmpty
	case bytes.HasPrefix(head, magicPNG):
		return KindPNG, nil
	case bytes.HasPrefix(head, magicJPEG):
		return KindJPEG, nil
	case bytes.HasPrefix(head, magicTIFFLE), bytes.HasPrefix(head, magicTIFFBE),
		bytes.HasPrefix(head, magicBigTIFF[0]), bytes.HasPrefix(head, magicBigTIFF[1]):
		return KindTIFF, nil
	case bytes.Contains(head[:min(len(head), pdfHeaderWindow)], magicPDF):
		return KindPDF, nil
	}
	name, known := describe(head)
	if !known && jpegStart(head) > 0 {
		return KindJPEG, nil
	}
	// A PDF's header may lie past the first kilobyte, or be lost; poppler reads such a file
	// still, so it is tried as a PDF instead of refused as another type.
	if !known && (bytes.Contains(head, magicPDF) || pdfObjectAtStart.Match(head)) {
		return KindPDF, nil
	}
	return "", fmt.Errorf("%w: %s", ErrUnsupported, name)
}

// describe names common wrong uploads so the error message helps the person at the desk;
// known is false when it can only quote the first bytes.
func describe(head []byte) (name string, known bool) {
	wrongTypes := []struct {
		magic string
		name  string
	}{
		{"PK\x03\x04", "ZIP archive (or DOCX/XLSX/OFD)"},
		{"\xD0\xCF\x11\xE0", "legacy Office document"},
		{"GIF8", "GIF image"},
		{"BM", "BMP image"},
		{"Rar!", "RAR archive"},
		{"7z\xBC\xAF", "7-Zip archive"},
		{"\x1F\x8B", "gzip data"},
		{"{\\rtf", "RTF document"},
		{"\x00\x00\x00\x0CjP  ", "JPEG 2000 image"},
		{"AT&TFORM", "DjVu document"},
	}
	for _, k := range wrongTypes {
		if bytes.HasPrefix(head, []byte(k.magic)) {
			return k.name, true
		}
	}
	if len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP" {
		return "WebP image", true
	}
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		return "HEIF/MP4 container", true
	}
	return fmt.Sprintf("unrecognised content starting %q", head[:min(len(head), 8)]), false
}

// Open checks data and returns its pages. data must not be modified while the Source is in
// use: pages passed through unchanged share its memory.
func Open(ctx context.Context, data []byte, lim Limits) (Source, error) {
	kind, err := Sniff(data[:min(len(data), SniffLen)])
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lim = lim.withDefaults()
	switch kind {
	case KindPDF:
		return openPDF(ctx, data, lim)
	case KindTIFF:
		return openTIFF(ctx, data, lim)
	case KindJPEG:
		return openJPEG(data, lim)
	default:
		return openPNG(data, lim)
	}
}
