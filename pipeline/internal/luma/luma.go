// Package luma is the 8-bit luminance plane the pre-OCR page checks (separator, blank) work on.
package luma

import (
	"image"
	"image/color"
)

// Plane is an 8-bit luminance plane. It aliases the decoder's own buffer when the page is
// already gray or YCbCr (every JPEG and bilevel TIFF), so a full-size page costs no copy.
type Plane struct {
	Pix    []byte
	Stride int
	W, H   int
}

func (l *Plane) At(x, y int) byte { return l.Pix[y*l.Stride+x] }

func (l *Plane) Row(y int) []byte { return l.Pix[y*l.Stride : y*l.Stride+l.W] }

// Of returns the page's luminance, without copying where the pixel layout allows it.
func Of(img image.Image) *Plane {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return &Plane{Pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], Stride: m.Stride, W: b.Dx(), H: b.Dy()}
	case *image.YCbCr:
		off := m.YOffset(b.Min.X, b.Min.Y)
		return &Plane{Pix: m.Y[off:], Stride: m.YStride, W: b.Dx(), H: b.Dy()}
	}
	out := &Plane{Pix: make([]byte, b.Dx()*b.Dy()), Stride: b.Dx(), W: b.Dx(), H: b.Dy()}
	switch m := img.(type) {
	case *image.Paletted:
		lut := make([]byte, len(m.Palette))
		for i, c := range m.Palette {
			lut[i] = color.GrayModel.Convert(c).(color.Gray).Y
		}
		for y := 0; y < out.H; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := out.Pix[y*out.Stride:]
			for x := 0; x < out.W; x++ {
				dst[x] = lut[src[x]]
			}
		}
	case *image.RGBA:
		for y := 0; y < out.H; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := out.Pix[y*out.Stride:]
			for x := 0; x < out.W; x++ {
				r, g, bl := int(src[4*x]), int(src[4*x+1]), int(src[4*x+2])
				dst[x] = byte((19595*r + 38470*g + 7471*bl + 1<<15) >> 16)
			}
		}
	default:
		for y := 0; y < out.H; y++ {
			dst := out.Pix[y*out.Stride:]
			for x := 0; x < out.W; x++ {
				dst[x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			}
		}
	}
	return out
}

// Downscale averages factor×factor boxes; averaging rather than sampling keeps thin bars
// and strokes visible and smooths scanner noise.
func (l *Plane) Downscale(factor int) *Plane {
	if factor <= 1 {
		return l
	}
	w, h := l.W/factor, l.H/factor
	out := &Plane{Pix: make([]byte, w*h), Stride: w, W: w, H: h}
	// Sum the rows of a band column-wise first: that inner loop is a plain add over a
	// contiguous row, several times faster than walking each box.
	cols := make([]uint32, w*factor)
	area := uint32(factor * factor)
	for y := 0; y < h; y++ {
		clear(cols)
		for dy := 0; dy < factor; dy++ {
			src := l.Pix[(y*factor+dy)*l.Stride:]
			src = src[:len(cols)]
			for x, v := range src {
				cols[x] += uint32(v)
			}
		}
		dst := out.Pix[y*w : y*w+w]
		for x := range dst {
			var s uint32
			for _, c := range cols[x*factor : x*factor+factor] {
				s += c
			}
			dst[x] = byte(s / area)
		}
	}
	return out
}

// Crop returns a view of r (clipped to the plane) without copying.
func (l *Plane) Crop(r image.Rectangle) *Plane {
	r = r.Intersect(image.Rect(0, 0, l.W, l.H))
	return &Plane{Pix: l.Pix[r.Min.Y*l.Stride+r.Min.X:], Stride: l.Stride, W: r.Dx(), H: r.Dy()}
}

// Histogram counts sampled pixels; step keeps it cheap on full-size pages.
func (l *Plane) Histogram(step int) (hist [256]int, n int) {
	for y := 0; y < l.H; y += step {
		r := l.Row(y)
		for x := 0; x < l.W; x += step {
			hist[r[x]]++
			n++
		}
	}
	return hist, n
}

// Percentile is the value below which share p of the histogram's n samples lie.
func Percentile(hist *[256]int, n int, p float64) int {
	target := int(float64(n) * p)
	acc := 0
	for v, c := range hist {
		acc += c
		if acc > target {
			return v
		}
	}
	return 255
}
