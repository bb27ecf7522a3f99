package pages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"onewindow/pipeline"
)

// How a PDF page becomes an image.
type pdfPageMode int

const (
	// passJPEG: the page is one DCT image; its bytes are the page.
	passJPEG pdfPageMode = iota
	// decodeImage: the page is one image in a filter we decode (CCITT, Flate, ...); re-encoded as PNG.
	decodeImage
	// render: anything else; rasterised by pdftoppm.
	render
)

// RenderDPI is the resolution for pages that are not a single scanned image.
const RenderDPI = 300

// minRenderDPI is the least resolution worth OCR; a page too big to render at it within
// MaxPixels is refused.
const minRenderDPI = 100

type pdfPage struct {
	mode          pdfPageMode
	raw           []byte // encoded image stream: a slice of the file, never a copy if avoidable
	filters       []types.PDFFilter
	width, height int
	bpc, comps    int
	invert        bool // Decode [1 0]: 0 is white
	dpi           float64
}

type pdfSource struct {
	pages []pdfPage
	r     *renderer
}

func (s *pdfSource) Kind() Kind   { return KindPDF }
func (s *pdfSource) Len() int     { return len(s.pages) }
func (s *pdfSource) Close() error { return s.r.close() }

func (s *pdfSource) Page(ctx context.Context, i int) (pipeline.PageImage, error) {
	if i < 0 || i >= len(s.pages) {
		return pipeline.PageImage{}, fmt.Errorf("page %d out of range [0,%d)", i, len(s.pages))
	}
	if err := ctx.Err(); err != nil {
		return pipeline.PageImage{}, err
	}
	p := &s.pages[i]
	switch p.mode {
	case passJPEG:
		return pipeline.PageImage{Data: p.raw, Format: pipeline.FormatJPEG, Width: p.width, Height: p.height, DPI: p.dpi}, nil
	case decodeImage:
		data, err := p.encode()
		if err != nil {
			return pipeline.PageImage{}, fmt.Errorf("%w: pdf page %d: %v", ErrCorrupt, i, err)
		}
		return pipeline.PageImage{Data: data, Format: pipeline.FormatPNG, Width: p.width, Height: p.height, DPI: p.dpi}, nil
	}
	return s.r.page(ctx, i, p.dpi)
}

// pdfConfig is built by hand: model.NewDefaultConfiguration writes a config directory
// under the user's home, which a daemon must not do.
func pdfConfig(lim Limits) *model.Configuration {
	limits := model.DefaultResourceLimits()
	limits.MaxImagePixels = lim.MaxPixels
	return &model.Configuration{
		Reader15:       true,
		ValidationMode: model.ValidationRelaxed,
		Cmd:            model.EXTRACTIMAGES,
		Limits:         limits,
	}
}

func openPDF(ctx context.Context, data []byte, lim Limits) (src Source, err error) {
	// pdfcpu is a large parser of hostile input; a bug there must fail this upload, not the daemon.
	defer func() {
		if r := recover(); r != nil {
			src, err = nil, fmt.Errorf("%w: pdf: parser failure: %v", ErrCorrupt, r)
		}
	}()
	pc, err := pdfcpu.ReadWithContext(ctx, bytes.NewReader(data), pdfConfig(lim))
	if err != nil {
		return nil, pdfReadError(ctx, data, err)
	}
	if pc.Encrypt != nil {
		// Readable without a password, but permissions are set by someone; an archive copy
		// must not carry restrictions, so ask for the unprotected original.
		return nil, fmt.Errorf("%w: owner password set", ErrEncrypted)
	}
	xt := pc.XRefTable
	w := pageWalker{xt: xt, lim: lim, seen: map[int]bool{}}
	root, err := xt.Pages()
	if err != nil {
		return nil, fmt.Errorf("%w: pdf: %v", ErrCorrupt, err)
	}
	if err := w.walk(ctx, *root, inherited{}, 0); err != nil {
		return nil, err
	}
	if len(w.pages) == 0 {
		return nil, ErrNoPages
	}
	s := &pdfSource{pages: make([]pdfPage, len(w.pages)), r: &renderer{data: data}}
	for i, n := range w.pages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := planPage(xt, data, n, i+1, lim)
		if err != nil {
			return nil, err
		}
		s.pages[i] = p
	}
	return s, nil
}

