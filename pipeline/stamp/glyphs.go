package stamp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// outlineFont turns text into filled vector paths. Parsing a 17 MB CJK collection takes a
// while, so each (path, face) is loaded once per process and glyph outlines are cached.
type outlineFont struct {
	mu     sync.Mutex
	font   *sfnt.Font
	buf    sfnt.Buffer // sfnt.Buffer is not safe for concurrent use; mu guards it
	glyphs map[rune]*glyph
}

// glyph is an outline in em units, y up, with quadratic curves already made cubic.
type glyph struct {
	advance float64
	path    []pathOp
}

type pathOp struct {
	op  byte // 'm', 'l' or 'c'
	pts [3][2]float64
}

type fontKey struct {
	path  string
	index int
}

type fontEntry struct {
	once sync.Once
	font *outlineFont
	err  error
}

var fonts sync.Map // fontKey -> *fontEntry

func loadFont(path string, index int) (*outlineFont, error) {
	e, _ := fonts.LoadOrStore(fontKey{path, index}, &fontEntry{})
	entry := e.(*fontEntry)
	entry.once.Do(func() {
		entry.font, entry.err = parseFont(path, index)
	})
	return entry.font, entry.err
}

func parseFont(path string, index int) (*outlineFont, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("stamp: read font: %w", err)
	}
	// wqy-zenhei.ttc, like many older fonts, has tables that do not start on four-byte
	// boundaries, which sfnt rejects; copying the face's tables into a fresh, aligned
	// single font fixes that (and drops the bitmap strikes we do not draw).
	face, err := extractFace(data, index)
	if err != nil {
		return nil, fmt.Errorf("stamp: font %s: %w", path, err)
	}
	f, err := sfnt.Parse(face)
	if err != nil {
		return nil, fmt.Errorf("stamp: parse font %s: %w", path, err)
	}
	return &outlineFont{font: f, glyphs: make(map[rune]*glyph)}, nil
}

// keptTables are the tables sfnt reads for outlines and metrics.
var keptTables = map[string]bool{
	"OS/2": true, "cmap": true, "glyf": true, "head": true, "hhea": true, "hmtx": true,
	"kern": true, "loca": true, "maxp": true, "name": true, "post": true, "CFF ": true,
}

// extractFace returns face index of a collection (or the font itself) as a standalone
// sfnt whose tables are four-byte aligned.
func extractFace(data []byte, index int) ([]byte, error) {
	off := 0
	if bytes.HasPrefix(data, []byte("ttcf")) {
		if len(data) < 12 {
			return nil, errors.New("truncated collection header")
		}
		n := int(binary.BigEndian.Uint32(data[8:]))
		if index < 0 || index >= n || len(data) < 12+4*n {
			return nil, fmt.Errorf("no face %d in a collection of %d", index, n)
		}
		off = int(binary.BigEndian.Uint32(data[12+4*index:]))
	} else if index != 0 {
		return nil, fmt.Errorf("no face %d in a single font", index)
	}
	if off+12 > len(data) {
		return nil, errors.New("truncated font header")
	}
	numTables := int(binary.BigEndian.Uint16(data[off+4:]))
	if off+12+16*numTables > len(data) {
		return nil, errors.New("truncated table directory")
	}
	type table struct {
		tag  string
		body []byte
	}
	var tables []table
	for i := range numTables {
		rec := data[off+12+16*i:]
		tag := string(rec[:4])
		o, n := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if !keptTables[tag] {
			continue
		}
		if o < 0 || n < 0 || o+n > len(data) {
			return nil, fmt.Errorf("table %q out of bounds", tag)
		}
		tables = append(tables, table{tag, data[o : o+n]})
	}
	size := 12 + 16*len(tables)
	for _, t := range tables {
		size += (len(t.body) + 3) &^ 3
	}
	out := make([]byte, 12+16*len(tables), size)
	copy(out, data[off:off+4]) // sfnt version
	binary.BigEndian.PutUint16(out[4:], uint16(len(tables)))
	for i, t := range tables { // the directory stays sorted by tag, as it was
		rec := out[12+16*i:]
		copy(rec, t.tag)
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t.body)))
		out = append(out, t.body...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}

