package pages

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"

	"golang.org/x/image/ccitt"
	"golang.org/x/image/tiff"

	"onewindow/pipeline"
)

// TIFF tags and values this file reads.
const (
	tagNewSubfileType   = 254
	tagWidth            = 256
	tagHeight           = 257
	tagBitsPerSample    = 258
	tagCompression      = 259
	tagPhotometric      = 262
	tagFillOrder        = 266
	tagRowsPerStrip     = 278
	tagStripOffsets     = 273
	tagStripByteCounts  = 279
	tagXResolution      = 282
	tagResolutionUnit   = 296
	tagTileOffsets      = 324
	tagTileByteCounts   = 325
	subfileReducedImage = 1 // NewSubfileType bit: a thumbnail, not a page
)

// tiffPage is what Open learns about one page without decoding it.
type tiffPage struct {
	ifd           uint32
	width, height int
	bilevel       bool
	dpi           float64
	g4            *g4Strips // set when the page can skip x/image/tiff
	// ccittBlackIsZero marks a fax-coded page x/image/tiff decodes as a negative: libtiff
	// (and so every writer, Pillow included) emits CCITT white runs as 0 bits, which
	// BlackIsZero shows black; x/image always makes white runs white.
	ccittBlackIsZero bool
}

// g4Strips locates the Group 4 strips of a bilevel page, which decode straight to packed
// bits: twice as fast as tiff.Decode, which expands every pixel to a byte.
type g4Strips struct {
	offsets, counts []uint64
	rowsPerStrip    int
	invert          bool // BlackIsZero; see tiffPage.ccittBlackIsZero
	lsbFirst        bool // FillOrder 2
}

type tiffSource struct {
	data  []byte
	order binary.ByteOrder
	pages []tiffPage
}

func (s *tiffSource) Kind() Kind   { return KindTIFF }
func (s *tiffSource) Len() int     { return len(s.pages) }
func (s *tiffSource) Close() error { return nil }

// openTIFF walks the IFD chain itself because x/image/tiff reads only the first IFD.
func openTIFF(ctx context.Context, data []byte, lim Limits) (Source, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("%w: tiff: header truncated", ErrCorrupt)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		order = binary.BigEndian
	}
	s := &tiffSource{data: data, order: order}
	seen := map[uint32]bool{}
	for off := order.Uint32(data[4:8]); off != 0; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if seen[off] {
			return nil, fmt.Errorf("%w: tiff: IFD chain loops at offset %d", ErrCorrupt, off)
		}
		seen[off] = true
		// A file cannot hold more IFDs than this; stop early instead of walking a crafted chain.
		if len(seen) > lim.MaxPages+1000 {
			return nil, fmt.Errorf("%w: more than %d pages", ErrTooManyPages, lim.MaxPages)
		}
		ifd, next, err := readIFD(data, order, off)
		if err != nil {
			return nil, fmt.Errorf("%w: tiff: IFD %d: %v", ErrCorrupt, len(seen)-1, err)
		}
		off = next
		if v, ok := ifd.uint(tagNewSubfileType); ok && v&subfileReducedImage != 0 {
			continue
		}
		n := len(s.pages)
		if n == lim.MaxPages {
			return nil, fmt.Errorf("%w: more than %d pages", ErrTooManyPages, lim.MaxPages)
		}
		p, err := s.checkPage(ifd, n, lim)
		if err != nil {
			return nil, err
		}
		s.pages = append(s.pages, p)
	}
	if len(s.pages) == 0 {
		return nil, ErrNoPages
	}
	return s, nil
}

