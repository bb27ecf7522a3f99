package pages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"strconv"
	"sync"

	"onewindow/pipeline"
)

// PdftoppmPath is the poppler rasteriser used for PDF pages that are not a single scanned
// image.
var PdftoppmPath = "pdftoppm"

// renderer rasterises PDF pages with pdftoppm, which reads only files: the PDF is written to
// a temporary file on first use and removed by close.
type renderer struct {
	data []byte

	mu     sync.Mutex
	path   string
	closed bool
}

func (r *renderer) file() (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return "", errors.New("pdf source is closed")
	}
	if r.path != "" {
		return r.path, nil
	}
	f, err := os.CreateTemp("", "onewindow-pages-*.pdf")
	if err != nil {
		return "", fmt.Errorf("render pdf page: %w", err)
	}
	_, werr := f.Write(r.data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("render pdf page: write temp file: %w", err)
	}
	r.path = f.Name()
	return r.path, nil
}

func (r *renderer) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.path == "" {
		return nil
	}
	err := os.Remove(r.path)
	r.path = ""
	return err
}

// page renders page i (0-based) as 8-bit gray. pdftoppm is asked for PGM, not PNG: its
// -gray -png output is RGB, and PGM lets us check the size before trusting the pixels.
func (r *renderer) page(ctx context.Context, i int, dpi float64) (pipeline.PageImage, error) {
	path, err := r.file()
	if err != nil {
		return pipeline.PageImage{}, err
	}
	n := strconv.Itoa(i + 1)
	res := strconv.FormatFloat(dpi, 'f', -1, 64)
	out, err := runPoppler(ctx, PdftoppmPath, "-r", res, "-gray", "-f", n, "-l", n, path)
	if err != nil {
		if ctx.Err() != nil {
			return pipeline.PageImage{}, ctx.Err()
		}
		return pipeline.PageImage{}, brokenPageProblem(i, err)
	}
	img, err := parsePGM(out)
	if err != nil {
		return pipeline.PageImage{}, fmt.Errorf("%w: pdf page %d: pdftoppm output: %v", ErrCorrupt, i, err)
	}
	data, err := encodePNG(img)
	if err != nil {
		return pipeline.PageImage{}, err
	}
	return pipeline.PageImage{Data: data, Format: pipeline.FormatPNG, Width: img.Rect.Dx(), Height: img.Rect.Dy(), DPI: dpi}, nil
}

// parsePGM reads a binary 8-bit PGM (P5) and shares its pixel bytes.
func parsePGM(b []byte) (*image.Gray, error) {
	var fields [4]int
	i := 0
	if !bytes.HasPrefix(b, []byte("P5")) {
		return nil, errors.New("not a binary PGM")
	}
	i = 2
	for f := 1; f < 4; f++ {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		v, err := strconv.Atoi(string(b[start:i]))
		if err != nil {
			return nil, fmt.Errorf("PGM header: %v", err)
		}
		fields[f] = v
	}
	i++ // the single whitespace byte before the raster
	w, h, maxVal := fields[1], fields[2], fields[3]
	if w <= 0 || h <= 0 || maxVal != 255 || int64(len(b)-i) < int64(w)*int64(h) {
		return nil, fmt.Errorf("PGM %dx%d maxval %d with %d data bytes", w, h, maxVal, len(b)-i)
	}
	return &image.Gray{Pix: b[i : i+w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
}