// glyph returns r's outline; characters the font lacks become blank half-em advances
// rather than the font's .notdef box.
func (f *outlineFont) glyph(r rune) (*glyph, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if g, ok := f.glyphs[r]; ok {
		return g, nil
	}
	g, err := f.load(r)
	if err != nil {
		return nil, err
	}
	f.glyphs[r] = g
	return g, nil
}

func (f *outlineFont) load(r rune) (*glyph, error) {
	idx, err := f.font.GlyphIndex(&f.buf, r)
	if err != nil {
		return nil, fmt.Errorf("stamp: glyph index of %q: %w", r, err)
	}
	if idx == 0 {
		return &glyph{advance: 0.5}, nil
	}
	// Loading at ppem = units per em gives outlines in font units, which keeps the
	// 26.6 fixed-point rounding far below anything visible.
	upem := float64(f.font.UnitsPerEm())
	ppem := fixed.Int26_6(f.font.UnitsPerEm()) << 6
	adv, err := f.font.GlyphAdvance(&f.buf, idx, ppem, font.HintingNone)
	if err != nil {
		return nil, fmt.Errorf("stamp: advance of %q: %w", r, err)
	}
	segs, err := f.font.LoadGlyph(&f.buf, idx, ppem, nil)
	if err != nil {
		return nil, fmt.Errorf("stamp: outline of %q: %w", r, err)
	}
	toEm := func(p fixed.Point26_6) [2]float64 {
		// sfnt's y axis points down; PDF's points up.
		return [2]float64{float64(p.X) / 64 / upem, -float64(p.Y) / 64 / upem}
	}
	g := &glyph{advance: float64(adv) / 64 / upem}
	var cur [2]float64
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			cur = toEm(s.Args[0])
			g.path = append(g.path, pathOp{op: 'm', pts: [3][2]float64{cur}})
		case sfnt.SegmentOpLineTo:
			cur = toEm(s.Args[0])
			g.path = append(g.path, pathOp{op: 'l', pts: [3][2]float64{cur}})
		case sfnt.SegmentOpQuadTo:
			// A quadratic Bézier is the cubic whose controls lie 2/3 of the way from
			// each end point to the quadratic control point.
			q, end := toEm(s.Args[0]), toEm(s.Args[1])
			c1 := [2]float64{cur[0] + 2.0/3*(q[0]-cur[0]), cur[1] + 2.0/3*(q[1]-cur[1])}
			c2 := [2]float64{end[0] + 2.0/3*(q[0]-end[0]), end[1] + 2.0/3*(q[1]-end[1])}
			g.path = append(g.path, pathOp{op: 'c', pts: [3][2]float64{c1, c2, end}})
			cur = end
		case sfnt.SegmentOpCubeTo:
			end := toEm(s.Args[2])
			g.path = append(g.path, pathOp{op: 'c', pts: [3][2]float64{toEm(s.Args[0]), toEm(s.Args[1]), end}})
			cur = end
		}
	}
	return g, nil
}

// width is the advance of s at the given size, in points.
func (f *outlineFont) width(s string, size float64) (float64, error) {
	w := 0.0
	for _, r := range s {
		g, err := f.glyph(r)
		if err != nil {
			return 0, err
		}
		w += g.advance * size
	}
	return w, nil
}

// draw appends the filled outlines of s with its baseline starting at (x, y), in points.
func (f *outlineFont) draw(c *canvas, s string, x, y, size float64) error {
	any := false
	for _, r := range s {
		g, err := f.glyph(r)
		if err != nil {
			return err
		}
		for _, p := range g.path {
			switch p.op {
			case 'm', 'l':
				c.printf("%s %s %c\n", num(x+p.pts[0][0]*size), num(y+p.pts[0][1]*size), p.op)
			case 'c':
				c.printf("%s %s %s %s %s %s c\n",
					num(x+p.pts[0][0]*size), num(y+p.pts[0][1]*size),
					num(x+p.pts[1][0]*size), num(y+p.pts[1][1]*size),
					num(x+p.pts[2][0]*size), num(y+p.pts[2][1]*size))
			}
			any = true
		}
		x += g.advance * size
	}
	if any {
		c.printf("f\n") // nonzero winding, as TrueType outlines expect
	}
	return nil
}