func pdfReadError(ctx context.Context, data []byte, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, pdfcpu.ErrWrongPassword) || errors.Is(err, pdfcpu.ErrEncrypted) {
		return fmt.Errorf("%w: password required", ErrEncrypted)
	}
	// Unknown security handlers and the like fail inside pdfcpu with other errors; the
	// trailer (at the end, or at the start of a linearised file) still names /Encrypt.
	const window = 4096
	if bytes.Contains(data[max(0, len(data)-window):], []byte("/Encrypt")) ||
		bytes.Contains(data[:min(len(data), window)], []byte("/Encrypt")) {
		return fmt.Errorf("%w: %v", ErrEncrypted, err)
	}
	return fmt.Errorf("%w: pdf: %v", ErrCorrupt, err)
}

// inherited holds the page attributes a page may take from its ancestors.
type inherited struct {
	resources types.Object
	mediaBox  types.Object
	cropBox   types.Object
	rotate    types.Object
}

type pageNode struct {
	dict types.Dict
	inh  inherited
}

// pageWalker lists pages in document order; pdfcpu's PageDict walks from the root for every
// page, quadratic in the page count.
type pageWalker struct {
	xt    *model.XRefTable
	lim   Limits
	seen  map[int]bool
	pages []pageNode
}

const maxPageTreeDepth = 64

