package separator

import (
	"errors"

	"github.com/makiuchi-d/gozxing"
)

// lumaSource lets gozxing read a luma plane without the per-pixel image.At calls of its
// own image adapter, which dominate its cost on a full page.
type lumaSource struct {
	l *luma
}

var _ gozxing.LuminanceSource = lumaSource{}

var errUnsupported = errors.New("separator: luminance source operation not supported")

func (s lumaSource) GetRow(y int, row []byte) ([]byte, error) {
	if len(row) < s.l.w {
		row = make([]byte, s.l.w)
	}
	copy(row, s.l.row(y))
	return row, nil
}

func (s lumaSource) GetMatrix() []byte {
	if s.l.stride == s.l.w {
		return s.l.pix[:s.l.w*s.l.h]
	}
	m := make([]byte, s.l.w*s.l.h)
	for y := 0; y < s.l.h; y++ {
		copy(m[y*s.l.w:], s.l.row(y))
	}
	return m
}

func (s lumaSource) GetWidth() int         { return s.l.w }
func (s lumaSource) GetHeight() int        { return s.l.h }
func (s lumaSource) IsCropSupported() bool { return false }
func (s lumaSource) Crop(int, int, int, int) (gozxing.LuminanceSource, error) {
	return nil, errUnsupported
}
func (s lumaSource) IsRotateSupported() bool { return false }
func (s lumaSource) Invert() gozxing.LuminanceSource {
	return gozxing.NewInvertedLuminanceSource(s)
}
func (s lumaSource) RotateCounterClockwise() (gozxing.LuminanceSource, error) {
	return nil, errUnsupported
}
func (s lumaSource) RotateCounterClockwise45() (gozxing.LuminanceSource, error) {
	return nil, errUnsupported
}
func (s lumaSource) String() string { return gozxing.LuminanceSourceString(s) }
