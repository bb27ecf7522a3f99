package pages

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image/jpeg"
	"image/png"
	"math"

	"onewindow/pipeline"
)

// singleSource is a one-page upload passed through unchanged.
type singleSource struct {
	kind Kind
	page pipeline.PageImage
}

func (s *singleSource) Kind() Kind   { return s.kind }
func (s *singleSource) Len() int     { return 1 }
func (s *singleSource) Close() error { return nil }

func (s *singleSource) Page(ctx context.Context, i int) (pipeline.PageImage, error) {
	if i != 0 {
		return pipeline.PageImage{}, fmt.Errorf("page %d out of range [0,1)", i)
	}
	return s.page, ctx.Err()
}

func openJPEG(data []byte, lim Limits) (Source, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: jpeg: %v", ErrCorrupt, err)
	}
	if err := lim.checkPixels("jpeg image", cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	return &singleSource{kind: KindJPEG, page: pipeline.PageImage{
		Data: data[:len(data):len(data)], Format: pipeline.FormatJPEG,
		Width: cfg.Width, Height: cfg.Height, DPI: jfifDPI(data),
	}}, nil
}

func openPNG(data []byte, lim Limits) (Source, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: png: %v", ErrCorrupt, err)
	}
	if err := lim.checkPixels("png image", cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	return &singleSource{kind: KindPNG, page: pipeline.PageImage{
		Data: data[:len(data):len(data)], Format: pipeline.FormatPNG,
		Width: cfg.Width, Height: cfg.Height, DPI: pngDPI(data),
	}}, nil
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
