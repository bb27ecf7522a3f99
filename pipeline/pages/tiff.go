package pages

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
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
	tagT4Options        = 292
	tagPlanarConfig     = 284 // 2: each colour in planes of its own
	tagJPEGInterchange  = 513 // old-style JPEG: one whole JPEG stream instead of strips
	tagJPEGInterLength  = 514
	subfileReducedImage = 1 // NewSubfileType bit: a thumbnail, not a page
)

// tiffPage is what Open learns about one page without decoding it.
type tiffPage struct {
	ifd           uint64
	dir           int // place in the IFD chain, thumbnails counted, as libtiff numbers pages
	width, height int // as stored, before orientation
	bilevel       bool
	dpi           float64
	orientation   int
	compression   uint64
	native        bool      // x/image/tiff decodes it; otherwise libtiff does
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
	big   bool
	pages []tiffPage
	lib   libtiffFiles
}

func (s *tiffSource) Kind() Kind   { return KindTIFF }
func (s *tiffSource) Len() int     { return len(s.pages) }
func (s *tiffSource) Close() error { return s.lib.close() }

// openTIFF walks the IFD chain itself because x/image/tiff reads only the first IFD, and
// reads no BigTIFF at all.
func openTIFF(ctx context.Context, data []byte, lim Limits) (Source, error) {
	if len(data) < 8 {
		return nil, &Problem{What: "is cut short (a TIFF header and nothing else)", Fix: fixUploadAgain, Err: fmt.Errorf("%w: tiff: header truncated", ErrCorrupt)}
	}
	var order binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		order = binary.BigEndian
	}
	s := &tiffSource{data: data, order: order, big: order.Uint16(data[2:4]) == 43}
	off := uint64(order.Uint32(data[4:8]))
	if s.big {
		// BigTIFF: offset size 8, a reserved 0, then the first IFD's 8-byte offset.
		if len(data) < 16 || order.Uint16(data[4:6]) != 8 {
			return nil, &Problem{What: "has a damaged BigTIFF header", Fix: fixUploadAgain, Err: fmt.Errorf("%w: bigtiff: bad header", ErrCorrupt)}
		}
		off = order.Uint64(data[8:16])
	}
	seen := map[uint64]bool{}
	for dir := 0; off != 0; dir++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if seen[off] {
			return nil, pageProblem(len(s.pages), "is damaged: its directory points back to an earlier page", fixUploadAgain,
				fmt.Errorf("%w: tiff: IFD chain loops at offset %d", ErrCorrupt, off))
		}
		seen[off] = true
		// A file cannot hold more IFDs than this; stop early instead of walking a crafted chain.
		if len(seen) > lim.MaxPages+1000 {
			return nil, fmt.Errorf("%w: more than %d pages", ErrTooManyPages, lim.MaxPages)
		}
		ifd, next, err := readIFD(data, order, s.big, off)
		if err != nil {
			return nil, pageProblem(len(s.pages), "is damaged or cut short: its directory cannot be read", fixUploadAgain,
				fmt.Errorf("%w: tiff: IFD %d: %v", ErrCorrupt, dir, err))
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
		p.dir = dir
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
		return tiffPage{}, pageProblem(n, "is damaged: it does not say its image size", fixRescan, fmt.Errorf("%w: tiff page %d: no image size", ErrCorrupt, n))
	}
	if err := lim.checkPixels(fmt.Sprintf("tiff page %d", n), int(min(w, 1<<31-1)), int(min(h, 1<<31-1))); err != nil {
		return tiffPage{}, err
	}
	comp, ok := ifd.uint(tagCompression)
	if !ok {
		comp = 1
	}
	codec, known := tiffCodecs[comp]
	if !known {
		return tiffPage{}, pageProblem(n, fmt.Sprintf("uses TIFF compression %d, which this service cannot read", comp), fixResave,
			fmt.Errorf("%w: tiff page %d: compression %d", ErrUnreadable, n, comp))
	}
	if !codec.libtiff {
		return tiffPage{}, pageProblem(n, fmt.Sprintf("uses %s compression, which this service cannot read", codec.name), fixResave,
			fmt.Errorf("%w: tiff page %d: %s compression (%d)", ErrUnreadable, n, codec.name, comp))
	}
	if err := ifd.checkBlocks(len(s.data), comp); err != nil {
		return tiffPage{}, pageProblem(n, "is cut short or damaged: its image data lies outside the file", fixUploadAgain,
			fmt.Errorf("%w: tiff page %d: %v", ErrCorrupt, n, err))
	}
	bps, ok := ifd.uint(tagBitsPerSample)
	orientation, _ := ifd.uint(tagOrientation)
	p := tiffPage{
		ifd: ifd.offset, width: int(w), height: int(h),
		bilevel:     !ok || bps == 1,
		dpi:         ifd.dpi(),
		orientation: int(min(orientation, orientInvalid)),
		compression: comp,
	}
	t4, _ := ifd.uint(tagT4Options)
	// x/image/tiff reads G3 one-dimensional only, never separate colour planes (planar
	// configuration 2) nor BigTIFF; the decoder's own header checks (sample formats,
	// photometric) tell the rest without pixel work.
	planar, _ := ifd.uint(tagPlanarConfig)
	p.native = codec.native && !s.big && !(comp == 3 && t4&1 != 0) && planar != 2
	if p.native {
		if _, err := tiff.DecodeConfig(s.reader(ifd.offset)); err != nil {
			p.native = false // libtiff reads more, and is the judge of what is corrupt
		}
	}
	photometric, _ := ifd.uint(tagPhotometric)
	p.ccittBlackIsZero = p.bilevel && (comp == 3 || comp == 4) && photometric == 1
	if _, tiled := ifd.entries[tagTileOffsets]; p.native && p.bilevel && comp == 4 && !tiled && p.orientation <= orientTopLeft {
		fill, _ := ifd.uint(tagFillOrder)
		rows, ok := ifd.uint(tagRowsPerStrip)
		if !ok || rows == 0 || rows > h {
			rows = h
		}
		offs, _ := ifd.uints(tagStripOffsets)
		counts, _ := ifd.uints(tagStripByteCounts)
		if uint64(len(offs)) == (h+rows-1)/rows && len(counts) == len(offs) && photometric <= 1 {
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

func (s *tiffSource) Page(ctx context.Context, i int) (pipeline.PageImage, error) {
	if i < 0 || i >= len(s.pages) {
		return pipeline.PageImage{}, fmt.Errorf("page %d out of range [0,%d)", i, len(s.pages))
	}
	if err := ctx.Err(); err != nil {
		return pipeline.PageImage{}, err
	}
	p := s.pages[i]
	if p.g4 != nil {
		bits, err := s.decodeG4(p)
		if err != nil {
			return pipeline.PageImage{}, pageProblem(i, "is damaged: its fax-coded image data cannot be decoded", fixUploadAgain,
				fmt.Errorf("%w: tiff page %d: %v", ErrCorrupt, i, err))
		}
		data, err := encodePNG1(bits)
		if err != nil {
			return pipeline.PageImage{}, err
		}
		return pipeline.PageImage{Data: data, Format: pipeline.FormatPNG, Width: p.width, Height: p.height, DPI: p.dpi}, nil
	}
	img, orientation, err := s.decodePage(ctx, p, i)
	if err != nil {
		return pipeline.PageImage{}, err
	}
	img = upright(onWhite(img), orientation)
	var data []byte
	format := pipeline.FormatPNG
	switch g, gray := img.(*image.Gray); {
	case gray && p.bilevel:
		data, err = encodePNG1(grayToBits(g))
	case tiffCodecs[p.compression].lossy:
		// A JPEG- or WebP-coded page kept as PNG would grow tenfold for no gain in detail.
		var buf bytes.Buffer
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: reencodeQuality})
		data, format = buf.Bytes(), pipeline.FormatJPEG
	default:
		data, err = encodePNG(img)
	}
	if err != nil {
		return pipeline.PageImage{}, err
	}
	b := img.Bounds()
	return pipeline.PageImage{Data: data, Format: format, Width: b.Dx(), Height: b.Dy(), DPI: p.dpi}, nil
}

