package pages

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/image/tiff"
)

// libtiff, the reference TIFF decoder, reads what x/image/tiff cannot: JPEG-in-TIFF (old and
// new style, subsampled YCbCr), LZMA, Zstandard, WebP, JBIG, BigTIFF, CMYK and other sample
// layouts; no maintained pure-Go decoder does. Its command-line tools run as child
// processes, so a crash in C on a hostile file costs one page, not the daemon. tiffcp copies
// the page uncompressed, keeping its bit depth (a 1-bit page stays 1-bit), for x/image/tiff
// to read; tiff2rgba makes 8-bit RGBA of the layouts x/image/tiff still cannot read.

// libtiffTimeout bounds one page's conversion; the pixel limit checked at Open bounds its size.
const libtiffTimeout = 90 * time.Second

// libtiffFiles is the upload written once to a private temporary directory for the tools.
type libtiffFiles struct {
	once sync.Once
	dir  string
	in   string
	err  error
}

func (l *libtiffFiles) close() error {
	if l.dir == "" {
		return nil
	}
	return os.RemoveAll(l.dir)
}

func (l *libtiffFiles) spill(data []byte) error {
	l.once.Do(func() {
		if l.dir, l.err = os.MkdirTemp("", "onewindow-tiff-"); l.err != nil {
			return
		}
		l.in = filepath.Join(l.dir, "upload.tif")
		l.err = os.WriteFile(l.in, data, 0o600)
	})
	return l.err
}

// viaLibtiff decodes page i (p) with libtiff's tools. It returns the image and the
// orientation still to apply.
func (s *tiffSource) viaLibtiff(ctx context.Context, p tiffPage, i int) (image.Image, int, error) {
	l := &s.lib
	if err := l.spill(s.data); err != nil {
		return nil, 0, fmt.Errorf("tiff page %d: spill for libtiff: %w", i, err)
	}
	ctx, cancel := context.WithTimeout(ctx, libtiffTimeout)
	defer cancel()
	page, err := l.temp()
	if err != nil {
		return nil, 0, err
	}
	defer os.Remove(page)
	// The tools refuse allocations above 256 MiB by default, less than an A3 colour page at
	// 600 dpi; allow what this page's declared size needs, which Open has bounded.
	memMiB := fmt.Sprint(int64(p.width)*int64(p.height)*8>>20 + 64)
	// "-f msb2lsb": tiffcp keeps a FillOrder 2 tag on the uncompressed copy, whose bits Go's
	// reader then takes in the usual order; a fax page in reverse bit order came out as noise.
	copyErr := runLibtiff(ctx, "tiffcp", "-m", memMiB, "-c", "none", "-p", "contig", "-f", "msb2lsb", fmt.Sprintf("%s,%d", l.in, p.dir), page)
	if copyErr == nil {
		img, err := readConverted(page, p)
		if err == nil {
			return img, p.orientation, nil
		}
	} else if err := toolTrouble(ctx, i, copyErr); err != nil {
		return nil, 0, err
	} else {
		// tiffcp cannot copy some layouts (subsampled YCbCr outside JPEG, old-style JPEG):
		// tiff2rgba reads them, but only from the first directory, so give it a file
		// whose first and only page is this one.
		if err := s.pageFirst(p, page); err != nil {
			return nil, 0, err
		}
	}
	rgba, err := l.temp()
	if err != nil {
		return nil, 0, err
	}
	defer os.Remove(rgba)
	if err := runLibtiff(ctx, "tiff2rgba", "-M", memMiB, "-c", "none", page, rgba); err != nil {
		if err := toolTrouble(ctx, i, err); err != nil {
			return nil, 0, err
		}
		return nil, 0, libtiffProblem(i, p, cmp.Or(copyErr, err)) // tiffcp names the failure better
	}
	img, err := readConverted(rgba, p)
	if err != nil {
		return nil, 0, pageProblem(i, "is damaged: its image data cannot be decoded", fixUploadAgain,
			fmt.Errorf("%w: tiff page %d: libtiff output: %v", ErrCorrupt, i, err))
	}
	return img, rgbaResidual[p.orientation], nil
}

