package stamp

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/internal/testfixtures/encode"
	"onewindow/pipeline"
	"onewindow/pipeline/pdfout"
)

// The QR code carries a verification URL (about a hundred characters with a public host, a
// UUID document ID and the digest), several times what it carried as a bare ID; it must
// still read from the page at 150 dpi, also where the stamp had to shrink to fit.
func TestVerificationURLReads(t *testing.T) {
	const url = "https://zwfw.example.gov.cn/onewindow/verify/0193f2a1-7b4c-7def-8a12-3456789abcde-001?d=89abcdef01234567"
	s := newStamper(t)
	for _, tt := range []struct {
		name   string
		blocks []block
	}{
		{"roomy", []block{{x: 150, y: 500, lines: 12, words: 7}}},
		{"crowded", []block{{x: 100, y: 100, lines: 30, words: 9}, {x: 100, y: 1500, lines: 4, words: 5}}},
		{"full", []block{{x: 40, y: 40, lines: 36, words: 11}}}, // no room: the stamp shrinks to its least
	} {
		t.Run(tt.name, func(t *testing.T) {
			img, words := syntheticPage(1240, 1754, tt.blocks)
			page := pipeline.PageImage{Data: encode.PNG(t, img), Format: pipeline.FormatPNG, Width: 1240, Height: 1754, DPI: testDPI}
			wPt, hPt := pdfout.PageSize(page)
			ov, err := s.PageOverlay(PageInfo{PageNo: 1, PageCount: 1, CaseNo: "JL2024-000123", Station: "A08",
				Date: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), VerifyID: url, WidthPt: wPt, HeightPt: hPt, DPI: testDPI, Words: words})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("stamp %.0fx%.0f pt", ov.StampBox.X1-ov.StampBox.X0, ov.StampBox.Y1-ov.StampBox.Y0)
			pdf := encode.PDF(t, func(f io.Writer) encode.PageWriter[pdfout.Page] {
				return pdfout.NewWriter(f, pdfout.Meta{Title: "verify"})
			}, pdfout.Page{Image: page, Overlay: ov.Ops, OverlayResources: ov.Resources})
			if got := decodeQR(t, pdf, ov.StampBox, hPt); got != url {
				t.Errorf("QR decodes to %q", got)
			}
		})
	}
}

// A page a person turned (its /Rotate) shows its stamp and page number upright where they
// were placed on the page as shown, clear of its words: the stamp's QR code reads from the
// box the overlay names, and Tesseract, with no orientation detection, reads the hall's name
// and the page number from the rendered page.
func TestMarksUprightOnTurnedPage(t *testing.T) {
	s := newStamper(t)
	img, words := syntheticPage(1240, 1754, []block{{x: 150, y: 500, lines: 12, words: 7}})
	page := pipeline.PageImage{Data: encode.PNG(t, img), Format: pipeline.FormatPNG, Width: 1240, Height: 1754, DPI: testDPI}
	wPt, hPt := pdfout.PageSize(page)
	for _, rotate := range []int{90, 180, 270} {
		t.Run(fmt.Sprint(rotate), func(t *testing.T) {
			const url = "https://zwfw.example.gov.cn/verify/turned"
			ov, err := s.PageOverlay(PageInfo{PageNo: 1, PageCount: 1, CaseNo: "JL2024-000123", Station: "A08",
				Date: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), VerifyID: url, WidthPt: wPt, HeightPt: hPt, DPI: testDPI,
				Words: words, Rotate: rotate})
			if err != nil {
				t.Fatal(err)
			}
			shownW, shownH := wPt, hPt
			if rotate != 180 {
				shownW, shownH = hPt, wPt
			}
			if b := ov.StampBox; b.X0 < 0 || b.Y0 < 0 || b.X1 > shownW || b.Y1 > shownH {
				t.Fatalf("stamp %v is off the %gx%g page as shown", b, shownW, shownH)
			}
			pdf := encode.PDF(t, func(f io.Writer) encode.PageWriter[pdfout.Page] {
				return pdfout.NewWriter(f, pdfout.Meta{Title: "turned"})
			}, pdfout.Page{Image: page, Overlay: ov.Ops, OverlayResources: ov.Resources, Rotate: rotate})
			if got := decodeQR(t, pdf, ov.StampBox, shownH); got != url {
				t.Errorf("QR decodes to %q", got)
			}
			out := filepath.Join(t.TempDir(), "shown")
			encode.Run(t, "pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", pdf, out)
			text := encode.Run(t, "tesseract", out+".png", "-", "-l", "chi_sim", "--psm", "11")
			squeezed := strings.Join(strings.Fields(text), "")
			for _, want := range []string{testHall, "第1页"} {
				if !strings.Contains(squeezed, want) {
					t.Errorf("%q not read upright from the page as shown; read:\n%s", want, text)
				}
			}
		})
	}
}

// Words read again on the page as shown (WordsShown) are where the marks must not go: the
// stamp and the page number keep clear of them on the shown page for every turn.
func TestMarksAvoidWordsReadAsShown(t *testing.T) {
	s := newStamper(t)
	for _, rotate := range []int{90, 180, 270} {
		// The page as shown: landscape for a quarter turn of a portrait scan.
		shownW, shownH := 1240, 1754
		if rotate != 180 {
			shownW, shownH = 1754, 1240
		}
		// Text fills the shown page but for a strip at its top, above the block.
		_, words := syntheticPage(shownW, shownH, []block{{x: 60, y: 400, lines: (shownH - 460) / 45, words: (shownW - 120) / 110}})
		wPt, hPt := pdfout.PageSize(pipeline.PageImage{Width: 1240, Height: 1754, DPI: testDPI})
		ov, err := s.PageOverlay(PageInfo{PageNo: 1, PageCount: 2, CaseNo: "JL2024-000123", Station: "A08",
			Date: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), VerifyID: "https://zwfw.example.gov.cn/verify/shown",
			WidthPt: wPt, HeightPt: hPt, DPI: testDPI, Words: words, WordsShown: true, Rotate: rotate})
		if err != nil {
			t.Fatal(err)
		}
		shownHPt := float64(shownH) * 72 / testDPI
		assertClear(t, ov.StampBox, words, shownHPt)
		assertClear(t, ov.FooterBox, words, shownHPt)
	}
}