func (w *pageWalker) walk(ctx context.Context, o types.Object, inh inherited, depth int) error {
	if depth > maxPageTreeDepth {
		return fmt.Errorf("%w: pdf: page tree deeper than %d", ErrCorrupt, maxPageTreeDepth)
	}
	if ref, ok := o.(types.IndirectRef); ok {
		nr := ref.ObjectNumber.Value()
		if w.seen[nr] {
			return fmt.Errorf("%w: pdf: page tree visits object %d twice", ErrCorrupt, nr)
		}
		w.seen[nr] = true
	}
	d, err := w.xt.DereferenceDict(o)
	if err != nil || d == nil {
		return fmt.Errorf("%w: pdf: page tree node %v missing or broken (truncated file?)", ErrCorrupt, o)
	}
	for key, dst := range map[string]*types.Object{"Resources": &inh.resources, "MediaBox": &inh.mediaBox, "CropBox": &inh.cropBox, "Rotate": &inh.rotate} {
		if v, ok := d.Find(key); ok && v != nil {
			*dst = v
		}
	}
	kids, hasKids := d.Find("Kids")
	if t := d.Type(); (t != nil && *t == "Page") || (t == nil && !hasKids) {
		if len(w.pages) == w.lim.MaxPages {
			return fmt.Errorf("%w: more than %d pages", ErrTooManyPages, w.lim.MaxPages)
		}
		w.pages = append(w.pages, pageNode{dict: d, inh: inh})
		return nil
	}
	arr, err := w.xt.DereferenceArray(kids)
	if err != nil {
		return fmt.Errorf("%w: pdf: page tree kids: %v", ErrCorrupt, err)
	}
	for _, kid := range arr {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.walk(ctx, kid, inh, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// planPage decides, without decoding pixels, how page pageNr (1-based) will be produced.
func planPage(xt *model.XRefTable, data []byte, n pageNode, pageNr int, lim Limits) (pdfPage, error) {
	fail := func(kind error, format string, args ...any) (pdfPage, error) {
		return pdfPage{}, fmt.Errorf("%w: pdf page %d: %s", kind, pageNr-1, fmt.Sprintf(format, args...))
	}
	box, err := pageBox(xt, n.inh)
	if err != nil {
		return fail(ErrCorrupt, "%v", err)
	}
	rotate := 0
	if n.inh.rotate != nil {
		if r, err := xt.DereferenceInteger(n.inh.rotate); err == nil && r != nil {
			rotate = ((r.Value() % 360) + 360) % 360
		}
	}
	var res types.Dict
	if n.inh.resources != nil {
		if res, err = xt.DereferenceDict(n.inh.resources); err != nil {
			return fail(ErrCorrupt, "resources: %v", err)
		}
	}
	// Every image the page draws is checked, not just a full-page one: pdftoppm would
	// decode a bomb hidden in a vector page just the same.
	if err := checkXObjectImages(xt, res, lim, fmt.Sprintf("pdf page %d", pageNr-1), map[int]bool{}, 0); err != nil {
		return pdfPage{}, err
	}
	content, err := xt.PageContent(n.dict, pageNr)
	if err != nil && !errors.Is(err, model.ErrNoContent) {
		return fail(ErrCorrupt, "content: %v", err)
	}
	if rotate == 0 {
		if p, ok := singleImagePage(xt, data, res, content, box); ok {
			return p, nil
		}
	}
	// Large vector pages are rendered at a lower resolution instead of being refused.
	wIn, hIn := box.Width()/72, box.Height()/72
	dpi := float64(RenderDPI)
	if px := wIn * hIn * dpi * dpi; px > float64(lim.MaxPixels) {
		dpi = math.Floor(math.Sqrt(float64(lim.MaxPixels) / (wIn * hIn)))
		if dpi < minRenderDPI {
			return fail(ErrTooManyPixels, "page is %.0fx%.0f in, too large to render at %d dpi within %d pixels", wIn, hIn, minRenderDPI, lim.MaxPixels)
		}
	}
	return pdfPage{mode: render, dpi: dpi}, nil
}

func pageBox(xt *model.XRefTable, inh inherited) (*types.Rectangle, error) {
	box := types.RectForFormat("Letter") // what viewers assume when MediaBox is missing
	if inh.mediaBox != nil {
		r, err := rectOf(xt, inh.mediaBox)
		if err != nil {
			return nil, fmt.Errorf("MediaBox: %v", err)
		}
		box = r
	}
	if inh.cropBox != nil {
		if r, err := rectOf(xt, inh.cropBox); err == nil {
			// Viewers show the crop box clipped to the media box.
			c := types.NewRectangle(max(r.LL.X, box.LL.X), max(r.LL.Y, box.LL.Y), min(r.UR.X, box.UR.X), min(r.UR.Y, box.UR.Y))
			if c.Width() > 0 && c.Height() > 0 {
				box = c
			}
		}
	}
	if box.Width() < 1 || box.Height() < 1 || box.Width() > 1e6 || box.Height() > 1e6 {
		return nil, fmt.Errorf("page size %.1fx%.1f pt", box.Width(), box.Height())
	}
	return box, nil
}

func rectOf(xt *model.XRefTable, o types.Object) (*types.Rectangle, error) {
	a, err := xt.DereferenceArray(o)
	if err != nil {
		return nil, err
	}
	if len(a) != 4 {
		return nil, fmt.Errorf("rectangle with %d numbers", len(a))
	}
	var v [4]float64
	for i := range v {
		if v[i], err = xt.DereferenceNumber(a[i]); err != nil {
			return nil, err
		}
	}
	return types.NewRectangle(min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3])), nil
}

const maxFormDepth = 8

// checkXObjectImages refuses any image XObject reachable from res whose declared size
// exceeds the limit, following form XObjects.
func checkXObjectImages(xt *model.XRefTable, res types.Dict, lim Limits, where string, seen map[int]bool, depth int) error {
	if res == nil || depth > maxFormDepth {
		return nil
	}
	xo, ok := res.Find("XObject")
	if !ok {
		return nil
	}
	xobjects, err := xt.DereferenceDict(xo)
	if err != nil || xobjects == nil {
		return nil // nothing usable to draw; pdftoppm will say what it thinks
	}
	for name, o := range xobjects {
		if ref, ok := o.(types.IndirectRef); ok {
			if seen[ref.ObjectNumber.Value()] {
				continue
			}
			seen[ref.ObjectNumber.Value()] = true
		}
		sd, _, err := xt.DereferenceStreamDict(o)
		if err != nil || sd == nil {
			continue
		}
		switch st := sd.Subtype(); {
		case st != nil && *st == "Image":
			w, h := intEntry(xt, sd.Dict, "Width"), intEntry(xt, sd.Dict, "Height")
			if err := lim.checkPixels(fmt.Sprintf("%s: image %s", where, name), w, h); err != nil {
				return err
			}
		case st != nil && *st == "Form":
			if r, ok := sd.Find("Resources"); ok {
				if d, err := xt.DereferenceDict(r); err == nil {
					if err := checkXObjectImages(xt, d, lim, where, seen, depth+1); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func intEntry(xt *model.XRefTable, d types.Dict, key string) int {
	o, ok := d.Find(key)
	if !ok {
		return 0
	}
	i, err := xt.DereferenceInteger(o)
	if err != nil || i == nil {
		return 0
	}
	return i.Value()
}

// singleImagePage recognises scanner output: a page whose content only paints one image
// XObject over the whole page box, upright.
func singleImagePage(xt *model.XRefTable, data []byte, res types.Dict, content []byte, box *types.Rectangle) (pdfPage, bool) {
	name, m, ok := singleImageDo(content)
	if !ok || res == nil {
		return pdfPage{}, false
	}
	// The unit square the image fills must be the page box, within a couple of points.
	tol := func(size float64) float64 { return max(2, size*0.01) }
	if math.Abs(m[1]) > 1e-3 || math.Abs(m[2]) > 1e-3 || m[0] <= 0 || m[3] <= 0 ||
		math.Abs(m[4]-box.LL.X) > tol(box.Width()) || math.Abs(m[5]-box.LL.Y) > tol(box.Height()) ||
		math.Abs(m[4]+m[0]-box.UR.X) > tol(box.Width()) || math.Abs(m[5]+m[3]-box.UR.Y) > tol(box.Height()) {
		return pdfPage{}, false
	}
	xo, ok := res.Find("XObject")
	if !ok {
		return pdfPage{}, false
	}
	xobjects, err := xt.DereferenceDict(xo)
	if err != nil || xobjects == nil {
		return pdfPage{}, false
	}
	o, ok := xobjects.Find(name)
	if !ok {
		return pdfPage{}, false
	}
	sd, _, err := xt.DereferenceStreamDict(o)
	if err != nil || sd == nil || sd.Subtype() == nil || *sd.Subtype() != "Image" {
		return pdfPage{}, false
	}
	p, ok := imagePlan(xt, data, sd)
	if !ok {
		return pdfPage{}, false
	}
	p.dpi = roundDPI(float64(p.width) / (box.Width() / 72))
	return p, true
}

// imagePlan decides whether an image can be taken straight from the file, and how.
func imagePlan(xt *model.XRefTable, data []byte, sd *types.StreamDict) (pdfPage, bool) {
	for _, key := range []string{"ImageMask", "SMask", "Mask", "SMaskInData"} {
		if _, ok := sd.Find(key); ok {
			return pdfPage{}, false
		}
	}
	p := pdfPage{
		width: intEntry(xt, sd.Dict, "Width"), height: intEntry(xt, sd.Dict, "Height"),
		bpc: intEntry(xt, sd.Dict, "BitsPerComponent"), comps: colorComponents(xt, sd.Dict),
		filters: sd.FilterPipeline,
	}
	if p.width <= 0 || p.height <= 0 || p.comps == 0 {
		return pdfPage{}, false
	}
	var ok bool
	if p.invert, ok = decodeArray(xt, sd.Dict, p.comps); !ok {
		return pdfPage{}, false
	}
	p.raw = streamBytes(data, sd)
	if p.raw == nil {
		return pdfPage{}, false
	}
	if len(p.filters) == 1 && p.filters[0].Name == filter.DCT {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.raw))
		// Go's decoder must be able to read what we pass on, and the JPEG must be what the
		// PDF says it draws; otherwise let poppler make sense of it.
		if err != nil || p.invert || p.bpc != 8 || cfg.Width != p.width || cfg.Height != p.height ||
			(p.comps == 1) != (cfg.ColorModel == color.GrayModel) {
			return pdfPage{}, false
		}
		p.mode = passJPEG
		return p, true
	}
	for _, f := range p.filters {
		switch f.Name {
		case filter.Flate, filter.LZW, filter.CCITTFax, filter.RunLength, filter.ASCII85, filter.ASCIIHex:
		default:
			return pdfPage{}, false
		}
	}
	if !(p.comps == 1 && (p.bpc == 1 || p.bpc == 8)) && !(p.comps == 3 && p.bpc == 8 && !p.invert) {
		return pdfPage{}, false
	}
	p.mode = decodeImage
	return p, true
}

// streamBytes returns the image's encoded bytes as a slice of the file when they are there
// verbatim (they are, in an unencrypted file), so the parser's copy can be freed.
func streamBytes(data []byte, sd *types.StreamDict) []byte {
	raw := sd.Raw
	if raw == nil {
		return nil
	}
	off, n := sd.StreamOffset, int64(len(raw))
	if off >= 0 && off+n <= int64(len(data)) && bytes.Equal(data[off:off+n], raw) {
		return data[off : off+n : off+n]
	}
	return raw
}

// colorComponents returns 1 for gray and 3 for RGB colour spaces, 0 for anything else.
func colorComponents(xt *model.XRefTable, d types.Dict) int {
	o, ok := d.Find("ColorSpace")
	if !ok {
		return 0
	}
	o, err := xt.Dereference(o)
	if err != nil {
		return 0
	}
	switch cs := o.(type) {
	case types.Name:
		switch cs {
		case "DeviceGray", "G":
			return 1
		case "DeviceRGB", "RGB":
			return 3
		}
	case types.Array:
		if len(cs) < 2 {
			return 0
		}
		name, _ := cs[0].(types.Name)
		switch name {
		case "CalGray":
			return 1
		case "CalRGB":
			return 3
		case "ICCBased":
			sd, _, err := xt.DereferenceStreamDict(cs[1])
			if err != nil || sd == nil {
				return 0
			}
			if n := intEntry(xt, sd.Dict, "N"); n == 1 || n == 3 {
				return n
			}
		}
	}
	return 0
}

// decodeArray reports whether /Decode inverts the image; ok is false for mappings other
// than the default and a plain inversion.
func decodeArray(xt *model.XRefTable, d types.Dict, comps int) (invert, ok bool) {
	o, found := d.Find("Decode")
	if !found {
		return false, true
	}
	a, err := xt.DereferenceArray(o)
	if err != nil || len(a) != 2*comps {
		return false, false
	}
	var first [2]float64
	for i := range a {
		v, err := xt.DereferenceNumber(a[i])
		if err != nil {
			return false, false
		}
		if i < 2 {
			first[i] = v
		} else if v != first[i%2] {
			return false, false
		}
	}
	switch first {
	case [2]float64{0, 1}:
		return false, true
	case [2]float64{1, 0}:
		return true, true
	}
	return false, false
}

// decodeStream runs the image's filters, returning exactly the declared image's bytes.
func (p *pdfPage) decodeStream() ([]byte, int, error) {
	rowBytes := (p.width*p.comps*p.bpc + 7) / 8
	want := int64(rowBytes) * int64(p.height)
	sd := types.StreamDict{
		Dict:           types.Dict{"Width": types.Integer(p.width), "Height": types.Integer(p.height)},
		Raw:            p.raw,
		FilterPipeline: p.filters,
	}
	// The limit stops a Flate bomb from producing more than the declared image.
	content, err := sd.DecodeLengthWithLimit(want, want+4096)
	return content, rowBytes, err
}

// encode decodes a non-JPEG page image and encodes it as PNG: 1-bit gray stays 1-bit.
func (p *pdfPage) encode() ([]byte, error) {
	content, rowBytes, err := p.decodeStream()
	if err != nil {
		return nil, err
	}
	r := image.Rect(0, 0, p.width, p.height)
	switch {
	case p.comps == 1 && p.bpc == 1:
		// PDF's DeviceGray bits already mean what PNG's do: 1 is white.
		if p.invert {
			content = bytes.Clone(content)
			for i := range content {
				content[i] = ^content[i]
			}
		}
		return encodePNG1(bitRows{width: p.width, height: p.height, stride: rowBytes, pix: content})
	case p.comps == 1:
		img := image.NewGray(r)
		copy(img.Pix, content)
		if p.invert {
			for i, v := range img.Pix {
				img.Pix[i] = 255 - v
			}
		}
		return encodePNG(img)
	}
	img := image.NewRGBA(r)
	for i, j := 0, 0; j+2 < len(content) && i < len(img.Pix); i, j = i+4, j+3 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = content[j], content[j+1], content[j+2], 255
	}
	return encodePNG(img)
}

// singleImageDo reads a content stream and, if all it does is paint one XObject (with only
// state changes, clipping and colour setting around it), returns the XObject's name and the
// transformation it is painted with.
func singleImageDo(content []byte) (string, matrix, bool) {
	ctm := identity
	var stack []matrix
	var nums []float64
	var name, found string
	var at matrix
	lx := lexer{b: content}
	for {
		tok, kind := lx.next()
		switch kind {
		case tokEOF:
			return found, at, found != ""
		case tokOther:
			return "", matrix{}, false
		case tokNumber:
			v, ok := parseNumber(tok)
			if !ok {
				return "", matrix{}, false
			}
			nums = append(nums, v)
			continue
		case tokName:
			name = string(tok)
			continue
		}
		switch string(tok) {
		case "q":
			if len(stack) > 64 {
				return "", matrix{}, false
			}
			stack = append(stack, ctm)
		case "Q":
			if len(stack) > 0 {
				ctm, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case "cm":
			if len(nums) != 6 {
				return "", matrix{}, false
			}
			ctm = matrix(nums).mul(ctm)
		case "Do":
			if found != "" || name == "" {
				return "", matrix{}, false
			}
			found, at = name, ctm
		// Operators that change state, set colours or build a clipping path without painting.
		case "w", "J", "j", "M", "ri", "i", "gs", "g", "G", "rg", "RG", "k", "K", "cs", "CS",
			"sc", "SC", "scn", "SCN", "m", "l", "c", "v", "y", "h", "re", "W", "W*", "n",
			"BMC", "EMC", "MP":
		default:
			return "", matrix{}, false
		}
		nums, name = nums[:0], ""
	}
}

// matrix is a PDF transformation [a b c d e f].
type matrix []float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first), as cm concatenates onto the CTM.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokNumber
	tokName
	tokOperator
	tokOther // strings, arrays, dictionaries: never part of a plain image page
)

type lexer struct {
	b []byte
	i int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '/' || c == '%'
}

func (lx *lexer) next() ([]byte, tokKind) {
	for lx.i < len(lx.b) {
		c := lx.b[lx.i]
		if isSpace(c) {
			lx.i++
			continue
		}
		if c == '%' {
			for lx.i < len(lx.b) && lx.b[lx.i] != '\n' && lx.b[lx.i] != '\r' {
				lx.i++
			}
			continue
		}
		break
	}
	if lx.i >= len(lx.b) {
		return nil, tokEOF
	}
	c := lx.b[lx.i]
	if c == '/' {
		lx.i++
	} else if isDelim(c) {
		return nil, tokOther
	}
	start := lx.i
	for lx.i < len(lx.b) && !isSpace(lx.b[lx.i]) && !isDelim(lx.b[lx.i]) {
		lx.i++
	}
	tok := lx.b[start:lx.i]
	switch {
	case c == '/':
		return tok, tokName
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return tok, tokNumber
	}
	return tok, tokOperator
}

func parseNumber(tok []byte) (float64, bool) {
	var v, scale float64
	neg, seenDigit := false, false
	for i, c := range tok {
		switch {
		case (c == '-' || c == '+') && i == 0:
			neg = c == '-'
		case c == '.' && scale == 0:
			scale = 1
		case c >= '0' && c <= '9':
			seenDigit = true
			if scale == 0 {
				v = v*10 + float64(c-'0')
			} else {
				scale /= 10
				v += float64(c-'0') * scale
			}
		default:
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	return v, seenDigit
}
