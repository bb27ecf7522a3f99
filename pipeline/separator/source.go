package separator

import (
	"errors"

	"github.com/makiuchi-d/gozxing"

	"onewindow/pipeline/internal/luma"
)

// lumaSource lets gozxing read a luma plane without the per-pixel image.At calls of its
// own image adapter, which dominate its cost on a full page.
type lumaSource struct {
	l *luma.Plane
}

var _ gozxing.LuminanceSource = lumaSource{}

var errUnsupported = errors.New("separator: luminance source operation not supported")

func (s lumaSource) GetRow(y int, row []byte) ([]byte, error) {
	if len(row) < s.l.W {
		row = make([]byte, s.l.W)
	}
	copy(row, s.l.Row(y))
	return row, nil
}

func (s lumaSource) GetMatrix() []byte {
	if s.l.Stride == s.l.W {
		return s.l.Pix[:s.l.W*s.l.H]
	}
	m := make([]byte, s.l.W*s.l.H)
	for y := 0; y < s.l.H; y++ {
		copy(m[y*s.l.W:], s.l.Row(y))
	}
	return m
}

func (s lumaSource) GetWidth() int         { return s.l.W }
func (s lumaSource) GetHeight() int        { return s.l.H }
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
