package workers

import (
	"context"

	"onewindow/pipeline"
	"onewindow/pipeline/ocr"
)

// EnginePool lends OCR engines to page tasks. It holds at most one engine per worker
// goroutine; engines are created on first use and reused for every later page, since loading
// Tesseract's Chinese model costs more than recognising a page.
type EnginePool struct {
	opts ocr.Options
	free chan *ocr.Engine
	made chan struct{} // a token per engine that may still be created
}

// NewEnginePool allows up to size engines.
func NewEnginePool(size int, opts ocr.Options) *EnginePool {
	p := &EnginePool{opts: opts, free: make(chan *ocr.Engine, size), made: make(chan struct{}, size)}
	for range size {
		p.made <- struct{}{}
	}
	return p
}

// Recognize runs one page on a free engine.
func (p *EnginePool) Recognize(ctx context.Context, img pipeline.PageImage) (pipeline.OCRPage, pipeline.PageImage, error) {
	var e *ocr.Engine
	select {
	case e = <-p.free:
	case <-p.made:
		var err error
		if e, err = ocr.NewEngine(p.opts); err != nil {
			p.made <- struct{}{}
			return pipeline.OCRPage{}, img, err
		}
	case <-ctx.Done():
		return pipeline.OCRPage{}, img, ctx.Err()
	}
	defer func() { p.free <- e }()
	return e.Recognize(ctx, img)
}

// Close frees the idle engines.
func (p *EnginePool) Close() {
	for {
		select {
		case e := <-p.free:
			e.Close()
		default:
			return
		}
	}
}
