package pdfout

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"

	"onewindow/pipeline"
)

// pdfImage is an image XObject ready to write: dict entries without /Length, and the
// stream bytes, already encoded.
type pdfImage struct {
	dict          string
	data          []byte
	width, height int
}

func prepareImage(img pipeline.PageImage) (pdfImage, error) {
	switch img.Format {
	case pipeline.FormatJPEG:
		return jpegImage(img.Data)
	case pipeline.FormatPNG:
		return pngImage(img.Data)
	default:
		return pdfImage{}, fmt.Errorf("%w: format %q", ErrUnsupportedImage, img.Format)
	}
}

// jpegInfo is what the PDF image dictionary needs from a JPEG's headers.
type jpegInfo struct {
	width, height, components, precision int
}

// parseJPEG reads markers up to the first SOF; it does not decode the image.
func parseJPEG(data []byte) (jpegInfo, error) {
	var info jpegInfo
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return info, fmt.Errorf("%w: not a JPEG", ErrUnsupportedImage)
	}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return info, fmt.Errorf("%w: JPEG marker expected at %d", ErrUnsupportedImage, i)
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) {
			i += 2
			continue
		}
		segLen := int(binary.BigEndian.Uint16(data[i+2:]))
		if segLen < 2 || i+2+segLen > len(data) {
			return info, fmt.Errorf("%w: truncated JPEG segment", ErrUnsupportedImage)
		}
		seg := data[i+4 : i+2+segLen]
		switch {
		case marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
			if len(seg) < 6 {
				return info, fmt.Errorf("%w: short JPEG SOF", ErrUnsupportedImage)
			}
			info.precision = int(seg[0])
			info.height = int(binary.BigEndian.Uint16(seg[1:]))
			info.width = int(binary.BigEndian.Uint16(seg[3:]))
			info.components = int(seg[5])
			return info, nil
		case marker == 0xDA || marker == 0xD9:
			return info, fmt.Errorf("%w: JPEG has no frame header", ErrUnsupportedImage)
		}
		i += 2 + segLen
	}
	return info, fmt.Errorf("%w: JPEG has no frame header", ErrUnsupportedImage)
}

// jpegImage embeds the JPEG bytes unchanged: the filed page is exactly what was scanned.
func jpegImage(data []byte) (pdfImage, error) {
	info, err := parseJPEG(data)
	if err != nil {
		return pdfImage{}, err
	}
	if info.precision != 8 {
		return pdfImage{}, fmt.Errorf("%w: %d-bit JPEG", ErrUnsupportedImage, info.precision)
	}
	if info.width == 0 || info.height == 0 {
		return pdfImage{}, fmt.Errorf("%w: JPEG without size", ErrUnsupportedImage)
	}
	var cs string
	switch info.components {
	case 1:
		cs = "/DeviceGray"
	case 3:
		cs = "/DeviceRGB"
	case 4:
		// PDF/A allows DeviceCMYK only with a CMYK output intent, and ours is sRGB; a CMYK
		// scan (rare: some scanners' "print" presets) is converted, the original is kept.
		return cmykJPEGImage(data, info)
	default:
		return pdfImage{}, fmt.Errorf("%w: JPEG with %d components", ErrUnsupportedImage, info.components)
	}
	return pdfImage{
		dict:   fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode", info.width, info.height, cs),
		data:   data,
		width:  info.width,
		height: info.height,
	}, nil
}

// cmykJPEGImage decodes a CMYK JPEG and embeds it as an RGB one.
func cmykJPEGImage(data []byte, info jpegInfo) (pdfImage, error) {
	if info.width*info.height > maxDecodedPixels {
		return pdfImage{}, fmt.Errorf("%w: JPEG of %dx%d pixels is too large", ErrUnsupportedImage, info.width, info.height)
	}
	m, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return pdfImage{}, fmt.Errorf("%w: %v", ErrUnsupportedImage, err)
	}
	b := m.Bounds()
	rgb := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgb, rgb.Bounds(), m, b.Min, draw.Src)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, rgb, &jpeg.Options{Quality: 92}); err != nil {
		return pdfImage{}, fmt.Errorf("%w: %v", ErrUnsupportedImage, err)
	}
	return jpegImage(out.Bytes())
}

// maxDecodedPixels bounds what an image header can make us allocate when its pixels are
// decoded (PNGs, and CMYK JPEGs converted to RGB): A0 at 300 dpi is ~140 MP.
const maxDecodedPixels = 150_000_000

