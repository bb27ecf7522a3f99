package pdfout

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/internal/testfixtures/encode"
	"onewindow/pipeline"
)

// testLines is the synthetic page's text, one OCR line per entry; words split on spaces.
var testLines = []string{
	"营业执照 统一社会信用代码 91220101MA0Y12345X",
	"名称 长春市示例科技有限公司",
	"The quick brown fox jumps over 13 lazy dogs.",
}

// testPage draws dark bars where words are and returns the matching OCR result. Chinese
// words are split into one OCR word per character, as Tesseract's chi_sim does.
func testPage(w, h int) (*image.Gray, *pipeline.OCRPage) {
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	ocr := &pipeline.OCRPage{Width: w, Height: h}
	lineH := h / 50
	for li, line := range testLines {
		y := h/8 + li*lineH*2
		x := w / 10
		for wi, word := range strings.Fields(line) {
			var parts []string
			if startsCJK(word) {
				for _, r := range word {
					parts = append(parts, string(r))
				}
			} else {
				parts = []string{word}
			}
			for _, p := range parts {
				n := len([]rune(p))
				ww := n * lineH / 2
				if startsCJK(p) {
					ww = lineH
				}
				box := image.Rect(x, y, x+ww, y+lineH)
				draw.Draw(img, box.Inset(2), image.NewUniform(color.Gray{Y: 60}), image.Point{}, draw.Src)
				ocr.Words = append(ocr.Words, pipeline.Word{Text: p, Box: box, Conf: 90, Block: 1, Par: 1, Line: li + 1})
				x += ww + lineH/8
			}
			if wi >= 0 {
				x += lineH / 3
			}
		}
	}
	ocr.Text = strings.Join(testLines, "\n")
	return img, ocr
}

// writePDF writes pages as the pipeline does, with a fixed creation date.
func writePDF(t *testing.T, pages ...Page) string {
	return encode.PDF(t, func(f io.Writer) encode.PageWriter[Page] {
		return NewWriter(f, Meta{Title: "测试 document", CreationDate: time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("CST", 8*3600))})
	}, pages...)
}

// squash removes whitespace so CJK text compares regardless of how an extractor spaces it.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func TestWriterSearchablePDF(t *testing.T) {
	img, ocr := testPage(1240, 1754)
	rgb := image.NewRGBA(img.Bounds())
	draw.Draw(rgb, rgb.Bounds(), img, image.Point{}, draw.Src)
	rgb.Set(5, 5, color.RGBA{R: 200, A: 255})
	bw := image.NewGray(img.Bounds())
	for i, v := range img.Pix {
		if v > 128 {
			bw.Pix[i] = 255
		}
	}
	pal := image.NewPaletted(img.Bounds(), color.Palette{color.White, color.RGBA{R: 200, A: 255}, color.Black})
	draw.Draw(pal, pal.Bounds(), img, image.Point{}, draw.Src)

	jpegGray := encode.JPEG(t, img)
	jpegRGB := encode.JPEG(t, rgb)
	tests := []struct {
		name string
		img  pipeline.PageImage
	}{
		{"jpeg gray", pipeline.PageImage{Data: jpegGray, Format: pipeline.FormatJPEG, Width: 1240, Height: 1754, DPI: 150}},
		{"jpeg rgb", pipeline.PageImage{Data: jpegRGB, Format: pipeline.FormatJPEG, Width: 1240, Height: 1754, DPI: 150}},
		{"png gray", pipeline.PageImage{Data: encode.PNG(t, img), Format: pipeline.FormatPNG, Width: 1240, Height: 1754, DPI: 150}},
		{"png bilevel", pipeline.PageImage{Data: encode.PNG(t, bw), Format: pipeline.FormatPNG, Width: 1240, Height: 1754, DPI: 150}},
		{"png rgb", pipeline.PageImage{Data: encode.PNG(t, rgb), Format: pipeline.FormatPNG, Width: 1240, Height: 1754, DPI: 150}},
		{"png paletted", pipeline.PageImage{Data: encode.PNG(t, pal), Format: pipeline.FormatPNG, Width: 1240, Height: 1754, DPI: 150}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writePDF(t, Page{Image: tt.img, OCR: ocr})
			if out := encode.Run(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") || strings.Contains(strings.ToLower(out), "warning") {
				t.Fatalf("qpdf --check:\n%s", out)
			}
			text := encode.Run(t, "pdftotext", "-layout", path, "-")
			gotLines := nonEmptyLines(text)
			if len(gotLines) != len(testLines) {
				t.Fatalf("pdftotext returned %d lines, want %d:\n%s", len(gotLines), len(testLines), text)
			}
			for i, want := range testLines {
				if squash(gotLines[i]) != squash(want) {
					t.Errorf("line %d = %q, want %q", i, gotLines[i], want)
				}
			}
			// Latin words must stay separate words.
			if !strings.Contains(text, "quick brown fox") {
				t.Errorf("English words glued together: %q", text)
			}
			// Chinese must not be split by spaces, or phrase search breaks.
			if !strings.Contains(text, "统一社会信用代码") {
				t.Errorf("Chinese word split: %q", text)
			}
			info := encode.Run(t, "pdfinfo", path)
			if !strings.Contains(info, "Producer:        onewindow") || !strings.Contains(info, "测试 document") || !strings.Contains(info, "595.2 x 841.92 pts") {
				t.Errorf("pdfinfo:\n%s", info)
			}
			encode.Run(t, "pdftoppm", "-r", "10", "-png", path, filepath.Join(t.TempDir(), "p"))
		})
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(strings.Trim(l, "\f")) != "" {
			out = append(out, strings.TrimSpace(strings.Trim(l, "\f")))
		}
	}
	return out
}