func (s *tiffSource) checkPage(ifd ifdEntries, n int, lim Limits) (tiffPage, error) {
	w, okW := ifd.uint(tagWidth)
	h, okH := ifd.uint(tagHeight)
	if !okW || !okH {
		return tiffPage{}, fmt.Errorf("%w: tiff page %d: no image size", ErrCorrupt, n)
	}
	if err := lim.checkPixels(fmt.Sprintf("tiff page %d", n), int(min(w, 1<<31-1)), int(min(h, 1<<31-1))); err != nil {
		return tiffPage{}, err
	}
	comp, ok := ifd.uint(tagCompression)
	if !ok {
		comp = 1
	}
	switch comp {
	case 1, 3, 4, 5, 8, 32773, 32946: // none, G3, G4, LZW, Deflate, PackBits, old Deflate
	case 6, 7:
		return tiffPage{}, fmt.Errorf("%w: tiff page %d: JPEG-in-TIFF compression", ErrUnsupported, n)
	default:
		return tiffPage{}, fmt.Errorf("%w: tiff page %d: compression %d", ErrUnsupported, n, comp)
	}
	if err := ifd.checkBlocks(len(s.data)); err != nil {
		return tiffPage{}, fmt.Errorf("%w: tiff page %d: %v", ErrCorrupt, n, err)
	}
	// The decoder's own header checks (sample formats, photometric) without pixel work.
	if _, err := tiff.DecodeConfig(s.reader(ifd.offset)); err != nil {
		return tiffPage{}, tiffError(n, err)
	}
	bps, ok := ifd.uint(tagBitsPerSample)
	p := tiffPage{
		ifd: ifd.offset, width: int(w), height: int(h),
		bilevel: !ok || bps == 1,
		dpi:     ifd.dpi(),
	}
	photometric, _ := ifd.uint(tagPhotometric)
	p.ccittBlackIsZero = p.bilevel && (comp == 3 || comp == 4) && photometric == 1
	if _, tiled := ifd.entries[tagTileOffsets]; p.bilevel && comp == 4 && !tiled {
		fill, _ := ifd.uint(tagFillOrder)
		rows, ok := ifd.uint(tagRowsPerStrip)
		if !ok || rows == 0 || rows > h {
			rows = h
		}
		offs, _ := ifd.uints(tagStripOffsets)
		counts, _ := ifd.uints(tagStripByteCounts)
		if uint64(len(offs)) == (h+rows-1)/rows && photometric <= 1 {
			p.g4 = &g4Strips{offsets: offs, counts: counts, rowsPerStrip: int(rows), invert: photometric == 1, lsbFirst: fill == 2}
		}
	}
	return p, nil
}

// decodeG4 decodes a bilevel Group 4 page into packed rows.
func (s *tiffSource) decodeG4(p tiffPage) (bitRows, error) {
	b := bitRows{width: p.width, height: p.height, stride: (p.width + 7) / 8}
	b.pix = make([]byte, b.stride*b.height)
	order := ccitt.MSB
	if p.g4.lsbFirst {
		order = ccitt.LSB
	}
	for i, off := range p.g4.offsets {
		y0 := i * p.g4.rowsPerStrip
		rows := min(p.g4.rowsPerStrip, p.height-y0)
		strip := s.data[off : off+p.g4.counts[i]]
		r := ccitt.NewReader(bytes.NewReader(strip), order, ccitt.Group4, p.width, rows, &ccitt.Options{Invert: p.g4.invert})
		if _, err := io.ReadFull(r, b.pix[y0*b.stride:(y0+rows)*b.stride]); err != nil {
			return bitRows{}, fmt.Errorf("strip %d: %w", i, err)
		}
	}
	return b, nil
}

func tiffError(n int, err error) error {
	var unsupported tiff.UnsupportedError
	if errors.As(err, &unsupported) {
		return fmt.Errorf("%w: tiff page %d: %v", ErrUnsupported, n, err)
	}
	return fmt.Errorf("%w: tiff page %d: %v", ErrCorrupt, n, err)
}

func (s *tiffSource) Page(ctx context.Context, i int) (pipeline.PageImage, error) {
	if i < 0 || i >= len(s.pages) {
		return pipeline.PageImage{}, fmt.Errorf("page %d out of range [0,%d)", i, len(s.pages))
	}
	if err := ctx.Err(); err != nil {
		return pipeline.PageImage{}, err
	}
	p := s.pages[i]
	var (
		data []byte
		err  error
	)
	if p.g4 != nil {
		bits, err := s.decodeG4(p)
		if err != nil {
			return pipeline.PageImage{}, fmt.Errorf("%w: tiff page %d: %v", ErrCorrupt, i, err)
		}
		data, err = encodePNG1(bits)
		if err != nil {
			return pipeline.PageImage{}, err
		}
		return pipeline.PageImage{Data: data, Format: pipeline.FormatPNG, Width: p.width, Height: p.height, DPI: p.dpi}, nil
	}
	img, err := tiff.Decode(s.reader(p.ifd))
	if err != nil {
		return pipeline.PageImage{}, tiffError(i, err)
	}
	if g, ok := img.(*image.Gray); ok && p.bilevel {
		if p.ccittBlackIsZero {
			for i, v := range g.Pix {
				g.Pix[i] = ^v
			}
		}
		data, err = encodePNG1(grayToBits(g))
	} else {
		data, err = encodePNG(img)
	}
	if err != nil {
		return pipeline.PageImage{}, err
	}
	b := img.Bounds()
	return pipeline.PageImage{Data: data, Format: pipeline.FormatPNG, Width: b.Dx(), Height: b.Dy(), DPI: p.dpi}, nil
}

// reader presents the file as if the page at ifd were its first, which is all x/image/tiff reads.
func (s *tiffSource) reader(ifd uint32) *firstIFDReader {
	r := &firstIFDReader{data: s.data}
	copy(r.head[:], s.data[:8])
	s.order.PutUint32(r.head[4:8], ifd)
	return r
}

