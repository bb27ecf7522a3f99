package stamp

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"onewindow/internal/testfixtures/encode"
	"onewindow/internal/testfixtures/pdfa"
	"onewindow/pipeline"
	"onewindow/pipeline/pdfout"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata/")

const (
	testDPI  = 150
	testHall = "吉林省政务服务中心"
)

// block is a run of text lines on the synthetic page, in pixels at testDPI.
type block struct {
	x, y, lines, words int
}

// syntheticPage draws grey bars for words and returns the image and its OCR words.
func syntheticPage(w, h int, blocks []block) (*image.Gray, []pipeline.Word) {
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	var words []pipeline.Word
	const lineH, wordW, gap = 30, 90, 20
	for bi, b := range blocks {
		for l := range b.lines {
			for k := range b.words {
				x := b.x + k*(wordW+gap)
				y := b.y + l*lineH*3/2
				box := image.Rect(x, y, x+wordW, y+lineH)
				draw.Draw(img, box.Inset(3), image.NewUniform(color.Gray{Y: 90}), image.Point{}, draw.Src)
				text := fmt.Sprintf("w%d%d%d", bi, l, k)
				if k%2 == 1 {
					text = "材料"
				}
				words = append(words, pipeline.Word{Text: text, Box: box, Block: bi + 1, Line: l + 1})
			}
		}
	}
	return img, words
}

func newStamper(t testing.TB) *Stamper {
	t.Helper()
	s, err := New(Options{HallName: testHall})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		blocks []block
		// wantCorner is where the stamp should land: "tr", "br", "bl", "tl" or "" for any.
		wantCorner string
	}{
		{"body-only", []block{{x: 150, y: 500, lines: 12, words: 7}}, "tr"},
		{"right-header", []block{{x: 700, y: 120, lines: 4, words: 4}, {x: 150, y: 500, lines: 12, words: 7}}, "tr"},
		{"letterhead", []block{{x: 150, y: 120, lines: 4, words: 9}, {x: 150, y: 380, lines: 12, words: 7}}, "br"},
		{"crowded", []block{{x: 100, y: 100, lines: 30, words: 9}, {x: 100, y: 1500, lines: 4, words: 5}}, ""},
	}
	s := newStamper(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, words := syntheticPage(1240, 1754, tt.blocks)
			page := pipeline.PageImage{Data: encode.PNG(t, img), Format: pipeline.FormatPNG, Width: 1240, Height: 1754, DPI: testDPI}
			wPt, hPt := pdfout.PageSize(page)
			ov, err := s.PageOverlay(PageInfo{
				PageNo: 1, PageCount: 2, CaseNo: "JL2024-000123", Station: "A08",
				Date: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), VerifyID: "OW-VERIFY-7f3a9c2e",
				WidthPt: wPt, HeightPt: hPt, DPI: testDPI, Words: words,
			})
			if err != nil {
				t.Fatal(err)
			}
			assertClear(t, ov.StampBox, words, hPt)
			assertClear(t, ov.FooterBox, words, hPt)
			if ov.StampBox.Intersects(ov.FooterBox) {
				t.Errorf("stamp %v covers footer %v", ov.StampBox, ov.FooterBox)
			}
			if tt.wantCorner != "" {
				if got := corner(ov.StampBox, wPt, hPt); got != tt.wantCorner {
					t.Errorf("stamp at %v (%s), want corner %s", ov.StampBox, got, tt.wantCorner)
				}
			}
			ov2, err := s.PageOverlay(PageInfo{PageNo: 2, PageCount: 2, CaseNo: "JL2024-000123", WidthPt: wPt, HeightPt: hPt, DPI: testDPI, Words: words})
			if err != nil {
				t.Fatal(err)
			}
			if !ov2.StampBox.Empty() {
				t.Errorf("page 2 got a stamp at %v", ov2.StampBox)
			}

			ocr := &pipeline.OCRPage{Width: 1240, Height: 1754, Words: words}
			pdf := encode.PDF(t, func(f io.Writer) encode.PageWriter[pdfout.Page] {
				return pdfout.NewWriter(f, pdfout.Meta{Title: "stamp test"})
			},
				pdfout.Page{Image: page, OCR: ocr, Overlay: ov.Ops, OverlayResources: ov.Resources},
				pdfout.Page{Image: page, OCR: ocr, Overlay: ov2.Ops, OverlayResources: ov2.Resources})

			if out := encode.Run(t, "qpdf", "--check", pdf); strings.Contains(strings.ToLower(out), "warning") {
				t.Fatalf("qpdf --check:\n%s", out)
			}
			// The stamp's colour and transparency keep the page PDF/A-2b.
			if data, err := os.ReadFile(pdf); err != nil {
				t.Fatal(err)
			} else {
				pdfa.Require(t, data)
			}
			text := encode.Run(t, "pdftotext", pdf, "-")
			if !strings.Contains(text, "w000") || !strings.Contains(text, "材料") {
				t.Errorf("OCR text lost after stamping:\n%s", text)
			}
			for _, mark := range []string{"受理", "吉林", "页", "JL2024"} {
				if strings.Contains(text, mark) {
					t.Errorf("stamp text %q leaked into the text layer", mark)
				}
			}
			compareGolden(t, pdf, tt.name)
			if got := decodeQR(t, pdf, ov.StampBox, hPt); got != "OW-VERIFY-7f3a9c2e" {
				t.Errorf("QR decodes to %q", got)
			}
		})
	}
}

