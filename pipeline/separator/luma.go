package separator

import (
	"image"
	"image/color"
)

// luma is an 8-bit luminance plane. It aliases the decoder's own buffer when the page is
// already gray or YCbCr (every JPEG and bilevel TIFF), so a full-size page costs no copy.
type luma struct {
	pix    []byte
	stride int
	w, h   int
}

func (l *luma) at(x, y int) byte { return l.pix[y*l.stride+x] }

func (l *luma) row(y int) []byte { return l.pix[y*l.stride : y*l.stride+l.w] }

// lumaOf returns the page's luminance, without copying where the pixel layout allows it.
func lumaOf(img image.Image) *luma {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return &luma{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], stride: m.Stride, w: b.Dx(), h: b.Dy()}
	case *image.YCbCr:
		off := m.YOffset(b.Min.X, b.Min.Y)
		return &luma{pix: m.Y[off:], stride: m.YStride, w: b.Dx(), h: b.Dy()}
	}
	out := &luma{pix: make([]byte, b.Dx()*b.Dy()), stride: b.Dx(), w: b.Dx(), h: b.Dy()}
	switch m := img.(type) {
	case *image.Paletted:
		lut := make([]byte, len(m.Palette))
		for i, c := range m.Palette {
			lut[i] = color.GrayModel.Convert(c).(color.Gray).Y
		}
		for y := 0; y < out.h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := out.pix[y*out.stride:]
			for x := 0; x < out.w; x++ {
				dst[x] = lut[src[x]]
			}
		}
	case *image.RGBA:
		for y := 0; y < out.h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := out.pix[y*out.stride:]
			for x := 0; x < out.w; x++ {
				r, g, bl := int(src[4*x]), int(src[4*x+1]), int(src[4*x+2])
				dst[x] = byte((19595*r + 38470*g + 7471*bl + 1<<15) >> 16)
			}
		}
	default:
		for y := 0; y < out.h; y++ {
			dst := out.pix[y*out.stride:]
			for x := 0; x < out.w; x++ {
				dst[x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			}
		}
	}
	return out
}

// downscale averages factor×factor boxes; averaging rather than sampling keeps thin bars
// and strokes visible and smooths scanner noise.
func (l *luma) downscale(factor int) *luma {
	if factor <= 1 {
		return l
	}
	w, h := l.w/factor, l.h/factor
	out := &luma{pix: make([]byte, w*h), stride: w, w: w, h: h}
	// Sum the rows of a band column-wise first: that inner loop is a plain add over a
	// contiguous row, several times faster than walking each box.
	cols := make([]uint32, w*factor)
	area := uint32(factor * factor)
	for y := 0; y < h; y++ {
		clear(cols)
		for dy := 0; dy < factor; dy++ {
			src := l.pix[(y*factor+dy)*l.stride:]
			src = src[:len(cols)]
			for x, v := range src {
				cols[x] += uint32(v)
			}
		}
		dst := out.pix[y*w : y*w+w]
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

// crop returns a view of r (clipped to the plane) without copying.
func (l *luma) crop(r image.Rectangle) *luma {
	r = r.Intersect(image.Rect(0, 0, l.w, l.h))
	return &luma{pix: l.pix[r.Min.Y*l.stride+r.Min.X:], stride: l.stride, w: r.Dx(), h: r.Dy()}
}

// histogram counts sampled pixels; step keeps it cheap on full-size pages.
func (l *luma) histogram(step int) (hist [256]int, n int) {
	for y := 0; y < l.h; y += step {
		r := l.row(y)
		for x := 0; x < l.w; x += step {
			hist[r[x]]++
			n++
		}
	}
	return hist, n
}

func percentile(hist *[256]int, n int, p float64) int {
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
