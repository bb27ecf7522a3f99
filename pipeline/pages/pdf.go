package pages

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"onewindow/pipeline"
)

// Opening a PDF and walking its page tree: each page is planned here, its image taken out in
// pdfimage.go, its content stream read by the lexer in pdfcontent.go.

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
	// restrictions is what an owner password forbids, in words; "" when nothing is.
	restrictions string
	repaired     bool // damaged, and read by pdfcpu's or poppler's repair
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
	img, err := s.r.page(ctx, i, p.dpi)
	if err != nil {
		return img, err
	}
	// Only a drawn page can be born digital: a single-image page is a scan by definition.
	path, err := s.r.file()
	if err != nil {
		return img, err
	}
	if img.Text, err = pageText(ctx, path, i, img); err != nil {
		if ctx.Err() != nil {
			return pipeline.PageImage{}, ctx.Err()
		}
		img.Text = nil // no text to be had: OCR reads the page as it reads a scan
	}
	return img, nil
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

// repairMaxBytes is the largest PDF whose cross-reference table pdfcpu may rebuild. It does so
// by scanning the whole file with a line buffer that grows with the longest "line", so a large
// damaged or junk file (a scan cut off in transfer, a mislabelled archive) held a gigabyte of
// memory per 500 MB upload. A scan this large is written by a program and ends intact; a
// smaller damaged one is still repaired as before.
var repairMaxBytes = 32 << 20

// objectHeader is what an xref stream's offset points at: "12 0 obj".
var objectHeader = regexp.MustCompile(`^\d+\s+\d+\s+obj\b`)

// intactTail reports whether data ends as a PDF must: "startxref", the offset of the last
// cross-reference section (a table or stream that is really there), and "%%EOF", in the last
// kilobyte as readers have always allowed.
func intactTail(data []byte) bool {
	tail := data[max(0, len(data)-1024):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 || !bytes.Contains(tail[i:], []byte("%%EOF")) {
		return false
	}
	rest := bytes.TrimLeft(tail[i+len("startxref"):], " \t\r\n\f\x00")
	n := 0
	for n < len(rest) && n < 19 && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	off, err := strconv.ParseInt(string(rest[:n]), 10, 64)
	if n == 0 || err != nil || off >= int64(len(data)) {
		return false
	}
	at := data[off:min(int64(len(data)), off+64)]
	return bytes.HasPrefix(at, []byte("xref")) || objectHeader.Match(at)
}

func openPDF(ctx context.Context, data []byte, lim Limits) (Source, error) {
	s := &pdfSource{r: &renderer{data: data}}
	err := s.plan(ctx, data, lim)
	var explained *Problem
	if !errors.As(err, &explained) && (errors.Is(err, ErrCorrupt) || errors.Is(err, ErrEncrypted)) {
		// What pdfcpu cannot read, poppler may: it rebuilds damaged files as viewers do, and
		// tells a password that is really needed from permissions that only restrict.
		err = s.planWithPoppler(ctx, lim, err)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// plan reads the file with pdfcpu and plans every page; a page pdfcpu cannot read is planned
// from poppler's account of it.
func (s *pdfSource) plan(ctx context.Context, data []byte, lim Limits) (err error) {
	// pdfcpu is a large parser of hostile input; a bug there must fail this upload, not the daemon.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: pdf: parser failure: %v", ErrCorrupt, r)
		}
	}()
	if len(data) > repairMaxBytes && !intactTail(data) {
		return fmt.Errorf("%w: pdf: damaged or truncated: no intact cross-reference at its end", ErrCorrupt)
	}
	pc, err := pdfcpu.ReadWithContext(ctx, bytes.NewReader(data), pdfConfig(lim))
	if err != nil {
		return pdfReadError(ctx, data, err)
	}
	if pc.Encrypt != nil && pc.E != nil {
		// It opened without a password: only an owner password restricts what a reader may do.
		// The page images are the archive's copy; the restrictions are told, not obeyed.
		s.restrictions = restrictionsOfFlags(pc.E.P)
	}
	// pdfcpu rebuilds the cross-reference table of a file without an intact end.
	s.repaired = !intactTail(data)
	xt := pc.XRefTable
	w := pageWalker{xt: xt, lim: lim, seen: map[int]bool{}}
	root, err := xt.Pages()
	if err != nil {
		return fmt.Errorf("%w: pdf: %v", ErrCorrupt, err)
	}
	if err := w.walk(ctx, *root, inherited{}, 0); err != nil {
		return err
	}
	if len(w.pages) == 0 {
		return ErrNoPages
	}
	s.pages = make([]pdfPage, len(w.pages))
	var unread []int
	for i, n := range w.pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := planPage(xt, data, n, i+1, lim)
		var explained *Problem
		if errors.Is(err, ErrCorrupt) && !errors.As(err, &explained) {
			unread = append(unread, i)
			s.pages[i] = pdfPage{mode: render} // sized from poppler's reading below
			continue
		}
		if err != nil {
			return err
		}
		s.pages[i] = p
	}
	s.drawFromRepairedCopy(pc, data)
	if len(unread) == 0 {
		return nil
	}
	info, err := s.popplerInfo(ctx, lim)
	if err != nil {
		return err
	}
	s.repaired = true
	for _, i := range unread {
		if i >= len(info.pages) {
			return brokenPageProblem(i, errors.New("poppler finds no such page"))
		}
		if s.pages[i], err = renderPlan(info.pages[i].w, info.pages[i].h, i, lim); err != nil {
			return err
		}
	}
	return nil
}

