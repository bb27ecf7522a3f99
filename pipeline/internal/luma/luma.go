// Package luma is the 8-bit luminance plane the pre-OCR page checks (separator, blank) work on.
package luma

import (
	"encoding/binary"
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
// and strokes visible and smooths scanner noise. It runs on every page before OCR, where it
// was two thirds of the separator and blank checks' time: rows are summed eight pixels at a
// time in 16-bit lanes of a uint64 (a column sum of up to 257 bytes fits 16 bits).
func (l *Plane) Downscale(factor int) *Plane {
	if factor <= 1 {
		return l
	}
	w, h := l.W/factor, l.H/factor
	out := &Plane{Pix: make([]byte, w*h), Stride: w, W: w, H: h}
	if w == 0 || h == 0 {
		return out
	}
	if factor > 257 {
		return l.downscaleWide(factor)
	}
	n := w * factor
	words := n / 8
	even, odd := make([]uint64, words), make([]uint64, words)
	cols := make([]uint32, n)
	area := uint32(factor * factor)
	const lanes = 0x00FF00FF00FF00FF
	for y := 0; y < h; y++ {
		clear(even)
		clear(odd)
		clear(cols[words*8:])
		for dy := 0; dy < factor; dy++ {
			src := l.Pix[(y*factor+dy)*l.Stride:][:n]
			for k := range even {
				v := binary.LittleEndian.Uint64(src[8*k:])
				even[k] += v & lanes
				odd[k] += (v >> 8) & lanes
			}
			for x := words * 8; x < n; x++ {
				cols[x] += uint32(src[x])
			}
		}
		dst := out.Pix[y*w : y*w+w]
		switch factor {
		case 2:
			// An even and an odd lane are a box's two columns: add the words, not the lanes.
			for k := range even {
				v := even[k] + odd[k]
				d := dst[4*k : 4*k+4 : 4*k+4]
				d[0], d[1] = byte(v&0xFFFF>>2), byte(v>>16&0xFFFF>>2)
				d[2], d[3] = byte(v>>32&0xFFFF>>2), byte(v>>48>>2)
			}
			for x := 4 * words; x < w; x++ {
				dst[x] = byte((cols[2*x] + cols[2*x+1]) >> 2)
			}
		case 3:
			unpack(cols, even, odd)
			for x := range dst {
				c := cols[3*x : 3*x+3 : 3*x+3]
				dst[x] = byte((c[0] + c[1] + c[2]) / 9)
			}
		default:
			unpack(cols, even, odd)
			for x := range dst {
				var s uint32
				for _, c := range cols[x*factor : x*factor+factor] {
					s += c
				}
				dst[x] = byte(s / area)
			}
		}
	}
	return out
}

// unpack spreads the 16-bit lanes of the even and odd words into column sums.
func unpack(cols []uint32, even, odd []uint64) {
	for k := range even {
		e, o := even[k], odd[k]
		c := cols[8*k : 8*k+8 : 8*k+8]
		c[0], c[1] = uint32(e&0xFFFF), uint32(o&0xFFFF)
		c[2], c[3] = uint32(e>>16&0xFFFF), uint32(o>>16&0xFFFF)
		c[4], c[5] = uint32(e>>32&0xFFFF), uint32(o>>32&0xFFFF)
		c[6], c[7] = uint32(e>>48), uint32(o>>48)
	}
}

// downscaleWide is Downscale for factors whose column sums overflow 16 bits.
func (l *Plane) downscaleWide(factor int) *Plane {
	w, h := l.W/factor, l.H/factor
	out := &Plane{Pix: make([]byte, w*h), Stride: w, W: w, H: h}
	cols := make([]uint32, w*factor)
	area := uint32(factor * factor)
	for y := 0; y < h; y++ {
		clear(cols)
		for dy := 0; dy < factor; dy++ {
			for x, v := range l.Pix[(y*factor+dy)*l.Stride:][:len(cols)] {
				cols[x] += uint32(v)
			}
		}
		for x := range w {
			var s uint32
			for _, c := range cols[x*factor : x*factor+factor] {
				s += c
			}
			out.Pix[y*w+x] = byte(s / area)
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
