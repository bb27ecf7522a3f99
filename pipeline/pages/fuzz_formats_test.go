package pages

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"testing"

	"onewindow/internal/testfixtures/encode"
)

// The page readers of the two multi-page formats, fuzzed apart from Sniff so that every
// mutation reaches the reader: arbitrary bytes give a sentinel error, never a panic, and every
// page of what opens comes out as an image or an error, and decodes or fails without a panic.

var fuzzLimits = Limits{MaxPages: 20, MaxPixels: 4_000_000}

func checkFuzzOpen(t *testing.T, src Source, err error) {
	if err != nil {
		if src != nil {
			t.Fatal("source and error")
		}
		for _, sentinel := range []error{ErrEmpty, ErrUnsupported, ErrCorrupt, ErrEncrypted, ErrNoPages, ErrTooManyPages, ErrTooManyPixels, ErrUnreadable} {
			if errors.Is(err, sentinel) {
				return
			}
		}
		t.Fatalf("error without a sentinel: %v", err)
	}
	defer src.Close()
	for i := range min(src.Len(), 3) {
		if ps, ok := src.(*pdfSource); ok && ps.pages[i].mode == render {
			continue // pdftoppm's robustness is not ours to fuzz, and it is slow
		}
		if ts, ok := src.(*tiffSource); ok && !ts.pages[i].native {
			continue // nor is libtiff's, run as a child process for the same reason
		}
		p, err := src.Page(context.Background(), i)
		if err != nil {
			continue
		}
		// The worker decodes the page next; a scan image passed through unchanged may be
		// broken inside (that is an error there), but decoding must not panic.
		_, _ = DecodeGrayDownscaled(p, 64)
	}
}

// FuzzPDFPages: PDF page extraction (scan images taken out as they are, or re-encoded).
func FuzzPDFPages(f *testing.F) {
	for _, name := range []string{"scan3.pdf", "bilevel1.pdf", "encrypted-owner.pdf"} {
		f.Add(readTestdata(f, name))
	}
	page := testPage(40, 30, 1)
	f.Add(buildPDF([]pdfImagePage{{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", imageData: encode.JPEG(f, page), w: 40, h: 30}}))
	f.Add(buildPDF([]pdfImagePage{{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 1", imageData: grayToBits(page).pix, w: 40, h: 30}}))
	f.Add(buildPDF([]pdfImagePage{{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 8", imageData: page.Pix, w: 40, h: 30}}))
	// Poppler's robustness is not ours to fuzz, and a process for most inputs slows fuzzing to
	// a crawl: while fuzzing, a file pdfcpu cannot read gets pdfcpu's error, as without
	// poppler. The seeds (testdata/fuzz) still go through poppler in every test run.
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		defer func(was string) { PdfinfoPath = was }(PdfinfoPath)
		PdfinfoPath = "pdfinfo-not-while-fuzzing"
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := openPDF(context.Background(), data, fuzzLimits.withDefaults())
		checkFuzzOpen(t, src, err)
	})
}

// FuzzTIFFPages: TIFF decoding (the IFD chain walked by hand, G4 and uncompressed pages).
func FuzzTIFFPages(f *testing.F) {
	f.Add(readTestdata(f, "scan3-g4.tif"))
	page := testPage(40, 30, 1)
	f.Add(buildTIFF(binary.BigEndian, []tiffPageSpec{{img: page}, {img: page}}))
	f.Add(buildTIFF(binary.LittleEndian, []tiffPageSpec{{img: page}}))
	f.Add(buildTIFF(binary.LittleEndian, []tiffPageSpec{{w: 60000, h: 60000}}))
	for _, name := range []string{"tiff-multipage.tif", "tiff-bigtiff.tif", "tiff-ojpeg.tif", "tiff-jpeg-ycbcr.tif", "tiff-tiled.tif", "tiff-g3-2d-lsb.tif", "tiff-orient6-lzw.tif", "tiff-no-rps.tif"} {
		f.Add(readTestdata(f, "formats/"+name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := openTIFF(context.Background(), data, fuzzLimits.withDefaults())
		checkFuzzOpen(t, src, err)
	})
}