// decodePage decodes page i with x/image/tiff where it can and libtiff otherwise. It returns
// the image and the orientation still to apply.
func (s *tiffSource) decodePage(ctx context.Context, p tiffPage, i int) (image.Image, int, error) {
	if p.native {
		img, err := tiff.Decode(s.reader(p.ifd))
		var unsupported tiff.UnsupportedError
		switch {
		case err == nil:
			if g, ok := img.(*image.Gray); ok && p.ccittBlackIsZero {
				for i, v := range g.Pix {
					g.Pix[i] = ^v
				}
			}
			return img, p.orientation, nil
		case !errors.As(err, &unsupported):
			return nil, 0, pageProblem(i, "is damaged: its image data cannot be decoded", fixUploadAgain,
				fmt.Errorf("%w: tiff page %d: %v", ErrCorrupt, i, err))
		}
	}
	return s.viaLibtiff(ctx, p, i)
}

// reader presents the file as if the page at ifd were its first, which is all x/image/tiff reads.
func (s *tiffSource) reader(ifd uint64) *firstIFDReader {
	r := &firstIFDReader{data: s.data}
	copy(r.head[:], s.data[:8])
	s.order.PutUint32(r.head[4:8], uint32(ifd)) // classic TIFF only: offsets fit 32 bits
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

// checkBlocks makes sure every strip or tile lies inside the file, so a truncated upload
// fails at Open rather than half way through processing.
func (ifd ifdEntries) checkBlocks(size int, compression uint64) error {
	offTag, countTag := uint16(tagStripOffsets), uint16(tagStripByteCounts)
	if _, tiled := ifd.entries[tagTileOffsets]; tiled {
		offTag, countTag = tagTileOffsets, tagTileByteCounts
	}
	offs, ok1 := ifd.uints(offTag)
	counts, ok2 := ifd.uints(countTag)
	if !ok1 && compression == 6 {
		// Old-style JPEG may hold one JPEG stream and no strips at all.
		off, ok1 := ifd.uint(tagJPEGInterchange)
		n, ok2 := ifd.uint(tagJPEGInterLength)
		offs, counts = []uint64{off}, []uint64{n}
		if !ok1 || !ok2 {
			return errors.New("old-style JPEG without strips or a JPEG stream")
		}
	} else if !ok1 || (ok2 && len(offs) != len(counts)) {
		return errors.New("missing or inconsistent strip offsets")
	}
	for i := range offs {
		if i < len(counts) && (offs[i] > uint64(size) || counts[i] > uint64(size)-offs[i]) {
			return fmt.Errorf("image data %d+%d runs past end of file (%d bytes): truncated?", offs[i], counts[i], size)
		}
		// Without byte counts (old uncompressed writers; libtiff estimates them) the start
		// at least must lie inside the file.
		if offs[i] >= uint64(size) {
			return fmt.Errorf("image data at %d lies past end of file (%d bytes): truncated?", offs[i], size)
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