// toolTrouble returns the failure of a tool that is not the file's fault (the time ran out,
// the tool is missing), which the queue may try again; nil for any other.
func toolTrouble(ctx context.Context, i int, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("tiff page %d: %w (%v)", i, ctx.Err(), err)
	}
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("tiff page %d: %w", i, err)
	}
	return nil
}

// rgbaResidual is the orientation left to apply to tiff2rgba's output: libtiff's RGBA
// interface applies the flips of an orientation itself, but never swaps rows and columns.
// With the top-left request tiff2rgba makes, 2-4 come out upright, 5 and 7 still transposed,
// 6 and 8 still transversed (measured on libtiff 4.5).
var rgbaResidual = [orientInvalid + 1]int{0, 1, 1, 1, 1, 5, 7, 5, 7, 0}

func (l *libtiffFiles) temp() (string, error) {
	f, err := os.CreateTemp(l.dir, "page-*.tif")
	if err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}

// readConverted decodes a tool's output, which must be the page at its declared size.
func readConverted(path string, p tiffPage) (image.Image, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	// 16-bit RGBA is the widest layout; anything bigger is not this page.
	if limit := int64(p.width)*int64(p.height)*8 + 1<<20; fi.Size() > limit {
		return nil, fmt.Errorf("converted page is %d bytes, more than %d", fi.Size(), limit)
	}
	// Read from the file as x/image/tiff needs it, not copied into memory first: a colour
	// A3 page at 600 dpi is hundreds of megabytes uncompressed.
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := tiff.Decode(f)
	if err != nil {
		return nil, err
	}
	if r := img.Bounds(); r.Dx() != p.width || r.Dy() != p.height {
		return nil, fmt.Errorf("converted page is %dx%d, declared %dx%d", r.Dx(), r.Dy(), p.width, p.height)
	}
	return img, nil
}

// pageFirst writes a copy of the file whose header points at p's directory and whose
// directory points nowhere further: a one-page file without rewriting any offset.
func (s *tiffSource) pageFirst(p tiffPage, path string) error {
	out := bytes.Clone(s.data)
	countSize, entrySize, offsetSize := ifdLayout(s.big)
	order := s.order
	if s.big {
		order.PutUint64(out[8:16], p.ifd)
	} else {
		order.PutUint32(out[4:8], uint32(p.ifd))
	}
	count := readOffset(out[p.ifd:], order, countSize)
	next := p.ifd + countSize + count*entrySize
	clear(out[next : next+offsetSize]) // readIFD checked these bounds at Open
	return os.WriteFile(path, out, 0o600)
}

// runLibtiff runs one of libtiff's tools, keeping a little of what it says for the log.
func runLibtiff(ctx context.Context, tool string, args ...string) error {
	path, err := exec.LookPath(tool)
	if err != nil {
		return fmt.Errorf("libtiff's %s is not installed (Debian package libtiff-tools): %w", tool, err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var stderr limitedBuffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", tool, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// libtiffProblem tells an encoding libtiff lacks from damage it found.
func libtiffProblem(i int, p tiffPage, err error) error {
	msg := err.Error()
	// "Sorry, can not handle images with 32-bit samples": a layout the RGBA reader lacks.
	if _, layout, ok := strings.Cut(msg, "can not handle "); ok {
		layout, _, _ = strings.Cut(layout, "\n")
		return pageProblem(i, fmt.Sprintf("stores its pixels in a form this service cannot read (%s)", strings.TrimSuffix(strings.TrimSpace(layout), ".")), fixResaveLayout,
			fmt.Errorf("%w: tiff page %d: %v", ErrUnreadable, i, err))
	}
	for _, lacking := range []string{"not configured", "not implemented", "not supported"} {
		if strings.Contains(msg, lacking) {
			return pageProblem(i, fmt.Sprintf("uses %s compression, which this service cannot read", tiffCodecs[p.compression].name), fixResave,
				fmt.Errorf("%w: tiff page %d: %v", ErrUnreadable, i, err))
		}
	}
	return pageProblem(i, "is damaged: its image data cannot be decoded", fixUploadAgain,
		fmt.Errorf("%w: tiff page %d: libtiff: %v", ErrCorrupt, i, err))
}

// limitedBuffer keeps the first 4 KB written to it: enough to say why a tool failed.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
