package public_test

import (
	"bytes"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"onewindow/cases"
)

// TestGuidePDF: /guide/{code}.pdf is the guide to print, its text (matter, every material,
// time limit) readable by pdftotext and its QR code, read back from the rendered page,
// the guide's address; the guide page links to it.
func TestGuidePDF(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " (poppler-utils) is not installed")
		}
	}
	e := newEnv(t)
	if _, body := e.call("GET", "/guide/JL-SC-001", nil); !strings.Contains(body, `href="/guide/JL-SC-001.pdf"`) {
		t.Errorf("the guide page does not link its PDF:\n%s", body)
	}
	resp, err := http.Get(e.srv.URL + "/guide/JL-SC-001.pdf")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("%d %s %.100s", resp.StatusCode, resp.Header.Get("Content-Type"), data)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "guide.pdf")
	if err := os.WriteFile(pdf, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	m, _ := cases.DefaultCatalogue().Matter("JL-SC-001")
	for _, w := range []string{m.Name + "办事指南", "事项编码：JL-SC-001", "申请材料", "受理后3个工作日", "市场监督管理局", "受理后5个工作日内补交", "复印件"} {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF's text lacks %q:\n%s", w, out)
		}
	}
	for _, mt := range m.Materials {
		if !strings.Contains(text, strings.Join(strings.Fields(mt.Name), "")) {
			t.Errorf("the PDF lacks material %s", mt.Name)
		}
	}

	if err := exec.Command("pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", pdf, filepath.Join(dir, "p")).Run(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "p.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewLuminanceSourceFromImage(img)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("the PDF's QR code does not read: %v", err)
	}
	if want := e.srv.URL + "/guide/JL-SC-001"; res.GetText() != want {
		t.Errorf("QR code says %q, want %q", res.GetText(), want)
	}

	if code, _ := e.call("GET", "/guide/NOPE.pdf", nil); code != 404 {
		t.Errorf("unknown matter's PDF: %d", code)
	}
}
