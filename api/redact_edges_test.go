package api

import (
	"encoding/json"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"onewindow/internal/testfixtures/encode"
	"onewindow/pipeline"
	"onewindow/pipeline/pages"
	"onewindow/pipeline/pdfout"
	"onewindow/storage"
)

const testID = "220102199003071234"

// pageWithID is a white page and the words OCR found on it: a label, an ID number split in
// two words, and a phone number on a second line.
func pageWithID(t *testing.T) (pipeline.PageImage, *pipeline.OCRPage) {
	g := image.NewGray(image.Rect(0, 0, 600, 200))
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	img := pipeline.PageImage{Data: encode.PNG(t, g), Format: pipeline.FormatPNG, Width: 600, Height: 200, DPI: 100}
	ocr := &pipeline.OCRPage{Width: 600, Height: 200, Text: "身份证号 " + testID + "\n电话 13812345678", Words: []pipeline.Word{
		{Text: "身份证号", Box: image.Rect(10, 10, 90, 40), Line: 1},
		{Text: testID[:9], Box: image.Rect(100, 10, 250, 40), Line: 1},
		{Text: testID[9:], Box: image.Rect(255, 10, 400, 40), Line: 1},
		{Text: "电话", Box: image.Rect(10, 100, 60, 130), Line: 2},
		{Text: "13812345678", Box: image.Rect(70, 100, 250, 130), Line: 2},
	}}
	return img, ocr
}

func TestRedactPage(t *testing.T) {
	img, ocr := pageWithID(t)
	page, err := redactPage(img, ocr, []string{testID}, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, w := range page.OCR.Words {
		kept = append(kept, w.Text)
	}
	if strings.Join(kept, " ") != "身份证号 电话" || strings.Contains(page.OCR.Text, "199003071234") || strings.Contains(page.OCR.Text, "12345678") {
		t.Fatalf("text layer keeps %q / %q", kept, page.OCR.Text)
	}
	checkCovered(t, page)
}

// checkCovered checks that the redacted image of pageWithID covers its two personal numbers
// and nothing else.
func checkCovered(t *testing.T, page pdfout.Page) {
	t.Helper()
	m, err := pages.Decode(page.Image)
	if err != nil {
		t.Fatal(err)
	}
	if b := m.Bounds(); b.Dx() != 600 || b.Dy() != 200 {
		t.Fatalf("image %v, want the scan as stored (600x200)", b)
	}
	dark := func(x, y int) bool { return color.GrayModel.Convert(m.At(x, y)).(color.Gray).Y < 64 }
	for _, p := range []image.Point{{150, 25}, {300, 25}, {150, 115}} {
		if !dark(p.X, p.Y) {
			t.Errorf("(%d,%d) in a personal number is not covered", p.X, p.Y)
		}
	}
	for _, p := range []image.Point{{50, 25}, {30, 115}, {500, 180}} {
		if dark(p.X, p.Y) {
			t.Errorf("(%d,%d) outside personal numbers is covered", p.X, p.Y)
		}
	}
}

func TestViewerGetsRedactedPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	e := newEdgeEnv(t)
	e.srv.ViewerPDF = ViewerPDFRedacted
	img, ocr := pageWithID(t)
	e.fileDocument("b-001", "room-1", []byte("%PDF-1.7 original"))
	d := e.state.docs["b-001"]
	d.Pages = []int{0}
	e.state.docs["b-001"] = d
	put := func(key string, data []byte) {
		e.blobs.objects[key], e.blobs.sizes[key] = data, int64(len(data))
	}
	words, _ := json.Marshal(ocr)
	res, _ := json.Marshal(storage.PageResult{ImageKey: "img/0.png", Format: img.Format, Width: img.Width, Height: img.Height,
		DPI: img.DPI, OCRKey: storage.OCRKey("b", 0)})
	put(storage.PageResultKey("b", 0), res)
	put("img/0.png", img.Data)
	put(storage.OCRKey("b", 0), words)

	w := e.do(t, "GET", "/api/v1/documents/b-001/pdf", "viewer")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" || w.Header().Get("Repr-Digest") != "" {
		t.Fatalf("%d %v %s", w.Code, w.Header(), w.Body.String())
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, w.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	if !strings.Contains(string(out), "身份证号") || strings.Contains(string(out), "199003071234") || strings.Contains(string(out), "12345678") {
		t.Fatalf("redacted text layer: %q", out)
	}
}

// turnWords gives ocr's words as they lie on its page turned clockwise by 90: what reading
// the page again the way a reviewer turned it finds.
func turnWords(ocr *pipeline.OCRPage) *pipeline.OCRPage {
	turned := &pipeline.OCRPage{Width: ocr.Height, Height: ocr.Width, Text: ocr.Text, Rotation: 90}
	for _, w := range ocr.Words {
		r := w.Box
		w.Box = image.Rect(ocr.Height-r.Max.Y, r.Min.X, ocr.Height-r.Min.Y, r.Max.X)
		turned.Words = append(turned.Words, w)
	}
	return turned
}

// A page a reviewer turned was read again turned: its numbers are covered where they lie on
// the scan as stored, and the copy shows the page turned as the filed one does.
func TestRedactTurnedPage(t *testing.T) {
	img, ocr := pageWithID(t)
	page, err := redactPage(img, turnWords(ocr), []string{testID}, 90, true)
	if err != nil {
		t.Fatal(err)
	}
	if page.Rotate != 90 || !page.OCRShown {
		t.Errorf("page turned %d, words shown %v; want 90, true", page.Rotate, page.OCRShown)
	}
	checkCovered(t, page)
}
