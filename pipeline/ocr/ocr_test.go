package ocr

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"sync"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"onewindow/internal/testfixtures/encode"
	"onewindow/internal/testfixtures/textface"
	"onewindow/pipeline"
)

// testLines is the text of the generated page, one entry per printed line.
var testLines = []string{
	"企业设立登记申请书",
	"申请人名称：延边松花建筑工程有限公司",
	"身份证号码：22240119951205008X",
	"住所：吉林省延边市东盛大街3539号",
	"Company name: Harbor Lake Foods Ltd.",
}

var (
	pageOnce sync.Once
	pageImg  image.Image
)

// testPage renders testLines black on white at about 300 dpi (body text 12 pt = 50 px) on a
// 1240x800 crop of a page, in the test typeface (textface), as PNG.
func testPage(t testing.TB) (image.Image, pipeline.PageImage) {
	t.Helper()
	pageOnce.Do(func() { pageImg = renderPage(t, testLines) })
	return pageImg, encodePNG(t, pageImg)
}

func renderPage(t testing.TB, lines []string) image.Image {
	img := image.NewGray(image.Rect(0, 0, 1240, 800))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	y := 120
	for i, line := range lines {
		size := 50.0
		if i == 0 {
			size = 66
		}
		d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: textface.Face(t, size, 72), Dot: fixed.P(80, y)}
		d.DrawString(line)
		y += int(size * 1.6)
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) pipeline.PageImage {
	t.Helper()
	b := img.Bounds()
	return pipeline.PageImage{Data: encode.PNG(t, img), Format: pipeline.FormatPNG, Width: b.Dx(), Height: b.Dy(), DPI: 300}
}

func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := NewEngine(Options{})
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

// checkText fails unless the text is close to testLines: the error rate ignoring
// whitespace under 10%, and the ID number exactly right.
func checkText(t *testing.T, got string) {
	t.Helper()
	want := strings.Join(testLines, "\n")
	if c := cer(want, got); c > 0.10 {
		t.Errorf("character error rate %.3f > 0.10\ngot:\n%s", c, got)
	}
	if !strings.Contains(string(stripSpace(got)), "22240119951205008X") {
		t.Errorf("ID number not recognised:\n%s", got)
	}
	if n := strings.Count(got, "\n") + 1; n != len(testLines) {
		t.Errorf("got %d lines, want %d:\n%s", n, len(testLines), got)
	}
}

// checkWords fails unless every box lies inside the page and words come in reading order.
func checkWords(t *testing.T, p pipeline.OCRPage) {
	t.Helper()
	if len(p.Words) == 0 {
		t.Fatal("no words")
	}
	bounds := image.Rect(0, 0, p.Width, p.Height)
	for i, w := range p.Words {
		if w.Box.Empty() || !w.Box.In(bounds) {
			t.Errorf("word %q box %v outside %v", w.Text, w.Box, bounds)
		}
		if i == 0 {
			continue
		}
		prev := p.Words[i-1]
		sameLine := prev.Block == w.Block && prev.Par == w.Par && prev.Line == w.Line
		if sameLine && w.Box.Min.X < prev.Box.Min.X {
			t.Errorf("word %q left of the word %q before it on its line", w.Text, prev.Text)
		}
		if !sameLine && w.Box.Min.Y < prev.Box.Min.Y {
			t.Errorf("line starting %q above the line before it", w.Text)
		}
	}
}

func TestRecognizeUpright(t *testing.T) {
	e := newTestEngine(t)
	_, img := testPage(t)
	page, upright, err := e.Recognize(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, page.Text)
	checkWords(t, page)
	if page.Rotation != 0 || page.Width != 1240 || page.Height != 800 {
		t.Errorf("rotation %d size %dx%d, want 0 1240x800", page.Rotation, page.Width, page.Height)
	}
	if &upright.Data[0] != &img.Data[0] {
		t.Error("upright page is not the input's bytes")
	}
	if page.MeanConf < readableConf {
		t.Errorf("mean confidence %.1f", page.MeanConf)
	}
}