// decodeQR renders page 1 at 150 dpi, crops the stamp and reads its QR code.
func decodeQR(t *testing.T, pdf string, box Rect, hPt float64) string {
	t.Helper()
	const dpi = 150
	k := dpi / 72.0
	crop := image.Rect(int(box.X0*k), int((hPt-box.Y1)*k), int(box.X1*k)+1, int((hPt-box.Y0)*k)+1)
	out := filepath.Join(t.TempDir(), "qr")
	encode.Run(t, "pdftoppm", "-r", fmt.Sprint(dpi), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1",
		"-x", fmt.Sprint(crop.Min.X), "-y", fmt.Sprint(crop.Min.Y), "-W", fmt.Sprint(crop.Dx()), "-H", fmt.Sprint(crop.Dy()), pdf, out)
	img, err := readGray(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	src := gozxing.NewLuminanceSourceFromImage(img)
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode stamp QR: %v", err)
	}
	return res.GetText()
}

// assertClear fails if r (page points) overlaps any word box (pixels at testDPI).
func assertClear(t *testing.T, r Rect, words []pipeline.Word, hPt float64) {
	t.Helper()
	k := 72.0 / testDPI
	for _, w := range words {
		wr := Rect{float64(w.Box.Min.X) * k, hPt - float64(w.Box.Max.Y)*k, float64(w.Box.Max.X) * k, hPt - float64(w.Box.Min.Y)*k}
		if r.Intersects(wr) {
			t.Errorf("mark %v covers word %q at %v", r, w.Text, wr)
			return
		}
	}
}

func corner(r Rect, w, h float64) string {
	v, hz := "b", "l"
	if (r.Y0+r.Y1)/2 > h/2 {
		v = "t"
	}
	if (r.X0+r.X1)/2 > w/2 {
		hz = "r"
	}
	return v + hz
}

// compareGolden renders every page at 50 dpi in grey and compares it with
// testdata/NAME-pN.png. Renderers differ slightly in anti-aliasing, so it allows a small
// mean difference and a small share of differing pixels rather than exact equality.
func compareGolden(t *testing.T, pdf, name string) {
	t.Helper()
	dir := t.TempDir()
	encode.Run(t, "pdftoppm", "-r", "50", "-gray", "-png", pdf, filepath.Join(dir, "p"))
	for page := 1; page <= 2; page++ {
		got := filepath.Join(dir, fmt.Sprintf("p-%d.png", page))
		golden := filepath.Join("testdata", fmt.Sprintf("%s-p%d.png", name, page))
		if *update {
			data, err := os.ReadFile(got)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		mean, share, err := diffPNG(got, golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create golden files)", err)
		}
		if mean > 1.0 || share > 0.01 {
			t.Errorf("page %d differs from %s: mean abs diff %.3f, %.2f%% pixels differ", page, golden, mean, 100*share)
		}
	}
}