// pngImage decodes the PNG and re-encodes its pixels for /FlateDecode, choosing the
// smallest faithful form: 1-bit for black-and-white scans, 8-bit gray for gray ones,
// an indexed palette for paletted colour, RGB otherwise. Alpha is composited onto white
// (paper) because PDF image XObjects without a soft mask have none.
func pngImage(data []byte) (pdfImage, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return pdfImage{}, fmt.Errorf("%w: %v", ErrUnsupportedImage, err)
	}
	if cfg.Width*cfg.Height > maxDecodedPixels {
		return pdfImage{}, fmt.Errorf("%w: PNG of %dx%d pixels is too large", ErrUnsupportedImage, cfg.Width, cfg.Height)
	}
	m, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return pdfImage{}, fmt.Errorf("%w: %v", ErrUnsupportedImage, err)
	}
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return pdfImage{}, fmt.Errorf("%w: empty PNG", ErrUnsupportedImage)
	}
	out := pdfImage{width: w, height: h}

	if p, ok := m.(*image.Paletted); ok && !paletteIsGray(p.Palette) {
		pal := make([]byte, 0, 3*len(p.Palette))
		for _, c := range p.Palette {
			r, g, b := onWhite(c)
			pal = append(pal, r, g, b)
		}
		rows := make([]byte, 0, h*(w+1))
		for y := range h {
			rows = append(rows, 0)
			rows = append(rows, p.Pix[y*p.Stride:y*p.Stride+w]...)
		}
		out.dict = fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace [/Indexed /DeviceRGB %d <%X>] /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 1 /BitsPerComponent 8 /Columns %d >>",
			w, h, len(p.Palette)-1, pal, w)
		out.data = zlibBytes(rows)
		return out, nil
	}

	gray, rgb := grayOrRGB(m)
	if gray == nil {
		out.dict = fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /BitsPerComponent 8 /Columns %d >>", w, h, w)
		out.data = zlibBytes(upFilter(rgb, 3*w, h))
		return out, nil
	}
	if bilevel(gray) {
		out.dict = fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode", w, h)
		out.data = zlibBytes(packBits(gray, w, h))
		return out, nil
	}
	out.dict = fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 1 /BitsPerComponent 8 /Columns %d >>", w, h, w)
	out.data = zlibBytes(upFilter(gray, w, h))
	return out, nil
}

// grayOrRGB returns the image's 8-bit gray pixels when it is neutral grey, else its RGB
// pixels over white. A gray image's own pixels are used as they are: the RGB detour holds
// three times the page (210 MB for an A3 page at 600 dpi).
func grayOrRGB(m image.Image) (gray, rgb []byte) {
	if g, ok := m.(*image.Gray); ok {
		w, h := g.Rect.Dx(), g.Rect.Dy()
		if g.Stride == w {
			return g.Pix[:w*h], nil
		}
		gray = make([]byte, 0, w*h)
		for y := range h {
			gray = append(gray, g.Pix[y*g.Stride:y*g.Stride+w]...)
		}
		return gray, nil
	}
	rgb, neutral := rgbPixels(m)
	if !neutral {
		return nil, rgb
	}
	gray = rgb[:len(rgb)/3]
	for i := range gray {
		gray[i] = rgb[3*i] // in place: index i is never ahead of 3i
	}
	return gray, nil
}

// rgbPixels returns the image as 8-bit RGB over white, and whether every pixel is neutral
// grey, which is how most scanners save grey pages even in colour files. The common
// decoder outputs have fast paths; per-pixel At is far too slow for 300 dpi pages.
func rgbPixels(m image.Image) ([]byte, bool) {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	rgb := make([]byte, 0, 3*w*h)
	switch m := m.(type) {
	case *image.Gray:
		for y := range h {
			for _, v := range m.Pix[y*m.Stride : y*m.Stride+w] {
				rgb = append(rgb, v, v, v)
			}
		}
		return rgb, true
	case *image.RGBA: // premultiplied: over white is c + (255 - a)
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for i := 0; i < len(row); i += 4 {
				white := 255 - row[i+3]
				rgb = append(rgb, row[i]+white, row[i+1]+white, row[i+2]+white)
			}
		}
	case *image.NRGBA:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for i := 0; i < len(row); i += 4 {
				a := uint32(row[i+3])
				if a == 255 {
					rgb = append(rgb, row[i], row[i+1], row[i+2])
					continue
				}
				white := (255 - a) * 255
				rgb = append(rgb, uint8((uint32(row[i])*a+white)/255), uint8((uint32(row[i+1])*a+white)/255), uint8((uint32(row[i+2])*a+white)/255))
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl := onWhite(m.At(x, y))
				rgb = append(rgb, r, g, bl)
			}
		}
	}
	for i := 0; i < len(rgb); i += 3 {
		if rgb[i] != rgb[i+1] || rgb[i+1] != rgb[i+2] {
			return rgb, false
		}
	}
	return rgb, true
}

func bilevel(gray []byte) bool {
	for _, v := range gray {
		if v != 0 && v != 255 {
			return false
		}
	}
	return true
}

// packBits packs 0/255 pixels into 1-bit rows, MSB first, rows padded to a byte.
func packBits(gray []byte, w, h int) []byte {
	stride := (w + 7) / 8
	out := make([]byte, stride*h)
	for y := range h {
		row := gray[y*w : y*w+w]
		dst := out[y*stride:]
		for x, v := range row {
			if v != 0 {
				dst[x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return out
}

// upFilter prefixes each row with PNG filter type 2 (Up), which makes scanned pages
// compress noticeably better than unfiltered rows.
func upFilter(pix []byte, rowLen, h int) []byte {
	out := make([]byte, 0, h*(rowLen+1))
	for y := range h {
		row := pix[y*rowLen : (y+1)*rowLen]
		out = append(out, 2)
		if y == 0 {
			out = append(out, row...)
			continue
		}
		prev := pix[(y-1)*rowLen : y*rowLen]
		for i, v := range row {
			out = append(out, v-prev[i])
		}
	}
	return out
}

func paletteIsGray(p color.Palette) bool {
	for _, c := range p {
		r, g, b := onWhite(c)
		if r != g || g != b {
			return false
		}
	}
	return true
}

// onWhite composites a colour over white and returns 8-bit RGB.
func onWhite(c color.Color) (r, g, b uint8) {
	cr, cg, cb, ca := c.RGBA() // premultiplied, 16-bit
	white := 0xffff - ca
	return uint8((cr + white) >> 8), uint8((cg + white) >> 8), uint8((cb + white) >> 8)
}

func zlibBytes(data []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}
