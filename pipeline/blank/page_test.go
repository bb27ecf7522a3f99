package blank

import (
	"image"
	"testing"

	"onewindow/pipeline/internal/testpage"
)

// addEdgeShadow darkens a band along one edge, fading inwards, like a scanner lid.
func addEdgeShadow(img *image.Gray, side string, band int, shade uint8) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for k := range band {
		v := uint8(int(shade) + (255-int(shade))*k/band)
		for i := 0; i < max(w, h); i++ {
			switch {
			case side == "left" && i < h:
				img.Pix[i*img.Stride+k] = min(img.Pix[i*img.Stride+k], v)
			case side == "right" && i < h:
				img.Pix[i*img.Stride+w-1-k] = min(img.Pix[i*img.Stride+w-1-k], v)
			case side == "top" && i < w:
				img.Pix[k*img.Stride+i] = min(img.Pix[k*img.Stride+i], v)
			}
		}
	}
}

// addShowThrough lays mirrored text from the other side of the sheet at 1/contrast of
// its ink strength, as gen-style duplex backs show it.
func addShowThrough(t testing.TB, img *image.Gray, contrast int) {
	ghost := testpage.New(img.Rect.Dx(), img.Rect.Dy(), 255)
	for i := range 12 {
		testpage.DrawText(t, ghost, "第六条 股东姓名：石桂，身份证号码：220681199705145748。", 260, 300+i*110, 39, 0)
	}
	w := img.Rect.Dx()
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := range w {
			g := ghost.Pix[y*ghost.Stride+(w-1-x)]
			v := 255 - (255-int(g))/contrast
			o := y*img.Stride + x
			img.Pix[o] = uint8(min(int(img.Pix[o]), v))
		}
	}
}
