package ocr

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/internal/testfixtures/encode"
	"onewindow/pipeline"
	"onewindow/pipeline/reread"
)

// TestMain lets the test binary serve as the engine process of the isolation tests.
func TestMain(m *testing.M) {
	if len(os.Args) == 2 && os.Args[1] == ChildCommand {
		os.Exit(RunChild())
	}
	os.Exit(m.Run())
}

// testChild starts this test binary as an engine process that honours injected faults.
func testChild() *exec.Cmd {
	cmd := exec.Command(os.Args[0], ChildCommand)
	cmd.Env = append(os.Environ(), childFaultsEnv+"=1")
	return cmd
}

// withTextChunk returns the page with note in a PNG comment.
func withTextChunk(t testing.TB, img pipeline.PageImage, note string) pipeline.PageImage {
	img.Data = encode.PNGWithComment(t, img.Data, note)
	return img
}

type restarts struct {
	mu      sync.Mutex
	reasons []string
}

func (r *restarts) add(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reasons = append(r.reasons, reason)
}

func TestIsolatedPoolReadsLikeAnEngine(t *testing.T) {
	_, img := testPage(t)
	p := NewIsolatedPool(Options{}, 1, IsolationOptions{Command: testChild})
	defer p.Close()
	page, upright, err := p.Recognize(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, page.Text)
	checkWords(t, page)
	if !bytes.Equal(upright.Data, img.Data) {
		t.Error("an upright page came back changed")
	}
	if _, _, err := p.Recognize(context.Background(), pipeline.PageImage{Data: []byte("not an image"), Format: "png"}); !errors.Is(err, ErrBadImage) {
		t.Errorf("bad image: %v, want ErrBadImage", err)
	}
}

// A page that crashes or hangs its engine twice fails with ErrEngineCrashed; the pool goes
// on reading other pages, and a page on another engine is not held up by a hung one.
func TestIsolatedPoolSurvivesCrashAndHang(t *testing.T) {
	_, img := testPage(t)
	var seen restarts
	p := NewIsolatedPool(Options{SkipOrientation: true}, 2, IsolationOptions{
		Command: testChild, PageTimeout: 3 * time.Second, Replaced: seen.add})
	defer p.Close()
	ctx := context.Background()

	_, _, err := p.Recognize(ctx, withTextChunk(t, img, string(childFaultCrash)))
	if !errors.Is(err, ErrEngineCrashed) || !strings.Contains(err.Error(), "SIGSEGV") {
		t.Errorf("crashing page: %v, want ErrEngineCrashed naming SIGSEGV", err)
	}

	hung := make(chan error, 1)
	go func() {
		_, _, err := p.Recognize(ctx, withTextChunk(t, img, string(childFaultHang)))
		hung <- err
	}()
	page, _, err := p.Recognize(ctx, img)
	if err != nil {
		t.Fatalf("healthy page beside a hung one: %v", err)
	}
	checkText(t, page.Text)
	select {
	case <-hung:
		t.Error("the healthy page was read only after the hung page gave up")
	default:
	}
	hangErr := <-hung
	if !errors.Is(hangErr, ErrEngineCrashed) || !strings.Contains(hangErr.Error(), "hung") {
		t.Errorf("hanging page: %v, want ErrEngineCrashed saying hung", hangErr)
	}
	if len(seen.reasons) != 4 {
		t.Errorf("%d engine replacements, want 4 (two tries each): %q", len(seen.reasons), seen.reasons)
	}
	if _, _, err := p.Recognize(ctx, img); err != nil {
		t.Errorf("after the faults: %v", err)
	}
}

func TestIsolatedPoolCancelAndClose(t *testing.T) {
	_, img := testPage(t)
	p := NewIsolatedPool(Options{SkipOrientation: true}, 1, IsolationOptions{Command: testChild})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, _, err := p.Recognize(ctx, withTextChunk(t, img, string(childFaultHang))); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled page: %v, want the context's error", err)
	}
	p.Close()
	if _, _, err := p.Recognize(context.Background(), img); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

