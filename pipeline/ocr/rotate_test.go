package ocr

import (
	"image"
	"image/color"
	"testing"
)

func TestRotateImage(t *testing.T) {
	// 3x2 source, pixel values 1..6 row by row:
	//   1 2 3
	//   4 5 6
	want := map[int][]uint8{
		90:  {4, 1, 5, 2, 6, 3},
		180: {6, 5, 4, 3, 2, 1},
		270: {3, 6, 2, 5, 1, 4},
	}
	gray := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(gray.Pix, []uint8{1, 2, 3, 4, 5, 6})
	// The same values in the red channel of an RGBA image exercise the 4-byte path, and a
	// YCbCr-free generic image the conversion path.
	rgba := image.NewRGBA(gray.Bounds())
	nrgba := image.NewNRGBA(gray.Bounds())
	for i, v := range gray.Pix {
		rgba.Set(i%3, i/3, color.RGBA{v, 0, 0, 255})
		nrgba.Set(i%3, i/3, color.NRGBA{v, 0, 0, 255})
	}
	gray16 := image.NewGray16(gray.Bounds())
	for i, v := range gray.Pix {
		gray16.Set(i%3, i/3, color.Gray{v})
	}
	for _, src := range []image.Image{gray, rgba, nrgba, gray16} {
		for deg, w := range want {
			got := rotateImage(src, deg)
			b := got.Bounds()
			if deg != 180 && (b.Dx() != 2 || b.Dy() != 3) || deg == 180 && (b.Dx() != 3 || b.Dy() != 2) {
				t.Errorf("%T %d: bounds %v", src, deg, b)
				continue
			}
			var vals []uint8
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					r, _, _, _ := got.At(x, y).RGBA()
					vals = append(vals, uint8(r>>8))
				}
			}
			if string(vals) != string(w) {
				t.Errorf("%T %d: got %v, want %v", src, deg, vals, w)
			}
		}
	}
}