// drawFromRepairedCopy gives poppler pdfcpu's rewrite of a file whose end is damaged, when
// pages are to be drawn: pdfcpu rebuilds a lost cross-reference table and trailer from the
// objects, where poppler (which needs a trailer to find the document) gives up.
func (s *pdfSource) drawFromRepairedCopy(pc *model.Context, data []byte) {
	if intactTail(data) || !slices.ContainsFunc(s.pages, func(p pdfPage) bool { return p.mode == render }) {
		return
	}
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	pc.Write.Writer, pc.Write.Eol = w, types.EolLF
	if err := pdfcpu.WriteContext(pc); err == nil && w.Flush() == nil {
		s.r.data = b.Bytes()
	}
}

// planWithPoppler plans every page from poppler's reading of a file pdfcpu could not read
// (why is pdfcpuErr): each page is rendered by pdftoppm.
func (s *pdfSource) planWithPoppler(ctx context.Context, lim Limits, pdfcpuErr error) error {
	info, err := s.popplerInfo(ctx, lim)
	if errors.Is(err, ErrCorrupt) && s.r.nameCatalog() {
		info, err = s.popplerInfo(ctx, lim)
	}
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return pdfcpuErr // no second opinion to be had
	case errors.Is(err, ErrCorrupt) && errors.Is(pdfcpuErr, ErrEncrypted):
		return passwordProblem(pdfcpuErr)
	case errors.Is(err, ErrCorrupt):
		return unreadableProblem(fmt.Errorf("pdfcpu: %v; poppler: %v", pdfcpuErr, err))
	case err != nil:
		return err
	}
	s.restrictions = restrictionsOfPdfinfo(info.encrypted)
	s.repaired = !errors.Is(pdfcpuErr, ErrEncrypted)
	s.pages = make([]pdfPage, len(info.pages))
	for i, pg := range info.pages {
		if s.pages[i], err = renderPlan(pg.w, pg.h, i, lim); err != nil {
			return err
		}
	}
	return nil
}

// popplerInfo reads the file's structure with poppler, once.
func (s *pdfSource) popplerInfo(ctx context.Context, lim Limits) (popplerInfo, error) {
	path, err := s.r.file()
	if err != nil {
		return popplerInfo{}, err
	}
	return popplerOpen(ctx, path, lim)
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
	if lostContent(xt, n.dict, res) {
		// A repaired file may keep the page but not what is drawn on it (a page cut off with
		// its fonts lost draws blank): no reader can bring it back.
		return pdfPage{}, pageProblem(pageNr-1, "has lost part of its text or images to damage in the file", fixUploadAgain,
			fmt.Errorf("%w: pdf page %d: content, font or image missing from the file", ErrCorrupt, pageNr-1))
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
	return renderPlan(box.Width(), box.Height(), pageNr-1, lim)
}

// renderPlan plans page i (0-based) of w x h points for pdftoppm. Large vector pages are
// rendered at a lower resolution instead of being refused.
func renderPlan(w, h float64, i int, lim Limits) (pdfPage, error) {
	if w < 1 || h < 1 || w > 1e6 || h > 1e6 {
		return pdfPage{}, brokenPageProblem(i, fmt.Errorf("page size %.1fx%.1f pt", w, h))
	}
	wIn, hIn := w/72, h/72
	dpi := float64(RenderDPI)
	if px := wIn * hIn * dpi * dpi; px > float64(lim.MaxPixels) {
		dpi = math.Floor(math.Sqrt(float64(lim.MaxPixels) / (wIn * hIn)))
		if dpi < minRenderDPI {
			return pdfPage{}, fmt.Errorf("%w: pdf page %d: page is %.0fx%.0f in, too large to render at %d dpi within %d pixels",
				ErrTooManyPixels, i, wIn, hIn, minRenderDPI, lim.MaxPixels)
		}
	}
	return pdfPage{mode: render, dpi: dpi}, nil
}

// lostContent reports whether the page names a content stream, font or image the file does
// not hold, as in a file cut short that pdfcpu still repairs.
func lostContent(xt *model.XRefTable, page types.Dict, res types.Dict) bool {
	missing := func(o types.Object) bool {
		d, err := xt.Dereference(o)
		return err != nil || d == nil
	}
	if c, ok := page.Find("Contents"); ok {
		if missing(c) {
			return true
		}
		if a, err := xt.DereferenceArray(c); err == nil && slices.ContainsFunc(a, missing) {
			return true
		}
	}
	for _, key := range []string{"Font", "XObject"} {
		if o, ok := res.Find(key); ok {
			if d, err := xt.DereferenceDict(o); err == nil {
				for _, v := range d {
					if missing(v) {
						return true
					}
				}
			}
		}
	}
	return false
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
