package ocr

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"

	"onewindow/pipeline"
)

// rotatePage turns the page clockwise by deg (90, 180 or 270) and re-encodes it in its own
// format: JPEG at quality 90, PNG losslessly.
func rotatePage(img pipeline.PageImage, deg int) (pipeline.PageImage, error) {
	src, format, err := image.Decode(bytes.NewReader(img.Data))
	if err != nil {
		return img, fmt.Errorf("%w: %v", ErrBadImage, err)
	}
	dst := rotateImage(src, deg)
	var buf bytes.Buffer
	switch format {
	case "jpeg":
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 90})
		format = pipeline.FormatJPEG
	default:
		err = png.Encode(&buf, dst)
		format = pipeline.FormatPNG
	}
	if err != nil {
		return img, fmt.Errorf("ocr: encode rotated page: %w", err)
	}
	b := dst.Bounds()
	return pipeline.PageImage{Data: buf.Bytes(), Format: format, Width: b.Dx(), Height: b.Dy(), DPI: img.DPI}, nil
}

// rotateImage turns src clockwise by deg. Gray and paletted scans (the usual case) are
// turned byte by byte; anything else goes through RGBA.
func rotateImage(src image.Image, deg int) image.Image {
	deg = pipeline.NormalTurn(deg)
	if deg == 0 {
		return src
	}
	switch s := src.(type) {
	case *image.Gray:
		d := image.NewGray(rotatedRect(s.Bounds(), deg))
		rotatePix(s.Pix, s.Stride, d.Pix, d.Stride, s.Bounds().Dx(), s.Bounds().Dy(), 1, deg)
		return d
	case *image.Paletted:
		d := image.NewPaletted(rotatedRect(s.Bounds(), deg), s.Palette)
		rotatePix(s.Pix, s.Stride, d.Pix, d.Stride, s.Bounds().Dx(), s.Bounds().Dy(), 1, deg)
		return d
	case *image.NRGBA:
		d := image.NewNRGBA(rotatedRect(s.Bounds(), deg))
		rotatePix(s.Pix, s.Stride, d.Pix, d.Stride, s.Bounds().Dx(), s.Bounds().Dy(), 4, deg)
		return d
	}
	b := src.Bounds()
	rgba, ok := src.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Src)
	}
	d := image.NewRGBA(rotatedRect(rgba.Bounds(), deg))
	rotatePix(rgba.Pix, rgba.Stride, d.Pix, d.Stride, rgba.Bounds().Dx(), rgba.Bounds().Dy(), 4, deg)
	return d
}

func rotatedRect(r image.Rectangle, deg int) image.Rectangle {
	if deg == 90 || deg == 270 {
		return image.Rect(0, 0, r.Dy(), r.Dx())
	}
	return image.Rect(0, 0, r.Dx(), r.Dy())
}

// rotatePix copies a w x h image of bpp-byte pixels into dst turned clockwise by deg.
// Pixel (x, y) lands at (h-1-y, x) for 90, (w-1-x, h-1-y) for 180, (y, w-1-x) for 270.
func rotatePix(src []byte, sStride int, dst []byte, dStride int, w, h, bpp, deg int) {
	if bpp == 1 {
		rotateBytes(src, sStride, dst, dStride, w, h, deg)
		return
	}
	for y := 0; y < h; y++ {
		row := src[y*sStride : y*sStride+w*bpp]
		switch deg {
		case 180:
			drow := dst[(h-1-y)*dStride:]
			for x := 0; x < w; x++ {
				copy(drow[(w-1-x)*bpp:(w-x)*bpp], row[x*bpp:(x+1)*bpp])
			}
		case 90:
			col := (h - 1 - y) * bpp
			for x := 0; x < w; x++ {
				copy(dst[x*dStride+col:x*dStride+col+bpp], row[x*bpp:(x+1)*bpp])
			}
		case 270:
			col := y * bpp
			for x := 0; x < w; x++ {
				o := (w-1-x)*dStride + col
				copy(dst[o:o+bpp], row[x*bpp:(x+1)*bpp])
			}
		}
	}
}

// rotateBytes is rotatePix for one-byte pixels, without a copy call per pixel.
func rotateBytes(src []byte, sStride int, dst []byte, dStride int, w, h, deg int) {
	for y := 0; y < h; y++ {
		row := src[y*sStride : y*sStride+w]
		switch deg {
		case 180:
			drow := dst[(h-1-y)*dStride : (h-1-y)*dStride+w]
			for x, v := range row {
				drow[w-1-x] = v
			}
		case 90:
			col := h - 1 - y
			for x, v := range row {
				dst[x*dStride+col] = v
			}
		case 270:
			for x, v := range row {
				dst[(w-1-x)*dStride+y] = v
			}
		}
	}
}
