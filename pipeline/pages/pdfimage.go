package pages

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Image extraction: which page is one scanned image, and that image's bytes as JPEG or PNG.

// singleImagePage recognises scanner output: a page whose content only paints one image
// XObject over the whole page box, upright.
func singleImagePage(xt *model.XRefTable, data []byte, res types.Dict, content []byte, box *types.Rectangle) (pdfPage, bool) {
	name, m, ok := singleImageDo(content)
	if !ok || res == nil {
		return pdfPage{}, false
	}
	// The unit square the image fills must be the page box, within a couple of points.
	tol := func(size float64) float64 { return max(2, size*0.01) }
	if math.Abs(m[1]) > 1e-3 || math.Abs(m[2]) > 1e-3 || m[0] <= 0 || m[3] <= 0 ||
		math.Abs(m[4]-box.LL.X) > tol(box.Width()) || math.Abs(m[5]-box.LL.Y) > tol(box.Height()) ||
		math.Abs(m[4]+m[0]-box.UR.X) > tol(box.Width()) || math.Abs(m[5]+m[3]-box.UR.Y) > tol(box.Height()) {
		return pdfPage{}, false
	}
	xo, ok := res.Find("XObject")
	if !ok {
		return pdfPage{}, false
	}
	xobjects, err := xt.DereferenceDict(xo)
	if err != nil || xobjects == nil {
		return pdfPage{}, false
	}
	o, ok := xobjects.Find(name)
	if !ok {
		return pdfPage{}, false
	}
	sd, _, err := xt.DereferenceStreamDict(o)
	if err != nil || sd == nil || sd.Subtype() == nil || *sd.Subtype() != "Image" {
		return pdfPage{}, false
	}
	p, ok := imagePlan(xt, data, sd)
	if !ok {
		return pdfPage{}, false
	}
	p.dpi = roundDPI(float64(p.width) / (box.Width() / 72))
	return p, true
}

// imagePlan decides whether an image can be taken straight from the file, and how.
func imagePlan(xt *model.XRefTable, data []byte, sd *types.StreamDict) (pdfPage, bool) {
	for _, key := range []string{"ImageMask", "SMask", "Mask", "SMaskInData"} {
		if _, ok := sd.Find(key); ok {
			return pdfPage{}, false
		}
	}
	p := pdfPage{
		width: intEntry(xt, sd.Dict, "Width"), height: intEntry(xt, sd.Dict, "Height"),
		bpc: intEntry(xt, sd.Dict, "BitsPerComponent"), comps: colorComponents(xt, sd.Dict),
		filters: sd.FilterPipeline,
	}
	if p.width <= 0 || p.height <= 0 || p.comps == 0 {
		return pdfPage{}, false
	}
	var ok bool
	if p.invert, ok = decodeArray(xt, sd.Dict, p.comps); !ok {
		return pdfPage{}, false
	}
	p.raw = streamBytes(data, sd)
	if p.raw == nil {
		return pdfPage{}, false
	}
	if len(p.filters) == 1 && p.filters[0].Name == filter.DCT {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.raw))
		// Go's decoder must be able to read what we pass on, and the JPEG must be what the
		// PDF says it draws; otherwise let poppler make sense of it.
		if err != nil || p.invert || p.bpc != 8 || cfg.Width != p.width || cfg.Height != p.height ||
			(p.comps == 1) != (cfg.ColorModel == color.GrayModel) {
			return pdfPage{}, false
		}
		p.mode = passJPEG
		return p, true
	}
	for _, f := range p.filters {
		switch f.Name {
		case filter.Flate, filter.LZW, filter.CCITTFax, filter.RunLength, filter.ASCII85, filter.ASCIIHex:
		default:
			return pdfPage{}, false
		}
	}
	if !(p.comps == 1 && (p.bpc == 1 || p.bpc == 8)) && !(p.comps == 3 && p.bpc == 8 && !p.invert) {
		return pdfPage{}, false
	}
	p.mode = decodeImage
	return p, true
}

