// Package textface is the one typeface test pages are printed in: Debian's Droid Sans
// Fallback for Chinese, with Go's own sans-serif for the digits and Latin letters it lacks,
// as a form printed in a CJK face with a Latin one would be. It imports no package of this
// module, so pipeline tests and the fixtures of every layer share it.
package textface

import (
	"image"
	"os"
	"sync"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// FontPath is Debian's fonts-droid-fallback, which the set-up installs. It is not the
// stamp's font, so tests read text in a face the stamp does not draw. (wqy-zenhei.ttc has
// unaligned tables that x/image/font rejects.)
const FontPath = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

var (
	once    sync.Once
	cjk     *opentype.Font
	latin   *opentype.Font
	loadErr error
)

// Face is the test typeface at size points for dpi dots per inch (dpi 72: size in pixels).
// Without the font the test fails: the README's set-up installs it.
func Face(t testing.TB, size, dpi float64) font.Face {
	t.Helper()
	once.Do(func() {
		data, err := os.ReadFile(FontPath)
		if err != nil {
			loadErr = err
			return
		}
		if cjk, loadErr = opentype.Parse(data); loadErr != nil {
			return
		}
		latin, loadErr = opentype.Parse(goregular.TTF)
	})
	if loadErr != nil {
		t.Fatalf("font %s: %v (run the README's set-up)", FontPath, loadErr)
	}
	opts := &opentype.FaceOptions{Size: size, DPI: dpi, Hinting: font.HintingFull}
	f, err := opentype.NewFace(cjk, opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := opentype.NewFace(latin, opts)
	if err != nil {
		t.Fatal(err)
	}
	return fallbackFace{Face: f, fallback: l}
}

// fallbackFace draws each rune in its Face if that has a glyph for it, else in fallback.
type fallbackFace struct {
	font.Face
	fallback font.Face
}

func (f fallbackFace) pick(r rune) font.Face {
	if r != ' ' && !hasGlyph(f.Face, r) && hasGlyph(f.fallback, r) {
		return f.fallback
	}
	return f.Face
}

func hasGlyph(f font.Face, r rune) bool {
	_, _, _, _, ok := f.Glyph(fixed.Point26_6{}, r)
	return ok
}

func (f fallbackFace) Glyph(dot fixed.Point26_6, r rune) (image.Rectangle, image.Image, image.Point, fixed.Int26_6, bool) {
	return f.pick(r).Glyph(dot, r)
}

func (f fallbackFace) GlyphBounds(r rune) (fixed.Rectangle26_6, fixed.Int26_6, bool) {
	return f.pick(r).GlyphBounds(r)
}

func (f fallbackFace) GlyphAdvance(r rune) (fixed.Int26_6, bool) { return f.pick(r).GlyphAdvance(r) }

func (f fallbackFace) Kern(r0, r1 rune) fixed.Int26_6 { return 0 }
