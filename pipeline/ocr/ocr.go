package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // page images arrive as JPEG or PNG
	_ "image/png"
	"os"
	"runtime"
	"sync"

	"github.com/otiai10/gosseract/v2"

	"onewindow/pipeline"
	"onewindow/pipeline/reread"
)

var (
	// ErrBadImage means the page bytes are not a decodable JPEG or PNG.
	ErrBadImage = errors.New("ocr: page image does not decode")
	// ErrClosed means Recognize was called on a closed Engine or Pool.
	ErrClosed = errors.New("ocr: engine closed")
	// ErrNoEngine means Tesseract could not load the configured languages.
	ErrNoEngine = errors.New("ocr: tesseract cannot load the configured languages")
)

// Defaults for the zero Options.
const (
	DefaultLanguages = "chi_sim"
	// DefaultLatinLanguages reads pages that the first pass found written mostly in Latin
	// letters (foreign documents): chi_sim runs English words together.
	DefaultLatinLanguages = "eng"
	// DefaultRecycleAfter bounds the memory gosseract and Tesseract keep from page to page.
	// Measured over 240 corpus pages: never recycled, resident memory crept from 290 to
	// 355-410 MB; recycled every 50 pages it stayed between 210 and 330 MB. A new instance
	// costs 50-100 ms, under 1% of 50 pages' recognition.
	DefaultRecycleAfter = 50
	// DefaultPageSegMode reads the page as one column of text of varying sizes. Automatic
	// layout (3) dropped whole lines near the top of sparse pages (an ID number's line among
	// them); on five generated corpora one column halved the character error rate (seed 1
	// 2.7% -> 1.2%, seed 2 6.8% -> 2.2%) at the same speed.
	DefaultPageSegMode = int(gosseract.PSM_SINGLE_COLUMN)
)

// Options configure an Engine. The zero value is ready to use.
type Options struct {
	// Languages is a Tesseract language list for the first pass; "" means DefaultLanguages.
	// chi_sim alone reads digits and Latin letters too; on the test corpus "chi_sim+eng"
	// had a higher character error rate (0.086 against 0.062), because eng's guesses win
	// on whole Chinese lines, and took twice as long.
	Languages string
	// LatinLanguages is the language list for a second pass over pages the first pass found
	// mostly Latin; "" means DefaultLatinLanguages, "-" turns the second pass off.
	LatinLanguages string
	// TessdataPrefix is the tessdata directory; "" means Tesseract's default
	// (TESSDATA_PREFIX, else the compiled-in path).
	TessdataPrefix string
	// RecycleAfter is how many pages an engine recognises before its Tesseract instance
	// is closed and created again; 0 means DefaultRecycleAfter, negative never.
	RecycleAfter int
	// PageSegMode is a Tesseract page segmentation mode (3 auto, 4 single column, 6 single
	// block, ...); 0 means DefaultPageSegMode since OSD-only mode recognises nothing.
	PageSegMode int
	// SkipOrientation turns off upside-down/sideways detection, for callers that know
	// their pages are upright.
	SkipOrientation bool
	// SkipReread turns off reading labelled codes that did not validate a second time from
	// the page image (pipeline/reread).
	SkipReread bool
	// Variables are extra Tesseract parameters set on every engine.
	Variables map[string]string
	// Stages, if set, is told how long recognition, orientation and re-reading took.
	Stages pipeline.StageObserver
}

func (o Options) withDefaults() Options {
	if o.Languages == "" {
		o.Languages = DefaultLanguages
	}
	if o.LatinLanguages == "" {
		o.LatinLanguages = DefaultLatinLanguages
	}
	if o.RecycleAfter == 0 {
		o.RecycleAfter = DefaultRecycleAfter
	}
	if o.PageSegMode == 0 {
		o.PageSegMode = DefaultPageSegMode
	}
	return o
}

// defaultVariables are set before the caller's Variables, which may override them.
var defaultVariables = map[string]string{
	// Keeps Tesseract from printing to stderr from inside a worker.
	"debug_file": "/dev/null",
}

// singleThreaded is a variable only so the corpus run can measure what OpenMP would do.
var singleThreaded = true