func TestJPEGEmbeddedUnchanged(t *testing.T) {
	img, ocr := testPage(600, 800)
	data := encode.JPEG(t, img)
	path := writePDF(t, Page{Image: pipeline.PageImage{Data: data, Format: pipeline.FormatJPEG, Width: 600, Height: 800}, OCR: ocr})
	list := encode.Run(t, "pdfimages", "-list", path)
	if !strings.Contains(list, "jpeg") {
		t.Fatalf("pdfimages -list shows no JPEG:\n%s", list)
	}
	dir := t.TempDir()
	encode.Run(t, "pdfimages", "-j", path, filepath.Join(dir, "img"))
	got, err := os.ReadFile(filepath.Join(dir, "img-000.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("embedded JPEG differs: %d bytes, want %d", len(got), len(data))
	}
}

func TestJPEGColorSpaces(t *testing.T) {
	// Go's encoder cannot write CMYK; testdata/cmyk.jpg is a 16x8 Adobe CMYK JPEG from PIL.
	cmyk, err := os.ReadFile("testdata/cmyk.jpg")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"gray", encode.JPEG(t, image.NewGray(image.Rect(0, 0, 16, 8))), "/DeviceGray"},
		{"rgb", encode.JPEG(t, image.NewRGBA(image.Rect(0, 0, 16, 8))), "/DeviceRGB"},
		{"cmyk", cmyk, "/DeviceRGB"}, // PDF/A with an sRGB output intent has no DeviceCMYK
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := jpegImage(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(im.dict, "/ColorSpace "+tt.want+" ") || im.width != 16 || im.height != 8 {
				t.Errorf("dict = %s (%dx%d)", im.dict, im.width, im.height)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		img  pipeline.PageImage
	}{
		{"unknown format", pipeline.PageImage{Data: []byte("x"), Format: "gif"}},
		{"broken jpeg", pipeline.PageImage{Data: []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 200}, Format: pipeline.FormatJPEG}},
		{"broken png", pipeline.PageImage{Data: []byte("\x89PNG\r\n\x1a\nxx"), Format: pipeline.FormatPNG}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWriter(io.Discard, Meta{})
			if err := w.AddPage(Page{Image: tt.img}); !errors.Is(err, ErrUnsupportedImage) {
				t.Fatalf("AddPage = %v, want ErrUnsupportedImage", err)
			}
		})
	}
	if err := NewWriter(io.Discard, Meta{}).Close(); !errors.Is(err, ErrNoPages) {
		t.Errorf("Close without pages = %v, want ErrNoPages", err)
	}
	w := NewWriter(io.Discard, Meta{})
	err := w.AddPage(Page{Image: pipeline.PageImage{Data: encode.PNG(t, image.NewGray(image.Rect(0, 0, 4, 4))), Format: pipeline.FormatPNG},
		OverlayResources: Resources{ExtGState: map[string]ExtGState{"OWScan": {}}}})
	if !errors.Is(err, ErrResourceName) {
		t.Errorf("clashing resource name: %v, want ErrResourceName", err)
	}
}

