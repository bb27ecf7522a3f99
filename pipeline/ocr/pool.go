package ocr

import (
	"context"
	"fmt"
	"sync"

	"onewindow/pipeline"
)

// Pool shares n Engines among any number of goroutines: Recognize borrows one for the page
// and waits while all are busy. Give it as many engines as there are OCR workers, one per
// core: each engine runs Tesseract on a single thread.
type Pool struct {
	opts      Options
	engines   chan *Engine
	all       []*Engine
	done      chan struct{}
	closeOnce sync.Once
}

// NewPool creates n engines (n < 1 means 1).
func NewPool(opts Options, n int) (*Pool, error) {
	n = max(n, 1)
	p := &Pool{opts: opts, engines: make(chan *Engine, n), done: make(chan struct{})}
	for range n {
		e, err := NewEngine(opts)
		if err != nil {
			for _, e := range p.all {
				e.Close()
			}
			return nil, fmt.Errorf("ocr: new pool: %w", err)
		}
		p.all = append(p.all, e)
		p.engines <- e
	}
	return p, nil
}

// Recognize runs Engine.Recognize on a free engine, waiting for one while ctx allows.
func (p *Pool) Recognize(ctx context.Context, img pipeline.PageImage) (pipeline.OCRPage, pipeline.PageImage, error) {
	select {
	case <-p.done:
		return pipeline.OCRPage{}, img, ErrClosed
	case <-ctx.Done():
		return pipeline.OCRPage{}, img, ctx.Err()
	case e := <-p.engines:
		defer func() { p.engines <- e }()
		select {
		case <-p.done:
			return pipeline.OCRPage{}, img, ErrClosed
		default:
		}
		return e.Recognize(ctx, img)
	}
}

// Ping checks that engines with the pool's options can start; see the package Ping.
func (p *Pool) Ping() error { return Ping(p.opts) }

// Close waits for pages in progress to finish and frees every engine.
func (p *Pool) Close() {
	p.closeOnce.Do(func() {
		close(p.done)
		for range p.all {
			(<-p.engines).Close()
		}
	})
}
