package pages

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"sync"

	"onewindow/pipeline"
)

// Decode decodes a page image for analysis.
func Decode(p pipeline.PageImage) (image.Image, error) {
	r := bytes.NewReader(p.Data)
	var (
		img image.Image
		err error
	)
	switch p.Format {
	case pipeline.FormatJPEG:
		img, err = jpeg.Decode(r)
	case pipeline.FormatPNG:
		img, err = png.Decode(r)
	default:
		return nil, fmt.Errorf("%w: page image format %q", ErrUnsupported, p.Format)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: decode %s page: %v", ErrCorrupt, p.Format, err)
	}
	return onWhite(img), nil
}

// DecodeGrayDownscaled decodes p to gray, shrunk by a whole factor (box filter) so that
// neither side exceeds maxSide; maxSide <= 0 keeps full size. The result may share memory
// with the decoded image (a JPEG's luma plane is already gray), never with p.Data.
func DecodeGrayDownscaled(p pipeline.PageImage, maxSide int) (*image.Gray, error) {
	img, err := Decode(p)
	if err != nil {
		return nil, err
	}
	return GrayDownscaled(img, maxSide), nil
}

// GrayDownscaled is DecodeGrayDownscaled for an image already decoded.
func GrayDownscaled(img image.Image, maxSide int) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	f := 1
	if maxSide > 0 {
		f = (max(w, h) + maxSide - 1) / maxSide
		f = max(f, 1)
	}
	rows := grayRows(img)
	if f == 1 {
		if g, ok := img.(*image.Gray); ok {
			return g
		}
		if y, ok := img.(*image.YCbCr); ok {
			return &image.Gray{Pix: y.Y, Stride: y.YStride, Rect: y.Rect}
		}
	}
	ow, oh := (w+f-1)/f, (h+f-1)/f
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	acc := make([]uint32, ow)
	row := make([]uint8, w)
	for oy := 0; oy < oh; oy++ {
		clear(acc)
		y0, y1 := oy*f, min(oy*f+f, h)
		for y := y0; y < y1; y++ {
			src := rows(y, row)
			for ox := range ow {
				x0, x1 := ox*f, min(ox*f+f, w)
				var s uint32
				for _, v := range src[x0:x1] {
					s += uint32(v)
				}
				acc[ox] += s
			}
		}
		dst := out.Pix[oy*out.Stride : oy*out.Stride+ow]
		for ox := range ow {
			n := uint32((min(ox*f+f, w) - ox*f) * (y1 - y0))
			dst[ox] = uint8((acc[ox] + n/2) / n)
		}
	}
	return out
}

// grayRows returns a function giving row y (0-based within the bounds) as 8-bit luma,
// either a slice of the image's own pixels or filled into buf.
func grayRows(img image.Image) func(y int, buf []uint8) []uint8 {
	b := img.Bounds()
	w := b.Dx()
	switch m := img.(type) {
	case *image.Gray:
		return func(y int, _ []uint8) []uint8 {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			return m.Pix[i : i+w]
		}
	case *image.YCbCr:
		return func(y int, _ []uint8) []uint8 {
			i := m.YOffset(b.Min.X, b.Min.Y+y)
			return m.Y[i : i+w]
		}
	case *image.Paletted:
		var lut [256]uint8
		for i, c := range m.Palette {
			lut[i] = color.GrayModel.Convert(c).(color.Gray).Y
		}
		return func(y int, buf []uint8) []uint8 {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x, v := range m.Pix[i : i+w] {
				buf[x] = lut[v]
			}
			return buf
		}
	case *image.RGBA:
		return func(y int, buf []uint8) []uint8 {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			rgbRowToGray(buf, m.Pix[i:i+4*w])
			return buf
		}
	case *image.NRGBA: // scans are opaque; alpha is ignored
		return func(y int, buf []uint8) []uint8 {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			rgbRowToGray(buf, m.Pix[i:i+4*w])
			return buf
		}
	}
	return func(y int, buf []uint8) []uint8 {
		for x := range w {
			buf[x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
		}
		return buf
	}
}

// rgbRowToGray uses the weights of color.GrayModel.
func rgbRowToGray(dst, src []uint8) {
	for x := range dst {
		p := src[4*x : 4*x+3 : 4*x+3]
		dst[x] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
	}
}

// pngEncoder is shared so its compression buffers are reused across pages.
var pngEncoder = &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngPool{}}

type pngPool struct{ p sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	b, _ := p.p.Get().(*png.EncoderBuffer)
	return b
}
func (p *pngPool) Put(b *png.EncoderBuffer) { p.p.Put(b) }

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode page as png: %w", err)
	}
	return buf.Bytes(), nil
}

// bitRows is a 1-bit image: rows of packed pixels, most significant bit first, 1 = white.
type bitRows struct {
	width, height int
	stride        int
	pix           []byte
}

// grayToBits packs a Gray image that holds only black and white (a decoded 1-bit TIFF).
func grayToBits(g *image.Gray) bitRows {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	b := bitRows{width: w, height: h, stride: (w + 7) / 8}
	b.pix = make([]byte, b.stride*h)
	for y := range h {
		src := g.Pix[y*g.Stride : y*g.Stride+w]
		dst := b.pix[y*b.stride : (y+1)*b.stride]
		x := 0
		for ; x+8 <= w; x += 8 {
			s := src[x : x+8 : x+8]
			dst[x>>3] = s[0]&0x80 | s[1]&0x80>>1 | s[2]&0x80>>2 | s[3]&0x80>>3 |
				s[4]&0x80>>4 | s[5]&0x80>>5 | s[6]&0x80>>6 | s[7]&0x80>>7
		}
		for ; x < w; x++ {
			dst[x>>3] |= src[x] & 0x80 >> (x & 7)
		}
	}
	return b
}

// encodePNG1 writes a 1-bit grayscale PNG. image/png would need a Paletted image and packs
// bits pixel by pixel, twice as slow as this for a 300-dpi page; Go decodes the result as
// an *image.Gray holding 0 and 255.
func encodePNG1(b bitRows) ([]byte, error) {
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	if err != nil {
		return nil, err
	}
	filterNone := []byte{0}
	for y := range b.height {
		zw.Write(filterNone)
		zw.Write(b.pix[y*b.stride : (y+1)*b.stride])
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	out := bytes.NewBuffer(make([]byte, 0, z.Len()+64))
	out.Write(magicPNG)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:4], uint32(b.width))
	binary.BigEndian.PutUint32(ihdr[4:8], uint32(b.height))
	ihdr[8], ihdr[9] = 1, 0 // bit depth 1, grayscale
	writeChunk(out, "IHDR", ihdr[:])
	writeChunk(out, "IDAT", z.Bytes())
	writeChunk(out, "IEND", nil)
	return out.Bytes(), nil
}

func writeChunk(w *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	w.WriteString(typ)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}
