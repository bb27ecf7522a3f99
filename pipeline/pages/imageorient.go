package pages

import (
	"image"
	"image/color"
	"image/draw"
)

// Orientation values of the TIFF tag 274 and of EXIF tag 0x0112, which share the meaning:
// where the stored image's first row and first column lie on the upright page.
const (
	orientTopLeft  = 1 // as stored
	orientLeftBot  = 8
	orientInvalid  = 9
	tagOrientation = 274
)

// upright turns a decoded image the way its orientation tag says, so that the page comes
// out as a person would read it. Unknown or missing values (0, 1, above 8) leave it as is.
// Gray images stay gray; anything else becomes RGBA.
func upright(img image.Image, orientation int) image.Image {
	if orientation <= orientTopLeft || orientation >= orientInvalid {
		return img
	}
	var (
		pix          []byte
		stride, size int
	)
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	g, gray := img.(*image.Gray)
	if gray {
		pix, stride, size = g.Pix[g.PixOffset(b.Min.X, b.Min.Y):], g.Stride, 1
	} else {
		m := toRGBA(img)
		pix, stride, size = m.Pix, m.Stride, 4
	}
	ow, oh := w, h
	if orientation >= 5 { // 5..8 swap rows and columns
		ow, oh = h, w
	}
	out := make([]byte, ow*oh*size)
	for y := range h {
		src := pix[y*stride : y*stride+w*size]
		for x := range w {
			ox, oy := orientedXY(orientation, x, y, w, h)
			copy(out[(oy*ow+ox)*size:(oy*ow+ox+1)*size], src[x*size:(x+1)*size])
		}
	}
	r := image.Rect(0, 0, ow, oh)
	if gray {
		return &image.Gray{Pix: out, Stride: ow, Rect: r}
	}
	return &image.RGBA{Pix: out, Stride: 4 * ow, Rect: r}
}

// orientedXY is where stored pixel (x, y) of a w x h image lands on the upright page.
func orientedXY(orientation, x, y, w, h int) (int, int) {
	switch orientation {
	case 2: // mirrored
		return w - 1 - x, y
	case 3: // upside down
		return w - 1 - x, h - 1 - y
	case 4: // mirrored upside down
		return x, h - 1 - y
	case 5: // transposed
		return y, x
	case 6: // stored turned 90° anticlockwise: the first row is the right-hand column
		return h - 1 - y, x
	case 7: // transversed
		return h - 1 - y, w - 1 - x
	default: // 8: stored turned 90° clockwise: the first row is the left-hand column
		return y, w - 1 - x
	}
}

// toRGBA copies img into a new RGBA image at the origin, unless it is one already.
func toRGBA(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := img.Bounds()
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Rect, img, b.Min, draw.Src)
	return m
}

// onWhite lays an image with transparency on white paper: a transparent background is the
// page, and must not read as black (what dropping the alpha channel would leave).
func onWhite(img image.Image) image.Image {
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return img
	}
	switch img.ColorModel() {
	case color.GrayModel, color.Gray16Model:
		return img // gray models have no alpha
	}
	b := img.Bounds()
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(m, m.Rect, img, b.Min, draw.Over)
	return m
}