// streamBytes returns the image's encoded bytes as a slice of the file when they are there
// verbatim (they are, in an unencrypted file), so the parser's copy can be freed.
func streamBytes(data []byte, sd *types.StreamDict) []byte {
	raw := sd.Raw
	if raw == nil {
		return nil
	}
	off, n := sd.StreamOffset, int64(len(raw))
	if off >= 0 && off+n <= int64(len(data)) && bytes.Equal(data[off:off+n], raw) {
		return data[off : off+n : off+n]
	}
	return raw
}

// colorComponents returns 1 for gray and 3 for RGB colour spaces, 0 for anything else.
func colorComponents(xt *model.XRefTable, d types.Dict) int {
	o, ok := d.Find("ColorSpace")
	if !ok {
		return 0
	}
	o, err := xt.Dereference(o)
	if err != nil {
		return 0
	}
	switch cs := o.(type) {
	case types.Name:
		switch cs {
		case "DeviceGray", "G":
			return 1
		case "DeviceRGB", "RGB":
			return 3
		}
	case types.Array:
		if len(cs) < 2 {
			return 0
		}
		name, _ := cs[0].(types.Name)
		switch name {
		case "CalGray":
			return 1
		case "CalRGB":
			return 3
		case "ICCBased":
			sd, _, err := xt.DereferenceStreamDict(cs[1])
			if err != nil || sd == nil {
				return 0
			}
			if n := intEntry(xt, sd.Dict, "N"); n == 1 || n == 3 {
				return n
			}
		}
	}
	return 0
}

// decodeArray reports whether /Decode inverts the image; ok is false for mappings other
// than the default and a plain inversion.
func decodeArray(xt *model.XRefTable, d types.Dict, comps int) (invert, ok bool) {
	o, found := d.Find("Decode")
	if !found {
		return false, true
	}
	a, err := xt.DereferenceArray(o)
	if err != nil || len(a) != 2*comps {
		return false, false
	}
	var first [2]float64
	for i := range a {
		v, err := xt.DereferenceNumber(a[i])
		if err != nil {
			return false, false
		}
		if i < 2 {
			first[i] = v
		} else if v != first[i%2] {
			return false, false
		}
	}
	switch first {
	case [2]float64{0, 1}:
		return false, true
	case [2]float64{1, 0}:
		return true, true
	}
	return false, false
}

// decodeStream runs the image's filters, returning exactly the declared image's bytes.
func (p *pdfPage) decodeStream() ([]byte, int, error) {
	rowBytes := (p.width*p.comps*p.bpc + 7) / 8
	want := int64(rowBytes) * int64(p.height)
	sd := types.StreamDict{
		Dict:           types.Dict{"Width": types.Integer(p.width), "Height": types.Integer(p.height)},
		Raw:            p.raw,
		FilterPipeline: p.filters,
	}
	// The limit stops a Flate bomb from producing more than the declared image.
	content, err := sd.DecodeLengthWithLimit(want, want+4096)
	return content, rowBytes, err
}

// encode decodes a non-JPEG page image and encodes it as PNG: 1-bit gray stays 1-bit.
func (p *pdfPage) encode() ([]byte, error) {
	content, rowBytes, err := p.decodeStream()
	if err != nil {
		return nil, err
	}
	r := image.Rect(0, 0, p.width, p.height)
	switch {
	case p.comps == 1 && p.bpc == 1:
		// PDF's DeviceGray bits already mean what PNG's do: 1 is white.
		if p.invert {
			content = bytes.Clone(content)
			for i := range content {
				content[i] = ^content[i]
			}
		}
		return encodePNG1(bitRows{width: p.width, height: p.height, stride: rowBytes, pix: content})
	case p.comps == 1:
		img := image.NewGray(r)
		copy(img.Pix, content)
		if p.invert {
			for i, v := range img.Pix {
				img.Pix[i] = 255 - v
			}
		}
		return encodePNG(img)
	}
	img := image.NewRGBA(r)
	for i, j := 0, 0; j+2 < len(content) && i < len(img.Pix); i, j = i+4, j+3 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = content[j], content[j+1], content[j+2], 255
	}
	return encodePNG(img)
}
