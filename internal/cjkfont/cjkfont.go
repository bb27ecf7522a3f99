// Package cjkfont loads the TrueType face with Chinese glyphs that the PDFs onewindow writes
// as text (notices, registers, the four-properties report) embed, subset, through fpdf.
// fpdf takes only plain TrueType files, so a face is cut out of a collection first; faces are
// kept per path and index, since the collection is large and reports and notices are many.
package cjkfont

import (
	"fmt"
	"os"
	"sync"
)

// DefaultPath is Debian's fonts-wqy-zenhei collection; face 0, WenQuanYi Zen Hei, has
// TrueType outlines for CJK, Latin and digits.
const DefaultPath = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

type faceKey struct {
	path  string
	index int
}

var faces sync.Map // faceKey → []byte

// Face returns face index of the font or collection at path ("" for DefaultPath) as a
// standalone TrueType font, read once per process.
func Face(path string, index int) ([]byte, error) {
	if path == "" {
		path = DefaultPath
	}
	key := faceKey{path, index}
	if f, ok := faces.Load(key); ok {
		return f.([]byte), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	face, err := ttcFace(data, index)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	faces.Store(key, face)
	return face, nil
}
