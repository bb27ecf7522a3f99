package ocr

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"time"

	"onewindow/pipeline"
)

// ChildCommand is the command-line argument that makes the onewindow binary an OCR engine
// child: it reads pages from file descriptor 3 and answers on file descriptor 4 until the
// parent closes the pipe. Stdout and stderr stay free for Tesseract's own chatter and logs.
const ChildCommand = "ocr-engine"

// childFaultsEnv, set to 1 in a worker's environment, makes its engines crash or hang on
// pages that carry childFaultCrash or childFaultHang in their bytes. Only the tests that
// prove isolation set it; without it page content cannot steer an engine.
const childFaultsEnv = "ONEWINDOW_TEST_OCR_FAULTS"

var (
	childFaultCrash = []byte("onewindow-test-fault:crash")
	childFaultHang  = []byte("onewindow-test-fault:hang")
)

// childHello starts a child's conversation: the engine options (without the observer,
// which stays in the parent).
type childHello struct{ Options Options }

// childRequest asks for the page's recognition, or with ShrinkTo > 0 for the page image
// shrunk to at most that many pixels. Turned asks for Engine.RecognizeTurned by Turn.
type childRequest struct {
	Image    pipeline.PageImage
	ShrinkTo int64
	Turned   bool
	Turn     int
}

// childResponse carries one page's recognition; Image is the page turned upright (only when
// it was turned) or shrunk.
type childResponse struct {
	Page     pipeline.OCRPage
	Image    *pipeline.PageImage
	Err      string
	BadImage bool // the error is ErrBadImage
	NoEngine bool // the error is ErrNoEngine
	Stages   []stageTook
}

type stageTook struct {
	Stage string
	Took  time.Duration
}

// stageRecorder collects a page's stage timings in the child for the parent's observer.
type stageRecorder struct{ took []stageTook }

func (r *stageRecorder) ObserveStage(stage string, took time.Duration) {
	r.took = append(r.took, stageTook{stage, took})
}

// RunChild serves ServeChild on the descriptors the parent passed and returns the process's
// exit status. Call it from main when os.Args[1] is ChildCommand.
func RunChild() int {
	in, out := os.NewFile(3, "ocr-requests"), os.NewFile(4, "ocr-answers")
	if in == nil || out == nil {
		return 2
	}
	if err := ServeChild(in, out); err != nil {
		return 1
	}
	return 0
}

// ServeChild answers page requests from in on out with one Engine until in ends.
func ServeChild(in io.Reader, out io.Writer) error {
	dec := gob.NewDecoder(bufio.NewReaderSize(in, 1<<16))
	w := bufio.NewWriterSize(out, 1<<16)
	enc := gob.NewEncoder(w)
	var hello childHello
	if err := dec.Decode(&hello); err != nil {
		return err
	}
	faults := os.Getenv(childFaultsEnv) == "1"
	rec := &stageRecorder{}
	opts := hello.Options
	opts.Stages = rec
	// The engine starts and loads its models before the first page, and says so: the
	// parent's page timeout then measures pages alone.
	engine, err := startEngine(opts)
	if engine != nil {
		defer engine.Close()
	}
	if err := answer(enc, w, failure(err)); err != nil || engine == nil {
		return err
	}
	for {
		var req childRequest
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if faults {
			injectFault(req.Image.Data)
		}
		rec.took = rec.took[:0]
		var resp childResponse
		if req.ShrinkTo > 0 {
			small, err := Shrink(req.Image, req.ShrinkTo)
			if resp = failure(err); err == nil {
				resp.Image = &small
			}
		} else {
			recognize := engine.Recognize
			if req.Turned {
				recognize = func(ctx context.Context, img pipeline.PageImage) (pipeline.OCRPage, pipeline.PageImage, error) {
					return engine.RecognizeTurned(ctx, img, req.Turn)
				}
			}
			page, upright, err := recognize(context.Background(), req.Image)
			if resp = failure(err); err == nil {
				resp.Page = page
				if page.Rotation != 0 {
					resp.Image = &upright
				}
			}
		}
		resp.Stages = rec.took
		if err := answer(enc, w, resp); err != nil {
			return err
		}
	}
}

// startEngine makes an engine and has it read a small empty page, which loads Tesseract.
func startEngine(opts Options) (*Engine, error) {
	e, err := NewEngine(opts)
	if err != nil {
		return nil, err
	}
	white := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range white.Pix {
		white.Pix[i] = 0xff
	}
	var buf bytes.Buffer
	png.Encode(&buf, white)
	if _, _, err := e.Recognize(context.Background(), pipeline.PageImage{Data: buf.Bytes(), Format: pipeline.FormatPNG, Width: 64, Height: 64}); err != nil {
		e.Close()
		return nil, fmt.Errorf("%w: %v", ErrNoEngine, err)
	}
	return e, nil
}

// failure is the answer for err (an empty answer for nil).
func failure(err error) childResponse {
	if err == nil {
		return childResponse{}
	}
	return childResponse{Err: err.Error(), BadImage: errors.Is(err, ErrBadImage), NoEngine: errors.Is(err, ErrNoEngine)}
}

func answer(enc *gob.Encoder, w *bufio.Writer, resp childResponse) error {
	if err := enc.Encode(&resp); err != nil {
		return err
	}
	return w.Flush()
}

// injectFault crashes the process inside C, as a Tesseract fault would, or hangs it.
func injectFault(data []byte) {
	switch {
	case bytes.Contains(data, childFaultCrash):
		crashInC()
	case bytes.Contains(data, childFaultHang):
		select {}
	}
}