// firstIFDReader is the file's bytes with the header's first-IFD offset replaced.
type firstIFDReader struct {
	data []byte
	head [8]byte
	pos  int64
}

func (r *firstIFDReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	n := copy(p, r.data[off:])
	if off < int64(len(r.head)) {
		copy(p, r.head[off:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (r *firstIFDReader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.pos)
	r.pos += int64(n)
	return n, err
}

// ifdEntries is one parsed image file directory.
type ifdEntries struct {
	data    []byte
	order   binary.ByteOrder
	offset  uint32
	entries map[uint16][]byte // tag -> 12-byte entry
}

func readIFD(data []byte, order binary.ByteOrder, off uint32) (ifdEntries, uint32, error) {
	if uint64(off)+2 > uint64(len(data)) {
		return ifdEntries{}, 0, fmt.Errorf("offset %d beyond end of file", off)
	}
	count := uint64(order.Uint16(data[off:]))
	end := uint64(off) + 2 + count*12
	if end+4 > uint64(len(data)) {
		return ifdEntries{}, 0, fmt.Errorf("%d entries at offset %d run past end of file", count, off)
	}
	ifd := ifdEntries{data: data, order: order, offset: off, entries: make(map[uint16][]byte, count)}
	for p := uint64(off) + 2; p < end; p += 12 {
		e := data[p : p+12]
		ifd.entries[order.Uint16(e)] = e
	}
	return ifd, order.Uint32(data[end:]), nil
}

var tiffTypeSize = map[uint16]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}

// values returns the raw bytes of a tag's values, its type and count.
func (ifd ifdEntries) values(tag uint16) ([]byte, uint16, uint64, bool) {
	e, ok := ifd.entries[tag]
	if !ok {
		return nil, 0, 0, false
	}
	typ := ifd.order.Uint16(e[2:4])
	count := uint64(ifd.order.Uint32(e[4:8]))
	size, ok := tiffTypeSize[typ]
	if !ok || count == 0 {
		return nil, 0, 0, false
	}
	n := size * count
	if n <= 4 {
		return e[8 : 8+n], typ, count, true
	}
	off := uint64(ifd.order.Uint32(e[8:12]))
	if off+n > uint64(len(ifd.data)) {
		return nil, 0, 0, false
	}
	return ifd.data[off : off+n], typ, count, true
}

// uints reads a SHORT or LONG tag.
func (ifd ifdEntries) uints(tag uint16) ([]uint64, bool) {
	b, typ, count, ok := ifd.values(tag)
	if !ok || (typ != 3 && typ != 4) {
		return nil, false
	}
	out := make([]uint64, count)
	for i := range out {
		if typ == 3 {
			out[i] = uint64(ifd.order.Uint16(b[2*i:]))
		} else {
			out[i] = uint64(ifd.order.Uint32(b[4*i:]))
		}
	}
	return out, true
}

func (ifd ifdEntries) uint(tag uint16) (uint64, bool) {
	b, typ, _, ok := ifd.values(tag)
	switch {
	case !ok:
		return 0, false
	case typ == 3:
		return uint64(ifd.order.Uint16(b)), true
	case typ == 4:
		return uint64(ifd.order.Uint32(b)), true
	case typ == 1:
		return uint64(b[0]), true
	}
	return 0, false
}

// checkBlocks makes sure every strip or tile lies inside the file, so a truncated upload
// fails at Open rather than half way through processing.
func (ifd ifdEntries) checkBlocks(size int) error {
	offTag, countTag := uint16(tagStripOffsets), uint16(tagStripByteCounts)
	if _, tiled := ifd.entries[tagTileOffsets]; tiled {
		offTag, countTag = tagTileOffsets, tagTileByteCounts
	}
	offs, ok1 := ifd.uints(offTag)
	counts, ok2 := ifd.uints(countTag)
	if !ok1 || !ok2 || len(offs) != len(counts) {
		return errors.New("missing or inconsistent strip offsets")
	}
	for i := range offs {
		if offs[i]+counts[i] > uint64(size) {
			return fmt.Errorf("image data %d+%d runs past end of file (%d bytes): truncated?", offs[i], counts[i], size)
		}
	}
	return nil
}

func (ifd ifdEntries) dpi() float64 {
	b, typ, _, ok := ifd.values(tagXResolution)
	if !ok || typ != 5 {
		return 0
	}
	num, den := ifd.order.Uint32(b[0:4]), ifd.order.Uint32(b[4:8])
	if den == 0 {
		return 0
	}
	x := float64(num) / float64(den)
	unit, ok := ifd.uint(tagResolutionUnit)
	if !ok {
		unit = 2 // the TIFF default: inches
	}
	switch unit {
	case 2:
		return roundDPI(x)
	case 3:
		return roundDPI(x * 2.54)
	}
	return 0
}