// BenchmarkIsolationOverhead reads the same page with an engine in this process and with one
// in an engine process, alternately in one run, and reports what isolation costs a page.
//
//	go test -run '^$' -bench IsolationOverhead -benchtime 20x ./pipeline/ocr
func BenchmarkIsolationOverhead(b *testing.B) {
	_, img := testPage(b)
	ctx := context.Background()
	local := newTestEngine(b)
	pool := NewIsolatedPool(Options{}, 1, IsolationOptions{Command: testChild})
	defer pool.Close()
	if _, _, err := pool.Recognize(ctx, img); err != nil { // the process starts outside the timing
		b.Fatal(err)
	}
	var inProcess, isolated time.Duration
	for b.Loop() {
		start := time.Now()
		if _, _, err := local.Recognize(ctx, img); err != nil {
			b.Fatal(err)
		}
		inProcess += time.Since(start)
		start = time.Now()
		if _, _, err := pool.Recognize(ctx, img); err != nil {
			b.Fatal(err)
		}
		isolated += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(inProcess.Seconds()*1000/n, "ms/page-in-process")
	b.ReportMetric(isolated.Seconds()*1000/n, "ms/page-isolated")
	b.ReportMetric(float64(isolated)/float64(inProcess), "ratio")
}

// A page scanned sideways and read turned back the way a person said is up reads like the
// upright page, through the engine process; its word boxes and the image that comes back
// are in the turned frame.
func TestIsolatedPoolRecognizeTurned(t *testing.T) {
	src, _ := testPage(t)
	sideways := encodePNG(t, rotateImage(src, 90))
	p := NewIsolatedPool(Options{}, 1, IsolationOptions{Command: testChild})
	defer p.Close()
	page, turned, err := p.RecognizeTurned(context.Background(), sideways, 270)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, page.Text)
	checkWords(t, page)
	if page.Rotation != 270 || page.Width != 1240 || page.Height != 800 || turned.Width != 1240 || turned.Height != 800 {
		t.Errorf("rotation %d, page %dx%d, image %dx%d; want 270 and 1240x800", page.Rotation,
			page.Width, page.Height, turned.Width, turned.Height)
	}
	got, err := png.Decode(bytes.NewReader(turned.Data))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.(*image.Gray).Pix, src.(*image.Gray).Pix) {
		t.Error("the turned image is not the upright page")
	}
}

// The person's turn is final: an upright page turned upside down on request is read upside
// down, where orientation detection would have turned it back.
func TestRecognizeTurnedSkipsOrientation(t *testing.T) {
	_, img := testPage(t)
	e := newTestEngine(t)
	page, _, err := e.RecognizeTurned(context.Background(), img, 180)
	if err != nil {
		t.Fatal(err)
	}
	if page.Rotation != 180 || e.passes != 1 {
		t.Errorf("rotation %d after %d passes, want 180 after 1", page.Rotation, e.passes)
	}
	if strings.Contains(string(stripSpace(page.Text)), "22240119951205008X") {
		t.Errorf("the page was read upright:\n%s", page.Text)
	}
	if _, _, err := e.RecognizeTurned(context.Background(), img, 45); err == nil {
		t.Error("a turn of 45 degrees was accepted")
	}
}

// A crop with no ink in it is read, not refused, at every scan: a region cut off the text
// must not stop the page's other regions from being read again.
func TestReadRegionBlankCrop(t *testing.T) {
	e := newTestEngine(t)
	blank := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	page := encodePNG(t, blank)
	for _, scan := range []reread.Scan{{Height: 40}, {Height: 40, Ink: 0.35}, {Height: 56, Ink: 0.65}} {
		if _, err := e.ReadRegion(page, image.Rect(10, 10, 300, 50), scan, "0123456789"); err != nil {
			t.Errorf("scan %+v: %v", scan, err)
		}
	}
}
