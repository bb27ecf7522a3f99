package pages

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"os/exec"
	"strings"
	"testing"

	"onewindow/pipeline"
)

// The fixtures in testdata/formats are one page written the ways scanners, copiers and office
// software write it (gen.py there made them). Upright, the page has a black bar at
// (16,16)-(96,40), white to its right and in the bottom-left corner, and a red square.
var (
	fixtureBar      = image.Rect(16, 16, 96, 40)
	fixtureTopRight = image.Rect(112, 16, 150, 40)
	fixtureBotLeft  = image.Rect(16, 176, 60, 208)
	fixtureRed      = image.Pt(128, 192)
)

// formatCase is one fixture and what its pages must look like.
type formatCase struct {
	file    string
	kind    Kind
	pages   int
	w, h    int    // every page's upright size
	format  string // of every page
	colour  bool   // the red square must come out red
	layout  bool   // the fixture page: bar dark, corners white
	minLuma int    // otherwise: the mean luma must lie in [minLuma, maxLuma]
	maxLuma int
	libtiff bool // needs libtiff's tools
}

var formatCases = []formatCase{
	{file: "tiff-jpeg-ycbcr.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true, libtiff: true},
	{file: "tiff-jpeg-gray.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, layout: true, libtiff: true},
	{file: "tiff-ojpeg.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true, libtiff: true},
	{file: "tiff-lzw.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true},
	{file: "tiff-deflate.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true},
	{file: "tiff-packbits.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true},
	{file: "tiff-lzma.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true, libtiff: true},
	{file: "tiff-zstd.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true, libtiff: true},
	{file: "tiff-webp.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true, libtiff: true},
	{file: "tiff-bigtiff.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true, libtiff: true},
	{file: "tiff-tiled.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true},
	{file: "tiff-planar.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true, libtiff: true},
	{file: "tiff-g3.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true},
	{file: "tiff-g3-2d-lsb.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true, libtiff: true},
	{file: "tiff-g4-lsb.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true},
	{file: "tiff-1bit.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true},
	{file: "tiff-palette.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true},
	{file: "tiff-gray16.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true},
	{file: "tiff-cmyk.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true, libtiff: true},
	{file: "tiff-cmyk-orient6.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true, libtiff: true},
	{file: "tiff-gray4.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true, libtiff: true},
	{file: "tiff-lab.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true, libtiff: true},
	{file: "tiff-rgba16.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true},
	{file: "tiff-alpha.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true},
	{file: "tiff-orient6-lzw.tif", kind: KindTIFF, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true},
	{file: "tiff-multipage.tif", kind: KindTIFF, pages: 4, w: 160, h: 224, layout: true, libtiff: true},
	{file: "tiff-no-rps.tif", kind: KindTIFF, pages: 1, w: 16, h: 15, format: pipeline.FormatPNG, minLuma: 100, maxLuma: 255},
	{file: "png-1bit.png", kind: KindPNG, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true},
	{file: "png-gray16.png", kind: KindPNG, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, layout: true},
	{file: "png-palette-trns.png", kind: KindPNG, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true},
	{file: "png-interlaced.png", kind: KindPNG, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true},
	{file: "png-alpha.png", kind: KindPNG, pages: 1, w: 160, h: 224, format: pipeline.FormatPNG, colour: true, layout: true},
	{file: "jpeg-baseline.jpg", kind: KindJPEG, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true},
	{file: "jpeg-progressive.jpg", kind: KindJPEG, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true},
	{file: "jpeg-cmyk.jpg", kind: KindJPEG, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true},
	{file: "jpeg-ycck.jpg", kind: KindJPEG, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true},
	{file: "jpeg-exif3.jpg", kind: KindJPEG, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true},
	{file: "jpeg-exif6.jpg", kind: KindJPEG, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true},
	{file: "jpeg-exif8.jpg", kind: KindJPEG, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true},
	{file: "jpeg-junk-header.jpg", kind: KindJPEG, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, colour: true, layout: true},
	{file: "jpeg-photo.jpg", kind: KindJPEG, pages: 1, w: 150, h: 103, format: pipeline.FormatJPEG, minLuma: 80, maxLuma: 140},
	// Red lettering on black: dark, with a little red.
	{file: "jpeg-cmyk-red-on-black.jpg", kind: KindJPEG, pages: 1, w: 160, h: 224, format: pipeline.FormatJPEG, minLuma: 1, maxLuma: 40},
}

func TestFormats(t *testing.T) {
	_, lookErr := exec.LookPath("tiffcp")
	for _, tc := range formatCases {
		t.Run(tc.file, func(t *testing.T) {
			if tc.libtiff && lookErr != nil {
				t.Fatalf("libtiff's tools are needed (Debian package libtiff-tools): %v", lookErr)
			}
			src := mustOpen(t, readTestdata(t, "formats/"+tc.file), tc.kind, tc.pages)
			for i := range src.Len() {
				p, err := src.Page(context.Background(), i)
				if err != nil {
					t.Fatalf("page %d: %v", i, err)
				}
				if p.Width != tc.w || p.Height != tc.h || (tc.format != "" && p.Format != tc.format) {
					t.Errorf("page %d: %s %dx%d, want %s %dx%d", i, p.Format, p.Width, p.Height, tc.format, tc.w, tc.h)
				}
				// Later stages (Tesseract, the PDF/A writer) take the page as it is: no CMYK,
				// no orientation still to apply, no transparency.
				if f := readJPEGFacts(p.Data); p.Format == pipeline.FormatJPEG && (f.components == 4 || f.orientation > orientTopLeft) {
					t.Errorf("page %d: JPEG of %d components, orientation %d", i, f.components, f.orientation)
				}
				if p.Format == pipeline.FormatPNG && pngHasAlpha(p.Data) {
					t.Errorf("page %d: PNG with transparency", i)
				}
				img, err := Decode(p)
				if err != nil {
					t.Fatalf("page %d: %v", i, err)
				}
				if b := img.Bounds(); b.Dx() != p.Width || b.Dy() != p.Height {
					t.Errorf("page %d decodes as %v, says %dx%d", i, b, p.Width, p.Height)
				}
				checkLooks(t, i, img, tc)
			}
		})
	}
}

// checkLooks compares a decoded page with what the fixture shows.
func checkLooks(t *testing.T, i int, img image.Image, tc formatCase) {
	t.Helper()
	g := GrayDownscaled(img, 0)
	if !tc.layout {
		if m := meanLuma(g, g.Rect); m < tc.minLuma || m > tc.maxLuma {
			t.Errorf("page %d: mean luma %d, want %d..%d", i, m, tc.minLuma, tc.maxLuma)
		}
		return
	}
	bar, tr, bl := meanLuma(g, fixtureBar), meanLuma(g, fixtureTopRight), meanLuma(g, fixtureBotLeft)
	if bar > 60 || tr < 215 || bl < 215 {
		t.Errorf("page %d: bar %d, top right %d, bottom left %d: want dark, white, white (turned, negative or dark background?)", i, bar, tr, bl)
	}
	if tc.colour {
		r, gr, b, _ := img.At(img.Bounds().Min.X+fixtureRed.X, img.Bounds().Min.Y+fixtureRed.Y).RGBA()
		if r>>8 < 170 || gr>>8 > 90 || b>>8 > 90 {
			t.Errorf("page %d: the red square is %v", i, color.RGBA{uint8(r >> 8), uint8(gr >> 8), uint8(b >> 8), 255})
		}
	}
}

func meanLuma(g *image.Gray, r image.Rectangle) int {
	r = r.Intersect(g.Rect)
	if r.Empty() {
		return -1
	}
	sum := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for _, v := range g.Pix[g.PixOffset(r.Min.X, y):g.PixOffset(r.Max.X, y)] {
			sum += int(v)
		}
	}
	return sum / (r.Dx() * r.Dy())
}

// TestFormatsRefused: what nothing reads is refused with the page and the cause in words,
// never as a file of the wrong type.
func TestFormatsRefused(t *testing.T) {
	lzw := readTestdata(t, "formats/tiff-lzw.tif")
	jpeg2000 := setTag(t, lzw, tagCompression, 34712)
	unknown := setTag(t, lzw, tagCompression, 40000)
	arithmetic := bytes.Clone(readTestdata(t, "formats/jpeg-baseline.jpg"))
	sof := bytes.Index(arithmetic, []byte{0xFF, 0xC0})
	arithmetic[sof+1] = 0xC9 // SOF9: arithmetic coding, which Go's decoder lacks
	jpegTIFF := readTestdata(t, "formats/tiff-jpeg-ycbcr.tif")
	damaged := append([]byte{}, jpegTIFF...)
	for i := 16; i < 700; i++ { // the JPEG strips, not the directory at the end
		damaged[i] = 0x55
	}
	tests := []struct {
		name     string
		data     []byte
		want     error
		sentence string
		atOpen   bool
	}{
		{"JPEG 2000 in TIFF", jpeg2000, ErrUnreadable, "Page 1 of the file uses JPEG 2000 compression", true},
		{"unknown compression", unknown, ErrUnreadable, "Page 1 of the file uses TIFF compression 40000", true},
		{"32-bit float samples", readTestdata(t, "formats/tiff-float.tif"), ErrUnreadable, "Page 1 of the file stores its pixels in a form this service cannot read (images with 32-bit samples)", false},
		{"damaged JPEG-in-TIFF", damaged, ErrCorrupt, "Page 1 of the file is damaged", false},
		{"arithmetic-coded JPEG", arithmetic, ErrUnreadable, "The file is an arithmetic-coded JPEG, which this service cannot read.", true},
		{"damaged JPEG", readTestdata(t, "formats/jpeg-baseline.jpg")[:150], ErrCorrupt, "The file is a damaged JPEG", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Open(context.Background(), tt.data, Limits{})
			if err == nil {
				if tt.atOpen {
					t.Fatal("Open accepted it")
				}
				_, err = src.Page(context.Background(), 0)
				src.Close()
			}
			var problem *Problem
			if !errors.Is(err, tt.want) || errors.Is(err, ErrUnsupported) || !errors.As(err, &problem) || !strings.HasPrefix(problem.Sentence(), tt.sentence) {
				t.Fatalf("error %v (sentence %q), want %v and %q", err, sentenceOf(problem), tt.want, tt.sentence)
			}
			t.Log(problem.Sentence())
		})
	}
}

func sentenceOf(p *Problem) string {
	if p == nil {
		return ""
	}
	return p.Sentence()
}

// setTag overwrites a SHORT tag's value in the first IFD of a little-endian classic TIFF.
func setTag(t *testing.T, data []byte, tag uint16, v uint16) []byte {
	t.Helper()
	out := append([]byte{}, data...)
	ifd, _, err := readIFD(out, binary.LittleEndian, false, uint64(binary.LittleEndian.Uint32(out[4:8])))
	if err != nil {
		t.Fatal(err)
	}
	e, ok := ifd.entries[tag]
	if !ok {
		t.Fatalf("no tag %d", tag)
	}
	binary.LittleEndian.PutUint16(e[8:], v)
	return out
}

// TestJunkWithoutJPEG: bytes that only look like a JPEG start inside are another file.
func TestJunkWithoutJPEG(t *testing.T) {
	data := append([]byte("some header\x00"), 0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'n', 'o', 't', ' ', 'a', ' ', 'j', 'p', 'e', 'g')
	if _, err := Open(context.Background(), data, Limits{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Open: %v, want %v", err, ErrUnsupported)
	}
	junk := readTestdata(t, "formats/jpeg-junk-header.jpg")
	src := mustOpen(t, junk, KindJPEG, 1)
	p, err := src.Page(context.Background(), 0)
	if err != nil || p.Data[0] != 0xFF || p.Data[1] != 0xD8 || len(p.Data) >= len(junk) {
		t.Errorf("page starts %x (%v): the junk is not cut off", p.Data[:4], err)
	}
}

// TestTIFFLimitsAtOpen: page count and page sizes are checked before queueing, for BigTIFF
// and for pages only libtiff decodes as well.
func TestTIFFLimitsAtOpen(t *testing.T) {
	tests := []struct {
		file string
		lim  Limits
		want error
	}{
		{"tiff-bigtiff.tif", Limits{MaxPixels: 160*224 - 1}, ErrTooManyPixels},
		{"tiff-jpeg-ycbcr.tif", Limits{MaxPixels: 1000}, ErrTooManyPixels},
		{"tiff-multipage.tif", Limits{MaxPages: 3}, ErrTooManyPages},
		{"jpeg-exif6.jpg", Limits{MaxPixels: 1000}, ErrTooManyPixels},
	}
	for _, tt := range tests {
		if _, err := Open(context.Background(), readTestdata(t, "formats/"+tt.file), tt.lim); !errors.Is(err, tt.want) {
			t.Errorf("%s: Open: %v, want %v", tt.file, err, tt.want)
		}
	}
	big := readTestdata(t, "formats/tiff-bigtiff.tif")
	if _, err := Open(context.Background(), big[:len(big)-200], Limits{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated BigTIFF: Open: %v, want %v", err, ErrCorrupt)
	}
}
