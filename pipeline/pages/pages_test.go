package pages

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"os"
	"os/exec"
	"sync"
	"testing"

	"golang.org/x/image/tiff"

	"onewindow/internal/testfixtures/encode"
	"onewindow/pipeline"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want Kind
		err  error
	}{
		{"empty", nil, "", ErrEmpty},
		{"pdf", []byte("%PDF-1.7\n"), KindPDF, nil},
		{"pdf after junk", append(bytes.Repeat([]byte{' '}, 100), "%PDF-1.4"...), KindPDF, nil},
		{"tiff little endian", []byte("II*\x00\x08\x00\x00\x00"), KindTIFF, nil},
		{"tiff big endian", []byte("MM\x00*\x00\x00\x00\x08"), KindTIFF, nil},
		{"bigtiff", []byte("II+\x00\x08\x00\x00\x00"), KindTIFF, nil},
		{"jpeg after junk", append([]byte("MMS header\r\n\x00\x01"), 0xFF, 0xD8, 0xFF, 0xE0, 0, 16), KindJPEG, nil},
		{"jpeg after too much junk", append(make([]byte, jpegHeaderWindow+1), 0xFF, 0xD8, 0xFF, 0xE0, 0, 16), "", ErrUnsupported},
		{"soi without a marker after it", []byte("junk\xFF\xD8\xFF\xFF\xD8\xFF\xD0"), "", ErrUnsupported},
		{"zip holding a jpeg", append([]byte("PK\x03\x04\x14\x00\x00\x00scan.jpg"), 0xFF, 0xD8, 0xFF, 0xE0, 0, 16), "", ErrUnsupported},
		{"pdf after 1 KB of junk, image near its start", append(append(make([]byte, 1100), "%PDF-1.4 "...), 0xFF, 0xD8, 0xFF, 0xE0), KindPDF, nil},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0}, KindJPEG, nil},
		{"png", magicPNG, KindPNG, nil},
		{"zip renamed .pdf", []byte("PK\x03\x04\x14\x00"), "", ErrUnsupported},
		{"text", []byte("hello, this is not a scan"), "", ErrUnsupported},
		{"gif", []byte("GIF89a"), "", ErrUnsupported},
		{"truncated png magic", magicPNG[:4], "", ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sniff(tt.head)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Errorf("Sniff = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestOpenRefuses(t *testing.T) {
	scanPDF := readTestdata(t, "scan3.pdf")
	g4 := readTestdata(t, "scan3-g4.tif")
	page := testPage(50, 70, 0)
	threeTIFF := buildTIFF(binary.LittleEndian, []tiffPageSpec{{img: page}, {img: page}, {img: page}})

	loop := bytes.Clone(threeTIFF)
	binary.LittleEndian.PutUint32(loop[len(loop)-4:], binary.LittleEndian.Uint32(loop[4:8])) // last IFD points to the first

	var zeroPages pdfBuilder
	zeroPages.add("<< /Type /Catalog /Pages 2 0 R >>")
	zeroPages.add("<< /Type /Pages /Kids [] /Count 0 >>")

	// A vector page carrying a 100000 x 100000 image: pdftoppm would try to decode it.
	bombInVectorPage := buildPDF([]pdfImagePage{{
		imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
		imageData: []byte{0x78, 0x9c, 0x03, 0, 0, 0, 0, 1}, w: 100000, h: 100000,
		content: "0 0 m 100 100 l S q 100 0 0 100 0 0 cm /Im0 Do Q",
	}})

	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"empty", nil, Limits{}, ErrEmpty},
		{"zip renamed .pdf", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00word/document.xml"), Limits{}, ErrUnsupported},
		{"text renamed .pdf", []byte("Dear sir, please find attached"), Limits{}, ErrUnsupported},
		{"pdf header then garbage", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("garbage "), 200)...), Limits{}, ErrCorrupt},
		{"truncated pdf", scanPDF[:len(scanPDF)/2], Limits{}, ErrCorrupt},
		{"encrypted pdf, user password", readTestdata(t, "encrypted-user.pdf"), Limits{}, ErrEncrypted},
		{"encrypted pdf, RC4", readTestdata(t, "encrypted-rc4.pdf"), Limits{}, ErrEncrypted},
		{"pdf with no pages", zeroPages.bytes(), Limits{}, ErrNoPages},
		{"pdf with too many pages", scanPDF, Limits{MaxPages: 2}, ErrTooManyPages},
		{"pdf image bomb on vector page", bombInVectorPage, Limits{}, ErrTooManyPixels},
		{"png 100000x100000", pngHeader(100000, 100000), Limits{}, ErrTooManyPixels},
		{"png over a small limit", encode.PNG(t, page), Limits{MaxPixels: 1000}, ErrTooManyPixels},
		{"png truncated header", pngHeader(10, 10)[:20], Limits{}, ErrCorrupt},
		{"jpeg 65535x65535", jpegHeader(65535, 65535), Limits{}, ErrTooManyPixels},
		{"jpeg garbage", []byte{0xFF, 0xD8, 0xFF, 0x00, 0x01}, Limits{}, ErrCorrupt},
		{"tiff 100000x100000", buildTIFF(binary.BigEndian, []tiffPageSpec{{w: 100000, h: 100000}}), Limits{}, ErrTooManyPixels},
		{"tiff too many pages", threeTIFF, Limits{MaxPages: 2}, ErrTooManyPages},
		{"tiff IFD loop", loop, Limits{}, ErrCorrupt},
		{"tiff truncated", g4[:len(g4)*2/3], Limits{}, ErrCorrupt},
		{"tiff header only", []byte("II*\x00"), Limits{}, ErrCorrupt},
		{"tiff no pages", []byte("II*\x00\x00\x00\x00\x00"), Limits{}, ErrNoPages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Open(context.Background(), tt.data, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
			if src != nil {
				t.Errorf("Open returned a source with error %v", err)
			}
			t.Logf("%v", err)
		})
	}
}