func TestRecognizeTurnedPages(t *testing.T) {
	src, _ := testPage(t)
	for _, tc := range []struct {
		name    string
		scanned int // clockwise turn the scan received
		want    int // clockwise turn that makes it upright
	}{
		{"upside down", 180, 180},
		{"turned right", 90, 270},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEngine(t)
			page, upright, err := e.Recognize(context.Background(), encodePNG(t, rotateImage(src, tc.scanned)))
			if err != nil {
				t.Fatal(err)
			}
			if page.Rotation != tc.want {
				t.Fatalf("rotation %d, want %d; text:\n%s", page.Rotation, tc.want, page.Text)
			}
			checkText(t, page.Text)
			checkWords(t, page)
			got, err := png.Decode(bytes.NewReader(upright.Data))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.(*image.Gray).Pix, src.(*image.Gray).Pix) {
				t.Error("upright image differs from the original page")
			}
			if upright.Width != 1240 || upright.Height != 800 || page.Width != 1240 || page.Height != 800 {
				t.Errorf("upright %dx%d page %dx%d, want 1240x800", upright.Width, upright.Height, page.Width, page.Height)
			}
		})
	}
}

func TestRecognizeBlankPage(t *testing.T) {
	e := newTestEngine(t)
	blank := image.NewGray(image.Rect(0, 0, 400, 300))
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	page, _, err := e.Recognize(context.Background(), encodePNG(t, blank))
	if err != nil {
		t.Fatal(err)
	}
	if page.Text != "" || len(page.Words) != 0 || page.Rotation != 0 {
		t.Errorf("blank page: %+v", page)
	}
	if e.passes != 1 {
		t.Errorf("%d recognition passes on a blank page, want 1", e.passes)
	}
}

func TestRecognizeErrors(t *testing.T) {
	e := newTestEngine(t)
	_, img := testPage(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	closed := newTestEngine(t)
	closed.Close()
	for _, tc := range []struct {
		name string
		e    *Engine
		ctx  context.Context
		img  pipeline.PageImage
		want error
	}{
		{"empty", e, context.Background(), pipeline.PageImage{}, ErrBadImage},
		{"not an image", e, context.Background(), pipeline.PageImage{Data: []byte("%PDF-1.7 hello"), Format: "png"}, ErrBadImage},
		{"truncated", e, context.Background(), pipeline.PageImage{Data: img.Data[:len(img.Data)/3], Format: "png"}, ErrBadImage},
		{"cancelled", e, cancelled, img, context.Canceled},
		{"closed", closed, context.Background(), img, ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.e.Recognize(tc.ctx, tc.img)
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRecycle(t *testing.T) {
	e, err := NewEngine(Options{RecycleAfter: 1, SkipOrientation: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, img := testPage(t)
	var texts []string
	for range 2 {
		page, _, err := e.Recognize(context.Background(), img)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, page.Text)
	}
	if texts[0] != texts[1] {
		t.Errorf("text changed after recycling:\n%s\n---\n%s", texts[0], texts[1])
	}
}

func TestPool(t *testing.T) {
	p, err := NewPool(Options{SkipOrientation: true}, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, img := testPage(t)
	texts := make([]string, 3)
	var wg sync.WaitGroup
	for i := range texts {
		wg.Go(func() {
			page, _, err := p.Recognize(context.Background(), img)
			if err != nil {
				t.Error(err)
			}
			texts[i] = page.Text
		})
	}
	wg.Wait()
	for _, s := range texts[1:] {
		if s != texts[0] {
			t.Errorf("engines disagree:\n%s\n---\n%s", texts[0], s)
		}
	}
	if err := p.Ping(); err != nil {
		t.Error(err)
	}
	p.Close()
	if _, _, err := p.Recognize(context.Background(), img); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

func TestPingAndVersion(t *testing.T) {
	if err := Ping(Options{}); err != nil {
		t.Errorf("Ping default languages: %v", err)
	}
	if err := Ping(Options{Languages: "xx_nonexistent"}); !errors.Is(err, ErrNoEngine) {
		t.Errorf("Ping missing language: %v, want ErrNoEngine", err)
	}
	if _, err := NewEngine(Options{Languages: "xx_nonexistent"}); !errors.Is(err, ErrNoEngine) {
		t.Errorf("NewEngine missing language: %v, want ErrNoEngine", err)
	}
	if v := Version(); !strings.HasPrefix(v, "5.") && !strings.HasPrefix(v, "4.") {
		t.Errorf("Version() = %q", v)
	}
}

func BenchmarkRecognize(b *testing.B) {
	e := newTestEngine(b)
	_, img := testPage(b)
	ctx := context.Background()
	for b.Loop() {
		if _, _, err := e.Recognize(ctx, img); err != nil {
			b.Fatal(err)
		}
	}
}
