package pages

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"

	"onewindow/pipeline"
)

// singleSource is a one-page upload, passed through unchanged unless build is set.
type singleSource struct {
	kind Kind
	page pipeline.PageImage
	// build makes the page from the upload where later stages could not take it as it is
	// (transparency, CMYK, an EXIF turn); page then holds the upload and the built size.
	build func() (pipeline.PageImage, error)
}

func (s *singleSource) Kind() Kind   { return s.kind }
func (s *singleSource) Len() int     { return 1 }
func (s *singleSource) Close() error { return nil }

func (s *singleSource) Page(ctx context.Context, i int) (pipeline.PageImage, error) {
	if i != 0 {
		return pipeline.PageImage{}, fmt.Errorf("page %d out of range [0,1)", i)
	}
	if err := ctx.Err(); err != nil {
		return pipeline.PageImage{}, err
	}
	if s.build != nil {
		return s.build()
	}
	return s.page, nil
}

func openJPEG(data []byte, lim Limits) (Source, error) {
	start, cfg, err := findJPEG(data)
	if err != nil && !bytes.HasPrefix(data, magicJPEG) {
		// Bytes that only look like a JPEG start somewhere inside are some other file.
		name, _ := describe(data)
		return nil, fmt.Errorf("%w: %s (no JPEG inside decodes: %v)", ErrUnsupported, name, err)
	}
	if err != nil {
		return nil, jpegProblem(data, err)
	}
	data = data[start:len(data):len(data)]
	facts := readJPEGFacts(data)
	w, h := cfg.Width, cfg.Height
	if facts.orientation >= 5 && facts.orientation < orientInvalid {
		w, h = h, w
	}
	if err := lim.checkPixels("jpeg image", w, h); err != nil {
		return nil, err
	}
	src := &singleSource{kind: KindJPEG, page: pipeline.PageImage{
		Data: data, Format: pipeline.FormatJPEG, Width: w, Height: h, DPI: jfifDPI(data),
	}}
	if facts.components == 4 || (facts.orientation > orientTopLeft && facts.orientation < orientInvalid) {
		src.build = func() (pipeline.PageImage, error) {
			out, r, err := normalJPEG(data, facts.orientation)
			if err != nil {
				return pipeline.PageImage{}, err
			}
			p := src.page
			p.Data, p.Width, p.Height = out, r.Dx(), r.Dy()
			return p, nil
		}
	}
	return src, nil
}

// findJPEG finds where the image starts: at 0, or after leading junk where the first start of
// image that decodes wins, as libjpeg-based viewers skip such a header. A file that starts
// as a JPEG is that JPEG: a thumbnail inside a damaged one must not stand in for the page.
func findJPEG(data []byte) (int, image.Config, error) {
	var firstErr error
	for off := 0; off <= jpegHeaderWindow; off++ {
		i := jpegStart(data[off:min(len(data), jpegHeaderWindow+len(magicJPEG)+1)])
		if i < 0 {
			break
		}
		off += i
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data[off:]))
		if err == nil {
			return off, cfg, nil
		}
		if off == 0 {
			return 0, cfg, err
		}
		firstErr = cmp.Or(firstErr, err)
	}
	return 0, image.Config{}, cmp.Or(firstErr, errors.New("no start of image"))
}

func openPNG(data []byte, lim Limits) (Source, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, pngProblem(err)
	}
	if err := lim.checkPixels("png image", cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	src := &singleSource{kind: KindPNG, page: pipeline.PageImage{
		Data: data[:len(data):len(data)], Format: pipeline.FormatPNG,
		Width: cfg.Width, Height: cfg.Height, DPI: pngDPI(data),
	}}
	if pngHasAlpha(data) {
		src.build = func() (pipeline.PageImage, error) {
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				return pipeline.PageImage{}, pngProblem(err)
			}
			out, err := encodePNG(onWhite(img))
			if err != nil {
				return pipeline.PageImage{}, err
			}
			p := src.page
			p.Data = out
			return p, nil
		}
	}
	return src, nil
}

// jfifDPI reads the density of a JFIF APP0 segment; 0 when absent or only an aspect ratio.
func jfifDPI(data []byte) float64 {
	// SOI, then APP0: FF E0 len(2) "JFIF\0" version(2) units(1) Xdensity(2) Ydensity(2).
	if len(data) < 18 || data[2] != 0xFF || data[3] != 0xE0 || string(data[6:11]) != "JFIF\x00" {
		return 0
	}
	units, x := data[13], float64(binary.BigEndian.Uint16(data[14:16]))
	switch units {
	case 1:
		return x
	case 2:
		return roundDPI(x * 2.54)
	}
	return 0
}

// pngDPI reads the pHYs chunk, which must come before the first IDAT; 0 when absent.
func pngDPI(data []byte) float64 {
	p := data[len(magicPNG):]
	for len(p) >= 12 {
		n := binary.BigEndian.Uint32(p[0:4])
		typ := string(p[4:8])
		if typ == "IDAT" || uint64(n)+12 > uint64(len(p)) {
			return 0
		}
		if typ == "pHYs" && n == 9 {
			x := binary.BigEndian.Uint32(p[8:12])
			if p[16] == 1 { // pixels per metre
				return roundDPI(float64(x) * 0.0254)
			}
			return 0
		}
		p = p[12+n:]
	}
	return 0
}

// roundDPI snaps to a whole number when within 1%: 2480 px over 595.28 pt is a 300-dpi scan,
// and 11811 px/m is 300 dpi.
func roundDPI(d float64) float64 {
	if d <= 0 || math.IsInf(d, 0) || math.IsNaN(d) {
		return 0
	}
	if r := math.Round(d); math.Abs(d-r) <= 0.01*r {
		return r
	}
	return math.Round(d*100) / 100
}