func TestJPEGPassthrough(t *testing.T) {
	img := testPage(200, 300, 1)
	data := encode.JPEG(t, img) // Go writes no JFIF segment
	jfif := append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, 0, 200, 0, 200, 0, 0}, data[2:]...)
	jfifCM := bytes.Clone(jfif)
	jfifCM[13], jfifCM[15], jfifCM[17] = 2, 118, 118 // 118 dots per cm

	tests := []struct {
		name string
		data []byte
		dpi  float64
	}{
		{"no density", data, 0},
		{"JFIF 200 dpi", jfif, 200},
		{"JFIF 118 dots per cm", jfifCM, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := mustOpen(t, tt.data, KindJPEG, 1)
			p, err := src.Page(context.Background(), 0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p.Data, tt.data) || p.Format != pipeline.FormatJPEG || p.Width != 200 || p.Height != 300 || p.DPI != tt.dpi {
				t.Errorf("page = %s %dx%d %v dpi, same bytes %v", p.Format, p.Width, p.Height, p.DPI, bytes.Equal(p.Data, tt.data))
			}
		})
	}
}

func TestPNGPassthrough(t *testing.T) {
	data := withPHYs(encode.PNG(t, testPage(120, 80, 0)), 11811)
	src := mustOpen(t, data, KindPNG, 1)
	p, err := src.Page(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Data, data) || p.Format != pipeline.FormatPNG || p.Width != 120 || p.Height != 80 || p.DPI != 300 {
		t.Errorf("page = %s %dx%d %v dpi", p.Format, p.Width, p.Height, p.DPI)
	}
	if _, err := src.Page(context.Background(), 1); err == nil {
		t.Error("page 1 of a PNG: no error")
	}
}