// LimitThreads sets OMP_THREAD_LIMIT=1 for child processes (a tesseract CLI, say). Engines
// do not need it: libgomp reads the variable when it is loaded, before any Go code runs,
// so each Engine switches OpenMP off itself for the thread that runs Tesseract.
func LimitThreads() {
	os.Setenv("OMP_THREAD_LIMIT", "1")
}

// Engine recognises pages with one Tesseract instance per language list, reused across
// pages. It is NOT safe for concurrent use.
type Engine struct {
	opts   Options
	main   client
	latin  *sharedClient // second pass for pages written mostly in Latin letters
	osd    *tessAPI      // orientation detection, made on the first sideways page
	passes int           // recognitions run, counting second passes
	closed bool
	// lastRegion is the region read again last (ReadRegion), for its next scan.
	lastRegion regionCrop
}

// NewEngine checks that Tesseract can load the configured languages and returns an engine.
func NewEngine(opts Options) (*Engine, error) {
	opts = opts.withDefaults()
	if err := ping(opts); err != nil {
		return nil, err
	}
	e := &Engine{opts: opts}
	e.main = client{langs: opts.Languages, opts: &e.opts, recycleAfter: opts.RecycleAfter}
	if opts.LatinLanguages != "-" {
		e.latin = sharedLatin(opts)
	}
	return e, nil
}

// Close frees the Tesseract instances. The Engine cannot be used afterwards.
func (e *Engine) Close() {
	if e.closed {
		return
	}
	e.closed = true
	e.main.close()
	e.osd.close()
	e.osd = nil
}

// Recognize turns the page upright, recognises it and returns the words and text together
// with the upright image (img itself when no turn was needed). Word boxes are in the upright
// image's pixels. Cancelling ctx stops between steps, not inside Tesseract.
func (e *Engine) Recognize(ctx context.Context, img pipeline.PageImage) (pipeline.OCRPage, pipeline.PageImage, error) {
	return e.recognize(ctx, img, 0, !e.opts.SkipOrientation)
}

// RecognizeTurned recognises the page turned clockwise by turn (0, 90, 180 or 270), the way a
// person said is up, so without orientation detection: its guess is what the person
// overruled. It returns the words, in the turned image's pixels, and the turned image; the
// page's Rotation is turn.
func (e *Engine) RecognizeTurned(ctx context.Context, img pipeline.PageImage, turn int) (pipeline.OCRPage, pipeline.PageImage, error) {
	turn = pipeline.NormalTurn(turn)
	if turn%90 != 0 {
		return pipeline.OCRPage{}, img, fmt.Errorf("ocr: turn %d is not a quarter turn", turn)
	}
	return e.recognize(ctx, img, turn, false)
}

