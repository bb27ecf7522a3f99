package blank

import (
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"testing"

	"onewindow/pipeline/internal/testpage"
)

func readPicture(t *testing.T, name string) image.Image {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestPicturesAreNotBlank: pages with content but no ink-dark mark on light paper
// (testdata/gen.py made them) were dropped as empty backs. Only a page with nothing on it is.
func TestPicturesAreNotBlank(t *testing.T) {
	tests := []struct {
		file string
		dark bool
	}{
		{"photo.jpg", false},
		{"mountains.jpg", false},
		{"pale-photo.jpg", false},
		{"red-on-black.jpg", false}, // CMYK
		{"tint-pattern.png", false},
		{"dark-drawing.png", false},
		{"blackboard.png", false},
		{"black-lid.jpg", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			img := readPicture(t, tt.file)
			a := Analyze(img)
			if IsBlank(img) || a.Blank {
				t.Errorf("blank: %+v", a)
			}
			if BlankAfterOCR(img, "") {
				t.Errorf("blank once OCR reads nothing: %+v", a)
			}
			if a.Dark != tt.dark || Dark(img) != tt.dark {
				t.Errorf("dark = %v, Dark() = %v, want %v (%+v)", a.Dark, Dark(img), tt.dark, a)
			}
			t.Logf("%+v", a)
		})
	}
}

// TestDarkPages: a page dark all over is kept and said to be dark; an empty back is neither.
func TestDarkPages(t *testing.T) {
	black := testpage.New(testpage.PageW, testpage.PageH, 12)
	testpage.AddScanNoise(black, 9, 8, 300)
	if IsBlank(black) || !Dark(black) || !Analyze(black).Dark {
		t.Errorf("black page: blank %v, dark %v (%+v)", IsBlank(black), Dark(black), Analyze(black))
	}
	// Mostly dark: a dark photograph with a lighter third.
	mostly := testpage.New(testpage.PageW, testpage.PageH, 30)
	for y := range testpage.PageH / 3 {
		for x := range testpage.PageW {
			mostly.Pix[y*mostly.Stride+x] = 200
		}
	}
	if IsBlank(mostly) || Dark(mostly) {
		t.Errorf("mostly dark page: blank %v, dark %v (%+v)", IsBlank(mostly), Dark(mostly), Analyze(mostly))
	}
	white := testpage.New(testpage.PageW, testpage.PageH, 240)
	testpage.AddScanNoise(white, 10, 8, 300)
	if !IsBlank(white) || Dark(white) {
		t.Errorf("empty back: blank %v, dark %v (%+v)", IsBlank(white), Dark(white), Analyze(white))
	}
}

// TestTinyImages: an image too small for margins (a strip, an icon) is blank only when it is
// light paper of one tone; a 1x16 gradient is content.
func TestTinyImages(t *testing.T) {
	gradient := image.NewGray(image.Rect(0, 0, 1, 16))
	for y := range 16 {
		gradient.Pix[y] = uint8(17 * y)
	}
	white := image.NewGray(image.Rect(0, 0, 5, 5))
	for i := range white.Pix {
		white.Pix[i] = 250
	}
	if IsBlank(gradient) {
		t.Errorf("gradient: blank (%+v)", Analyze(gradient))
	}
	if !IsBlank(white) {
		t.Errorf("white 5x5: not blank (%+v)", Analyze(white))
	}
}