// diffPNG returns the mean absolute grey difference (0..255) and the share of pixels
// differing by more than 32 levels.
func diffPNG(a, b string) (mean, share float64, err error) {
	ia, err := readGray(a)
	if err != nil {
		return 0, 0, err
	}
	ib, err := readGray(b)
	if err != nil {
		return 0, 0, err
	}
	if ia.Bounds() != ib.Bounds() {
		return 0, 0, fmt.Errorf("size %v, golden %v", ia.Bounds(), ib.Bounds())
	}
	var sum, differing int
	for i := range ia.Pix {
		d := int(ia.Pix[i]) - int(ib.Pix[i])
		if d < 0 {
			d = -d
		}
		sum += d
		if d > 32 {
			differing++
		}
	}
	n := float64(len(ia.Pix))
	return float64(sum) / n, float64(differing) / n, nil
}

func readGray(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		return nil, err
	}
	g := image.NewGray(m.Bounds())
	draw.Draw(g, g.Bounds(), m, m.Bounds().Min, draw.Src)
	return g, nil
}

func TestPlaceShrinksAndFallsBack(t *testing.T) {
	const w, h = 595.0, 842.0
	tests := []struct {
		name      string
		obstacles []Rect
		wantScale float64
		wantFree  bool
	}{
		{"empty page", nil, 1, true},
		{"only a small hole", []Rect{{0, 0, w, 700}, {0, 700, 450, h}}, 0.6, true},
		{"full page", []Rect{{0, 0, w, h}}, minScale, false},
		{"id card", nil, (243 - 2*pageMargin) * 0.5 / stampW, true}, // half the card wide
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h := w, h
			if tt.name == "id card" {
				w, h = 243, 153
			}
			box, scale := place(w, h, stampW, stampH, tt.obstacles)
			if diff := scale - tt.wantScale; diff > 1e-6 || diff < -1e-6 {
				t.Errorf("scale = %v, want %v (box %v)", scale, tt.wantScale, box)
			}
			if free := overlap(box, tt.obstacles) == 0; free != tt.wantFree {
				t.Errorf("free = %v, want %v (box %v)", free, tt.wantFree, box)
			}
			if box.X0 < 0 || box.Y0 < 0 || box.X1 > w || box.Y1 > h {
				t.Errorf("box %v off page", box)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	s := newStamper(t)
	if _, err := s.PageOverlay(PageInfo{PageNo: 1}); !errors.Is(err, ErrBadPage) {
		t.Errorf("zero-size page: %v, want ErrBadPage", err)
	}
	if _, err := New(Options{FontPath: filepath.Join(t.TempDir(), "missing.ttf")}); err == nil {
		t.Error("missing font: no error")
	}
}

func BenchmarkPageOverlay(b *testing.B) {
	s := newStamper(b)
	_, words := syntheticPage(1240, 1754, []block{{x: 100, y: 100, lines: 30, words: 9}})
	info := PageInfo{PageNo: 1, PageCount: 3, CaseNo: "JL2024-000123", Station: "A08", VerifyID: "OW-VERIFY-7f3a9c2e",
		WidthPt: 595.2, HeightPt: 841.92, DPI: testDPI, Words: words}
	for b.Loop() {
		if _, err := s.PageOverlay(info); err != nil {
			b.Fatal(err)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newStamper(t)
	_, words := syntheticPage(1240, 1754, []block{{x: 150, y: 500, lines: 12, words: 7}})
	want, err := s.PageOverlay(PageInfo{PageNo: 1, PageCount: 1, VerifyID: "x", WidthPt: 595.2, HeightPt: 841.92, DPI: testDPI, Words: words})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := s.PageOverlay(PageInfo{PageNo: 1, PageCount: 1, VerifyID: "x", WidthPt: 595.2, HeightPt: 841.92, DPI: testDPI, Words: words})
			if err == nil && !bytes.Equal(got.Ops, want.Ops) {
				err = errors.New("concurrent overlay differs")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