// recognize reads img turned clockwise by turn, then turned again by orientation detection
// when detect is set.
func (e *Engine) recognize(ctx context.Context, img pipeline.PageImage, turn int, detect bool) (pipeline.OCRPage, pipeline.PageImage, error) {
	if e.closed {
		return pipeline.OCRPage{}, img, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return pipeline.OCRPage{}, img, err
	}
	if len(img.Data) == 0 {
		return pipeline.OCRPage{}, img, ErrBadImage
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(img.Data)); err != nil {
		return pipeline.OCRPage{}, img, fmt.Errorf("%w: %v", ErrBadImage, err)
	}
	dpi := int(img.DPI + 0.5)
	if dpi <= 0 {
		dpi = pipeline.DefaultDPI
	}

	// Tesseract's OpenMP setting may live in thread-local state: keep every C call of this
	// page on one OS thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if singleThreaded {
		serialOpenMP()
	}

	if !decodes(img.Data) {
		return pipeline.OCRPage{}, img, ErrBadImage
	}
	if turn != 0 {
		turned, err := rotatePage(img, turn)
		if err != nil {
			return pipeline.OCRPage{}, img, err
		}
		img = turned
	}
	recognized := pipeline.Timed(e.opts.Stages, pipeline.StageOCR)
	page, err := e.recognizeAs(img, dpi)
	if err != nil {
		return page, img, err
	}
	page.Rotation = turn
	recognized()
	if detect {
		oriented := pipeline.Timed(e.opts.Stages, pipeline.StageOrient)
		if page, img, err = e.orient(ctx, img, dpi, page); err != nil {
			return pipeline.OCRPage{}, img, err
		}
		oriented()
	}
	if e.latin != nil && mostlyLatin(page.Text) {
		recognized := pipeline.Timed(e.opts.Stages, pipeline.StageOCR)
		boxes, err := readScaled(img.Data, page.Width, page.Height, dpi, e.latin.recognize)
		if err != nil {
			return pipeline.OCRPage{}, img, err
		}
		recognized()
		e.passes++
		if lp := buildPage(boxes, page.Width, page.Height); lp.MeanConf > page.MeanConf {
			lp.Rotation = page.Rotation
			page = lp
		}
	}
	img.Width, img.Height = page.Width, page.Height
	if !e.opts.SkipReread {
		// A labelled code that did not validate is read again from the image. The page's
		// recognition stands without it, so only cancellation is an error here.
		rereadDone := pipeline.Timed(e.opts.Stages, pipeline.StageReread)
		if err := reread.Page(ctx, &page, img, e); err != nil && ctx.Err() != nil {
			return pipeline.OCRPage{}, img, ctx.Err()
		}
		rereadDone()
	}
	// glibc keeps what Tesseract freed for this page resident; handing it back after each
	// page took a 300-page batch on two workers from about 530 MB peak to about 410 MB.
	trimCHeap()
	return page, img, nil
}

// sharedClient is one Tesseract instance used by every engine of the process in turn.
// Pages that come out mostly Latin are few, and an instance per engine for them cost about
// 85 MB each of resident memory.
type sharedClient struct {
	mu sync.Mutex
	c  client
}

func (s *sharedClient) recognize(data []byte, dpi int) ([]gosseract.BoundingBox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.recognize(data, dpi)
}

var (
	sharedMu      sync.Mutex
	sharedClients = map[[2]string]*sharedClient{}
)

// sharedLatin returns the process's second-pass client for opts' Latin languages.
func sharedLatin(opts Options) *sharedClient {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	key := [2]string{opts.LatinLanguages, opts.TessdataPrefix}
	if s, ok := sharedClients[key]; ok {
		return s
	}
	own := opts
	s := &sharedClient{c: client{langs: opts.LatinLanguages, opts: &own, recycleAfter: opts.RecycleAfter}}
	sharedClients[key] = s
	return s
}

// orient returns the recognition and image of the page turned upright: the first pass and
// img themselves unless the page reads badly and a turned version reads better.
func (e *Engine) orient(ctx context.Context, img pipeline.PageImage, dpi int, page pipeline.OCRPage) (pipeline.OCRPage, pipeline.PageImage, error) {
	shape := shapeOf(page.Words)
	turns, err := e.turnCandidates(img.Data, dpi, page, shape)
	if err != nil {
		return pipeline.OCRPage{}, img, err
	}
	for _, turn := range turns {
		if err := ctx.Err(); err != nil {
			return pipeline.OCRPage{}, img, err
		}
		turned, err := rotatePage(img, turn)
		if err != nil {
			return pipeline.OCRPage{}, img, err
		}
		tp, err := e.recognizeAs(turned, dpi)
		if err != nil {
			return pipeline.OCRPage{}, img, err
		}
		if ts := shapeOf(tp.Words); better(tp, ts, page, shape) {
			tp.Rotation = turn
			return tp, turned, nil
		}
	}
	return page, img, nil
}

// recognizeAs recognises the image as it stands and sets img's size on the page.
func (e *Engine) recognizeAs(img pipeline.PageImage, dpi int) (pipeline.OCRPage, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil {
		return pipeline.OCRPage{}, fmt.Errorf("%w: %v", ErrBadImage, err)
	}
	boxes, err := readScaled(img.Data, cfg.Width, cfg.Height, dpi, e.main.recognize)
	if err != nil {
		return pipeline.OCRPage{}, err
	}
	e.passes++
	return buildPage(boxes, cfg.Width, cfg.Height), nil
}