func mustOpen(t *testing.T, data []byte, kind Kind, pages int) Source {
	t.Helper()
	src, err := Open(context.Background(), data, Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := src.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if src.Kind() != kind || src.Len() != pages {
		t.Fatalf("Open = %s with %d pages, want %s with %d", src.Kind(), src.Len(), kind, pages)
	}
	return src
}

func TestPDFScannedPagesPassThrough(t *testing.T) {
	var jpegs [][]byte
	var specs []pdfImagePage
	for i := range 3 {
		j := encode.JPEG(t, testPage(248, 351, i))
		jpegs = append(jpegs, j)
		specs = append(specs, pdfImagePage{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", imageData: j, w: 248, h: 351})
	}
	src := mustOpen(t, buildPDF(specs), KindPDF, 3)
	for i, want := range jpegs {
		p, err := src.Page(context.Background(), i)
		if err != nil {
			t.Fatal(err)
		}
		if p.Format != pipeline.FormatJPEG || !bytes.Equal(p.Data, want) {
			t.Errorf("page %d: %s, %d bytes; want the embedded JPEG (%d bytes)", i, p.Format, len(p.Data), len(want))
		}
		if p.Width != 248 || p.Height != 351 || p.DPI != 30 {
			t.Errorf("page %d: %dx%d %v dpi, want 248x351 30 dpi", i, p.Width, p.Height, p.DPI)
		}
	}

	// Pillow's PDFs, like the scanner corpus: each page is exactly a JPEG found in the file.
	data := readTestdata(t, "scan3.pdf")
	src = mustOpen(t, data, KindPDF, 3)
	for i := range 3 {
		p, err := src.Page(context.Background(), i)
		if err != nil {
			t.Fatal(err)
		}
		if p.Format != pipeline.FormatJPEG || !bytes.Contains(data, p.Data) || !bytes.HasPrefix(p.Data, magicJPEG) {
			t.Errorf("page %d: %s is not a JPEG from the file", i, p.Format)
		}
		if _, err := Decode(p); err != nil {
			t.Errorf("page %d: %v", i, err)
		}
	}
}

// The Pillow-made CCITT PDF and G4 TIFF hold the same two first pages.
func TestBilevelPDFMatchesTIFF(t *testing.T) {
	pdfSrc := mustOpen(t, readTestdata(t, "bilevel1.pdf"), KindPDF, 2)
	tiffSrc := mustOpen(t, readTestdata(t, "scan3-g4.tif"), KindTIFF, 3)
	for i := range 2 {
		a := mustDecodeGray(t, pdfSrc, i)
		b := mustDecodeGray(t, tiffSrc, i)
		if !bytes.Equal(a.Pix, b.Pix) {
			t.Errorf("page %d differs between the CCITT PDF and the G4 TIFF", i)
		}
		if black := countBelow(a, 128); black == 0 || black == len(a.Pix) {
			t.Errorf("page %d: %d black pixels of %d", i, black, len(a.Pix))
		}
	}
}

func mustDecodeGray(t *testing.T, src Source, i int) *image.Gray {
	t.Helper()
	p, err := src.Page(context.Background(), i)
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != pipeline.FormatPNG {
		t.Fatalf("page %d is %s, want png", i, p.Format)
	}
	g, err := DecodeGrayDownscaled(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if g.Rect.Dx() != p.Width || g.Rect.Dy() != p.Height {
		t.Fatalf("page %d: decoded %v, PageImage says %dx%d", i, g.Rect, p.Width, p.Height)
	}
	return g
}

func countBelow(g *image.Gray, v uint8) int {
	n := 0
	for _, p := range g.Pix {
		if p < v {
			n++
		}
	}
	return n
}

func TestTIFFPages(t *testing.T) {
	var pages []tiffPageSpec
	for i := range 3 {
		pages = append(pages, tiffPageSpec{img: testPage(64+i, 90, i)})
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		t.Run(order.String(), func(t *testing.T) {
			src := mustOpen(t, buildTIFF(order, pages), KindTIFF, 3)
			for i, want := range pages {
				got := mustDecodeGray(t, src, i)
				if !bytes.Equal(got.Pix, want.img.Pix) {
					t.Errorf("page %d differs", i)
				}
			}
		})
	}

	// G4: the fast path must give what x/image/tiff decodes from the same IFD, except that
	// x/image shows Pillow's (libtiff's) BlackIsZero fax pages as negatives.
	data := readTestdata(t, "scan3-g4.tif")
	src := mustOpen(t, data, KindTIFF, 3)
	ts := src.(*tiffSource)
	for i, p := range ts.pages {
		if p.g4 == nil || p.dpi != 30 {
			t.Errorf("page %d: G4 fast path not taken or dpi %v", i, p.dpi)
		}
		want, err := tiff.Decode(ts.reader(p.ifd))
		if err != nil {
			t.Fatal(err)
		}
		negative := want.(*image.Gray).Pix
		for i, v := range negative {
			negative[i] = ^v
		}
		got := mustDecodeGray(t, src, i)
		if !bytes.Equal(got.Pix, negative) {
			t.Errorf("page %d: G4 fast path differs from tiff.Decode", i)
		}
		if black := countBelow(got, 128); black > len(got.Pix)/5 {
			t.Errorf("page %d: %d of %d pixels black: a negative?", i, black, len(got.Pix))
		}
	}
}

func TestPDFDecodedImages(t *testing.T) {
	img := testPage(100, 140, 2)
	inverted := bytes.Clone(img.Pix)
	for i := range inverted {
		inverted[i] = 255 - inverted[i]
	}
	bits := grayToBits(img)
	invBits := bytes.Clone(bits.pix)
	for i := range invBits {
		invBits[i] = ^invBits[i]
	}
	tests := []struct {
		name string
		page pdfImagePage
	}{
		{"flate gray", pdfImagePage{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", imageData: zlibBytes(t, img.Pix)}},
		{"flate gray inverted", pdfImagePage{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Decode [1 0]", imageData: zlibBytes(t, inverted)}},
		{"uncompressed 1-bit", pdfImagePage{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 1", imageData: bits.pix}},
		{"flate 1-bit inverted", pdfImagePage{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode /Decode [1 0]", imageData: zlibBytes(t, invBits)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.page.w, tt.page.h = 100, 140
			src := mustOpen(t, buildPDF([]pdfImagePage{tt.page}), KindPDF, 1)
			if mode := src.(*pdfSource).pages[0].mode; mode != decodeImage {
				t.Fatalf("mode %v, want decodeImage", mode)
			}
			if got := mustDecodeGray(t, src, 0); !bytes.Equal(got.Pix, img.Pix) {
				t.Error("pixels differ")
			}
		})
	}
}

func TestPDFPagePlans(t *testing.T) {
	j := encode.JPEG(t, testPage(100, 140, 0))
	gray := "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
	tests := []struct {
		name string
		page pdfImagePage
		want pdfPageMode
	}{
		{"scanned jpeg", pdfImagePage{imageDict: gray}, passJPEG},
		{"colour space missing", pdfImagePage{imageDict: "/ColorSpace [/ICCBased 99 0 R] /BitsPerComponent 8 /Filter /DCTDecode"}, render},
		{"drawn without q/Q, with a comment", pdfImagePage{imageDict: gray, content: "% scanner\n595.28 0 0 841.89 0 0 cm\n/Im0 Do"}, passJPEG},
		{"page rotated", pdfImagePage{imageDict: gray, pageExtra: "/Rotate 90"}, render},
		{"image on half the page", pdfImagePage{imageDict: gray, content: "q 297 0 0 420 0 0 cm /Im0 Do Q"}, render},
		{"image drawn upside down", pdfImagePage{imageDict: gray, content: "q 595.28 0 0 -841.89 0 841.89 cm /Im0 Do Q"}, render},
		{"image drawn twice", pdfImagePage{imageDict: gray, content: "q 595.28 0 0 841.89 0 0 cm /Im0 Do Q q 595.28 0 0 841.89 0 0 cm /Im0 Do Q"}, render},
		{"image and text", pdfImagePage{imageDict: gray, content: "q 595.28 0 0 841.89 0 0 cm /Im0 Do Q BT /F1 12 Tf (x) Tj ET"}, render},
		{"jpeg inverted by Decode", pdfImagePage{imageDict: gray + " /Decode [1 0]"}, render},
		{"jpeg with soft mask", pdfImagePage{imageDict: gray + " /SMask 99 0 R"}, render},
		{"jpeg said to be RGB", pdfImagePage{imageDict: "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode"}, render},
		{"jpeg size differs from dictionary", pdfImagePage{imageDict: gray, w: 99}, render},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.page.imageData = j
			if tt.page.w == 0 {
				tt.page.w = 100
			}
			tt.page.h = 140
			src := mustOpen(t, buildPDF([]pdfImagePage{tt.page}), KindPDF, 1)
			if got := src.(*pdfSource).pages[0].mode; got != tt.want {
				t.Errorf("mode %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPDFRendersOtherPages(t *testing.T) {
	if _, err := exec.LookPath(PdftoppmPath); err != nil {
		t.Skip("pdftoppm not installed")
	}
	j := encode.JPEG(t, testPage(100, 140, 0))
	jpegPage := pdfImagePage{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", imageData: j, w: 100, h: 140}
	vector := pdfImagePage{content: "0 g 72 700 200 100 re f"}
	halfPage := jpegPage
	halfPage.content = "q 297 0 0 420 0 0 cm /Im0 Do Q"
	imageAndText := jpegPage
	imageAndText.content = "q 595.28 0 0 841.89 0 0 cm /Im0 Do Q 0 g 10 10 50 50 re f"
	src := mustOpen(t, buildPDF([]pdfImagePage{vector, jpegPage, halfPage, imageAndText}), KindPDF, 4)

	var wg sync.WaitGroup
	got := make([]pipeline.PageImage, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Go(func() { got[i], errs[i] = src.Page(context.Background(), i) })
	}
	wg.Wait()
	wantFormats := []string{pipeline.FormatPNG, pipeline.FormatJPEG, pipeline.FormatPNG, pipeline.FormatPNG}
	for i, p := range got {
		if errs[i] != nil {
			t.Fatalf("page %d: %v", i, errs[i])
		}
		if p.Format != wantFormats[i] {
			t.Errorf("page %d: %s, want %s", i, p.Format, wantFormats[i])
		}
	}
	p := got[0]
	if p.Width < 2480 || p.Width > 2481 || p.Height < 3508 || p.Height > 3509 || p.DPI != RenderDPI {
		t.Errorf("rendered page: %dx%d %v dpi, want 2480x3508 300 dpi", p.Width, p.Height, p.DPI)
	}
	g, err := DecodeGrayDownscaled(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The filled rectangle 72..272 x 700..800 pt from the bottom-left.
	if v := g.GrayAt(700, 3508-3125); v.Y > 50 {
		t.Errorf("inside the rectangle: gray %d, want black", v.Y)
	}
	if v := g.GrayAt(2000, 2000); v.Y < 200 {
		t.Errorf("outside the rectangle: gray %d, want white", v.Y)
	}

	tmp := src.(*pdfSource).r.path
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("temp file: %v", err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temp file still there after Close: %v", err)
	}
	if _, err := src.Page(context.Background(), 0); err == nil {
		t.Error("Page after Close: no error")
	}
}

func TestPDFLargeVectorPageRenderedSmaller(t *testing.T) {
	var p pdfBuilder
	p.add("<< /Type /Catalog /Pages 2 0 R >>")
	p.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	p.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2384 3370] >>") // A0, no content
	src, err := Open(context.Background(), p.bytes(), Limits{MaxPixels: 20_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	pg := src.(*pdfSource).pages[0]
	if pg.mode != render || pg.dpi >= RenderDPI || pg.dpi < minRenderDPI {
		t.Errorf("A0 page: mode %v at %v dpi", pg.mode, pg.dpi)
	}
}

func TestGrayDownscaled(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 10, 7))
	for i := range g.Pix {
		g.Pix[i] = uint8(i % 2 * 200)
	}
	rgba := image.NewRGBA(g.Rect)
	pal := image.NewPaletted(g.Rect, color.Palette{color.Gray{Y: 0}, color.Gray{Y: 200}})
	for y := range 7 {
		for x := range 10 {
			rgba.Set(x, y, g.GrayAt(x, y))
			pal.Pix[y*pal.Stride+x] = g.GrayAt(x, y).Y / 200
		}
	}
	ycc := image.NewYCbCr(g.Rect, image.YCbCrSubsampleRatio420)
	copy(ycc.Y, g.Pix)
	tests := []struct {
		name    string
		img     image.Image
		maxSide int
		w, h    int
	}{
		{"gray full size", g, 0, 10, 7},
		{"gray by 2", g, 5, 5, 4},
		{"rgba by 2", rgba, 5, 5, 4},
		{"paletted by 2", pal, 5, 5, 4},
		{"ycbcr by 2", ycc, 5, 5, 4},
		{"by 3", g, 4, 4, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := GrayDownscaled(tt.img, tt.maxSide)
			if out.Rect.Dx() != tt.w || out.Rect.Dy() != tt.h {
				t.Fatalf("size %v, want %dx%d", out.Rect, tt.w, tt.h)
			}
			if tt.maxSide == 5 {
				// Columns alternate 0 and 200, so every full 2x2 box averages 100.
				if v := out.GrayAt(1, 1).Y; v != 100 {
					t.Errorf("box average %d, want 100", v)
				}
			}
		})
	}
}

func BenchmarkDecodeJPEG(b *testing.B) {
	p := pipeline.PageImage{Data: encode.JPEG(b, testPage(2480, 3508, 1)), Format: pipeline.FormatJPEG}
	b.SetBytes(int64(len(p.Data)))
	for b.Loop() {
		if _, err := Decode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeGrayDownscaledJPEG(b *testing.B) {
	p := pipeline.PageImage{Data: encode.JPEG(b, testPage(2480, 3508, 1)), Format: pipeline.FormatJPEG}
	for b.Loop() {
		if _, err := DecodeGrayDownscaled(p, 1000); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTIFFGrayPage(b *testing.B) {
	data := buildTIFF(binary.LittleEndian, []tiffPageSpec{{img: testPage(2480, 3508, 1)}})
	src, err := Open(context.Background(), data, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := src.Page(context.Background(), 0); err != nil {
			b.Fatal(err)
		}
	}
}

// A large PDF whose end is not intact is refused before pdfcpu rebuilds its cross-reference
// table by scanning it whole; an intact one, however large, opens as before.
func TestLargePDFNeedsAnIntactEnd(t *testing.T) {
	defer func(was int) { repairMaxBytes = was }(repairMaxBytes)
	repairMaxBytes = 0 // every test file counts as large
	ctx := context.Background()
	for _, name := range []string{"scan3.pdf", "bilevel1.pdf"} {
		data := readTestdata(t, name)
		if !intactTail(data) {
			t.Errorf("%s: an intact file's end is not recognised", name)
		}
		src, err := Open(ctx, data, Limits{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		src.Close()
	}
	scan := readTestdata(t, "scan3.pdf")
	i := bytes.LastIndex(scan, []byte("startxref"))
	bent := append(bytes.Clone(scan[:i]), []byte("startxref\n17\n%%EOF\n")...)
	junk := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0x8f, 'x', 0}, 4096)...)
	for name, data := range map[string][]byte{
		"truncated":                     scan[:len(scan)-40],
		"startxref pointing at junk":    bent,
		"header then junk":              junk,
		"trailing junk past a kilobyte": append(bytes.Clone(scan), bytes.Repeat([]byte("z"), 2000)...),
	} {
		if intactTail(data) {
			t.Errorf("%s: taken for intact", name)
		}
		// Such a file goes to poppler, which repairs it in a process of its own.
		src, err := Open(ctx, data, Limits{})
		if name == "header then junk" {
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: %v, want ErrCorrupt", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := pdfModes(src); got != "RRR" {
			t.Errorf("%s: pages %q, want all three rendered by poppler", name, got)
		}
		src.Close()
	}
}