func TestOverlayAndMultiplePages(t *testing.T) {
	img, ocr := testPage(620, 877)
	data := encode.PNG(t, img)
	var pages []Page
	for i := range 3 {
		pages = append(pages, Page{
			Image:            pipeline.PageImage{Data: data, Format: pipeline.FormatPNG, Width: 620, Height: 877, DPI: 75},
			OCR:              ocr,
			Overlay:          []byte("/GS1 gs 1 0 0 RG 2 w 400 700 100 50 re S"),
			OverlayResources: Resources{ExtGState: map[string]ExtGState{"GS1": {StrokeAlpha: 0.85, FillAlpha: 0.85}}},
		})
		_ = i
	}
	path := writePDF(t, pages...)
	if out := encode.Run(t, "qpdf", "--check", path); strings.Contains(strings.ToLower(out), "warning") {
		t.Fatalf("qpdf --check:\n%s", out)
	}
	text := encode.Run(t, "pdftotext", path, "-")
	if got := strings.Count(text, "\f"); got != 3 {
		t.Errorf("pdftotext found %d pages, want 3", got)
	}
}

func BenchmarkWriter30Pages(b *testing.B) {
	img, ocr := testPage(2480, 3508)
	data := encode.JPEG(b, img)
	page := Page{Image: pipeline.PageImage{Data: data, Format: pipeline.FormatJPEG, Width: 2480, Height: 3508, DPI: 300}, OCR: ocr}
	b.ReportAllocs()
	for b.Loop() {
		w := NewWriter(io.Discard, Meta{Title: "bench"})
		for range 30 {
			if err := w.AddPage(page); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// Tesseract's chi_sim word boxes overlap and vary wildly in height; the text must still
// come out as one line per OCR line, without spaces inside Chinese runs.
func TestTextLayerRealisticBoxes(t *testing.T) {
	word := func(text string, x, y, w, h, line int) pipeline.Word {
		return pipeline.Word{Text: text, Box: image.Rect(x, y, x+w, y+h), Block: 1, Par: 1, Line: line}
	}
	ocr := &pipeline.OCRPage{Width: 1240, Height: 1754, Words: []pipeline.Word{
		word("第", 152, 203, 56, 20, 1), word("一", 180, 190, 17, 44, 1), word("章", 214, 217, 3, 5, 1),
		word("总", 217, 205, 34, 20, 1), word("则", 239, 190, 14, 44, 1),
		word("住所:", 150, 300, 60, 22, 2), word("吉林省", 220, 300, 66, 22, 2), word("解放大路", 290, 300, 88, 22, 2),
		word("1570", 380, 301, 40, 20, 2), word("号。", 422, 300, 44, 22, 2),
		word("Registered", 150, 400, 100, 22, 3), word("office:", 262, 400, 60, 22, 3), word("7", 334, 400, 10, 22, 3),
		word("Hauptstrasse,", 350, 400, 120, 22, 3), word("Hamburg", 480, 400, 80, 22, 3),
	}}
	img := image.NewGray(image.Rect(0, 0, 1240, 1754))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	path := writePDF(t, Page{Image: pipeline.PageImage{Data: encode.PNG(t, img), Format: pipeline.FormatPNG, Width: 1240, Height: 1754, DPI: 150}, OCR: ocr})
	got := nonEmptyLines(encode.Run(t, "pdftotext", path, "-"))
	want := []string{"第一章总则", "住所:吉林省解放大路1570号。", "Registered office: 7 Hauptstrasse, Hamburg"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pdftotext:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func BenchmarkPNGPage(b *testing.B) {
	img, ocr := testPage(2480, 3508)
	rgb := image.NewRGBA(img.Bounds())
	draw.Draw(rgb, rgb.Bounds(), img, image.Point{}, draw.Src)
	rgb.Set(0, 0, color.RGBA{R: 255, A: 255})
	for _, bc := range []struct {
		name string
		img  image.Image
	}{{"gray", img}, {"rgb", rgb}} {
		page := Page{Image: pipeline.PageImage{Data: encode.PNG(b, bc.img), Format: pipeline.FormatPNG, DPI: 300}, OCR: ocr}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				w := NewWriter(io.Discard, Meta{})
				if err := w.AddPage(page); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
