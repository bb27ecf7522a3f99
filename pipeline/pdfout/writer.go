// Package pdfout writes searchable PDFs page by page: each page shows the original scan and
// carries an invisible OCR text layer, plus optional overlay drawing (stamps, page numbers).
// The files claim and are written to meet PDF/A-2b (pdfa.go).
//
// It is a small hand-written object writer rather than a general PDF library because the
// filed PDF has a fixed, simple shape and must be streamed: every page is written as soon as
// it is added, so a 300-page document never holds more than one page image in memory. Only
// the page-tree references and the xref offsets are kept until Close.
package pdfout

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"onewindow/pipeline"
)

// Errors callers can test with errors.Is.
var (
	// ErrUnsupportedImage means the page image cannot be embedded (unknown format, 12-bit
	// JPEG, undecodable PNG, ...).
	ErrUnsupportedImage = errors.New("pdfout: unsupported page image")
	// ErrClosed means the writer was used after Close.
	ErrClosed = errors.New("pdfout: writer closed")
	// ErrNoPages means Close was called before any page was added; a PDF needs one page.
	ErrNoPages = errors.New("pdfout: document has no pages")
	// ErrResourceName means an overlay resource name is invalid or clashes with the writer's.
	ErrResourceName = errors.New("pdfout: bad overlay resource name")
	// ErrMetadata means a Meta property name cannot be an XMP property.
	ErrMetadata = errors.New("pdfout: bad metadata property")
	// ErrRotation means Page.Rotate is not 0, 90, 180 or 270.
	ErrRotation = errors.New("pdfout: page rotation must be 0, 90, 180 or 270")
)

// DefaultProducer is written as the document's /Producer when Meta leaves it empty.
const DefaultProducer = "onewindow"

// Meta is the document information dictionary.
type Meta struct {
	Title    string
	Author   string
	Subject  string
	Keywords []string
	Creator  string
	// Producer defaults to DefaultProducer.
	Producer string
	// CreationDate is omitted when zero.
	CreationDate time.Time
	// ModDate defaults to CreationDate: a filed PDF is written once.
	ModDate time.Time
	// Identifier is the XMP dc:identifier, e.g. the archival code; omitted when empty.
	Identifier string
	// Language is the text's language (BCP 47, e.g. "zh-CN"), as /Lang and dc:language.
	Language string
	// Properties are filing-record fields (case number, archival code, ...) for the XMP
	// metadata, in RecordNamespace.
	Properties []Property
}

// Page is one page to add. Image is drawn full page; OCR words become invisible text;
// Overlay operators are drawn above the image in page points (origin bottom left).
type Page struct {
	Image pipeline.PageImage
	// OCR may be nil for a page without a text layer.
	OCR *pipeline.OCRPage
	// Overlay is a content-stream fragment; it runs inside q/Q so it cannot leak state.
	Overlay []byte
	// OverlayResources names what Overlay refers to.
	OverlayResources Resources
	// Rotate turns the page clockwise when shown: 0, 90, 180 or 270 degrees. It is the page's
	// /Rotate, which turns image, text layer and overlay together, so the invisible text stays
	// over the words it was read from and the file stays PDF/A.
	Rotate int
	// OCRShown says OCR's words are in the page as shown, turned by Rotate: a page read again
	// the way a person turned it. The text layer is then drawn through the same turn, so it
	// lies over the words as they show, while the image stays the scan as it was.
	OCRShown bool
}

// Resources are the named page resources an overlay may use.
type Resources struct {
	// ExtGState maps a resource name (without the slash) to a graphics state, used with gs.
	ExtGState map[string]ExtGState
}

// ExtGState is the subset of a PDF graphics state dictionary overlays need.
type ExtGState struct {
	StrokeAlpha float64 // /CA, 0..1
	FillAlpha   float64 // /ca, 0..1
}

// Reserved object numbers; everything else is numbered as written.
const (
	catalogObj = 1
	pagesObj   = 2
	firstFree  = 3
)

// Names the writer itself uses in page resources; overlays must not reuse them.
const (
	imageName = "OWScan"
	fontName  = "OWText"
)

// Writer streams a PDF to an io.Writer. It is not safe for concurrent use.
type Writer struct {
	w       *bufio.Writer
	cw      *countingWriter
	meta    Meta
	offsets []int64 // offsets[n] is object n's byte offset; 0 means not yet written
	pages   []int
	fontObj int // Type0 font, written with the first page that has text
	err     error
	closed  bool
	zbuf    bytes.Buffer
	zw      *zlib.Writer
}

// NewWriter starts a PDF on out. Nothing is written until the first AddPage.
func NewWriter(out io.Writer, meta Meta) *Writer {
	cw := &countingWriter{w: out}
	if meta.Producer == "" {
		meta.Producer = DefaultProducer
	}
	if meta.ModDate.IsZero() {
		meta.ModDate = meta.CreationDate
	}
	var err error
	for _, p := range meta.Properties {
		if !validPropertyName(p.Name) {
			err = fmt.Errorf("%w: %q", ErrMetadata, p.Name)
		}
	}
	return &Writer{
		err:     err,
		cw:      cw,
		w:       bufio.NewWriterSize(cw, 64<<10),
		meta:    meta,
		offsets: make([]int64, firstFree),
	}
}

// PageSize is the page's size in points for a scan image, from its pixels and DPI.
func PageSize(img pipeline.PageImage) (widthPt, heightPt float64) {
	dpi := img.DPI
	if dpi <= 0 {
		dpi = pipeline.DefaultDPI
	}
	return float64(img.Width) * 72 / dpi, float64(img.Height) * 72 / dpi
}

// ShownPage describes a w x h page as shown under /Rotate rotate (clockwise): the shown
// page's size, and the cm operands that map its points back onto the page's. Whatever is
// laid out upright on a turned page (its stamp, a text layer read turned) is drawn through
// that cm.
func ShownPage(w, h float64, rotate int) (shownW, shownH float64, toPage string) {
	switch pipeline.NormalTurn(rotate) {
	case 90: // page (x, y) shows at (y, w-x)
		return h, w, "0 1 -1 0 " + num(w) + " 0"
	case 180: // page (x, y) shows at (w-x, h-y)
		return w, h, "-1 0 0 -1 " + num(w) + " " + num(h)
	case 270: // page (x, y) shows at (h-y, x)
		return h, w, "0 -1 1 0 0 " + num(h)
	}
	return w, h, "1 0 0 1 0 0"
}

// ValidRotation says whether deg is a page rotation PDF allows and the writer writes.
func ValidRotation(deg int) bool { return deg == 0 || deg == 90 || deg == 180 || deg == 270 }

// AddPage writes one page. After an error the writer is unusable.
func (w *Writer) AddPage(p Page) error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if err := w.addPage(p); err != nil {
		w.err = err
		return err
	}
	return nil
}

func (w *Writer) addPage(p Page) error {
	if err := checkResourceNames(p.OverlayResources); err != nil {
		return err
	}
	if !ValidRotation(p.Rotate) {
		return fmt.Errorf("%w: %d", ErrRotation, p.Rotate)
	}
	img, err := prepareImage(p.Image)
	if err != nil {
		return err
	}
	if len(w.pages) == 0 {
		w.raw("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	}
	// The page is sized from the image actually embedded, which may differ from
	// PageImage.Width/Height if those were not filled in.
	pi := p.Image
	pi.Width, pi.Height = img.width, img.height
	wPt, hPt := PageSize(pi)

	imgObj := w.newObj()
	w.stream(imgObj, img.dict, img.data)

	var content bytes.Buffer
	fmt.Fprintf(&content, "q %s 0 0 %s 0 0 cm /%s Do Q\n", num(wPt), num(hPt), imageName)
	if len(p.Overlay) > 0 {
		content.WriteString("q\n")
		content.Write(p.Overlay)
		content.WriteString("\nQ\n")
	}
	hasText := false
	if p.OCR != nil && len(p.OCR.Words) > 0 {
		ocrW, ocrH := p.OCR.Width, p.OCR.Height
		if ocrW <= 0 || ocrH <= 0 {
			ocrW, ocrH = img.width, img.height
		}
		if p.OCRShown && p.Rotate != 0 {
			shownW, shownH, toPage := ShownPage(wPt, hPt, p.Rotate)
			if (p.OCR.Width <= 0 || p.OCR.Height <= 0) && p.Rotate%180 != 0 {
				ocrW, ocrH = img.height, img.width // the image's size as shown
			}
			var layer bytes.Buffer
			if hasText = writeTextLayer(&layer, p.OCR.Words, shownW/float64(ocrW), shownH/float64(ocrH), shownH); hasText {
				fmt.Fprintf(&content, "q %s cm\n", toPage)
				content.Write(layer.Bytes())
				content.WriteString("Q\n")
			}
		} else {
			hasText = writeTextLayer(&content, p.OCR.Words, wPt/float64(ocrW), hPt/float64(ocrH), hPt)
		}
	}
	if hasText && w.fontObj == 0 {
		w.writeFont()
	}
	contentObj := w.newObj()
	w.flateStream(contentObj, "", content.Bytes())

	var res strings.Builder
	fmt.Fprintf(&res, "<< /XObject << /%s %d 0 R >>", imageName, imgObj)
	if hasText {
		fmt.Fprintf(&res, " /Font << /%s %d 0 R >>", fontName, w.fontObj)
	}
	transparent := false
	if gs := p.OverlayResources.ExtGState; len(gs) > 0 {
		res.WriteString(" /ExtGState <<")
		for _, name := range slices.Sorted(maps.Keys(gs)) {
			ca, fa := clamp01(gs[name].StrokeAlpha), clamp01(gs[name].FillAlpha)
			transparent = transparent || ca < 1 || fa < 1
			// Constant alpha with the Normal blend mode and no soft mask: the transparency
			// PDF/A-2 allows.
			fmt.Fprintf(&res, " /%s << /Type /ExtGState /CA %s /ca %s /BM /Normal /SMask /None >>", name, num(ca), num(fa))
		}
		res.WriteString(" >>")
	}
	res.WriteString(" >>")
	group := ""
	if transparent {
		// The page's blending space, stated rather than left to each reader; DeviceRGB
		// means the sRGB of the output intent.
		group = " /Group << /Type /Group /S /Transparency /CS /DeviceRGB >>"
	}

	rotate := ""
	if p.Rotate != 0 {
		rotate = fmt.Sprintf(" /Rotate %d", p.Rotate)
	}
	pageObj := w.newObj()
	w.obj(pageObj, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s]%s /Resources %s%s /Contents %d 0 R >>",
		pagesObj, num(wPt), num(hPt), rotate, res.String(), group, contentObj))
	w.pages = append(w.pages, pageObj)
	return w.w.Flush()
}

// Close writes the page tree, catalog, info dictionary, xref table and trailer. It does not
// close the underlying io.Writer.
func (w *Writer) Close() error {
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if len(w.pages) == 0 {
		return ErrNoPages
	}
	var kids strings.Builder
	for i, p := range w.pages {
		if i > 0 {
			kids.WriteByte(' ')
		}
		fmt.Fprintf(&kids, "%d 0 R", p)
	}
	w.obj(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), len(w.pages)))
	pdfa := w.writePDFA()
	w.obj(catalogObj, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R%s >>", pagesObj, pdfa))
	infoObj := w.newObj()
	w.obj(infoObj, w.infoDict())

	w.w.Flush()
	xref := w.cw.n
	fmt.Fprintf(w.w, "xref\n0 %d\n0000000000 65535 f \n", len(w.offsets))
	for _, off := range w.offsets[1:] {
		fmt.Fprintf(w.w, "%010d 00000 n \n", off)
	}
	id := md5.Sum([]byte(fmt.Sprintf("%s|%s|%d|%d", w.meta.Title, w.meta.CreationDate.Format(time.RFC3339Nano), len(w.pages), xref)))
	fmt.Fprintf(w.w, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%x> <%x>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(w.offsets), catalogObj, infoObj, id, id, xref)
	if err := w.w.Flush(); err != nil {
		return err
	}
	return w.cw.err
}

func (w *Writer) infoDict() string {
	var b strings.Builder
	b.WriteString("<<")
	add := func(key, val string) {
		if val != "" {
			fmt.Fprintf(&b, " /%s %s", key, textString(val))
		}
	}
	add("Title", w.meta.Title)
	add("Author", w.meta.Author)
	add("Subject", w.meta.Subject)
	add("Keywords", strings.Join(keywords(w.meta.Keywords), ", "))
	add("Creator", w.meta.Creator)
	add("Producer", w.meta.Producer)
	if !w.meta.CreationDate.IsZero() {
		fmt.Fprintf(&b, " /CreationDate (%s)", pdfDate(w.meta.CreationDate))
	}
	if !w.meta.ModDate.IsZero() {
		fmt.Fprintf(&b, " /ModDate (%s)", pdfDate(w.meta.ModDate))
	}
	b.WriteString(" >>")
	return b.String()
}

// writeFont writes the glyphless Type0 font Tesseract's PDF renderer uses: every character
// code is a UTF-16 code unit, drawn with an invisible glyph, and mapped back to Unicode by
// the ToUnicode CMap so viewers and pdftotext recover the text.
func (w *Writer) writeFont() {
	w.fontObj = w.newObj()
	cidFont := w.newObj()
	cidToGID := w.newObj()
	toUnicode := w.newObj()
	descriptor := w.newObj()
	fontFile := w.newObj()
	w.obj(w.fontObj, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", cidFont, toUnicode))
	w.obj(cidFont, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap %d 0 R /DW %d >>", descriptor, cidToGID, glyphWidth))
	w.flateStream(cidToGID, "", cidToGIDMap())
	w.flateStream(toUnicode, "", []byte(toUnicodeCMap))
	w.obj(descriptor, fmt.Sprintf("<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 %d 1000] /ItalicAngle 0 /Ascent 1000 /Descent -1 /CapHeight 1000 /StemV 80 /FontFile2 %d 0 R >>", glyphWidth, fontFile))
	w.flateStream(fontFile, fmt.Sprintf("/Length1 %d", len(glyphlessTTF)), glyphlessTTF)
}

func (w *Writer) newObj() int {
	w.offsets = append(w.offsets, 0)
	return len(w.offsets) - 1
}

func (w *Writer) begin(n int) {
	w.w.Flush()
	w.offsets[n] = w.cw.n
	fmt.Fprintf(w.w, "%d 0 obj\n", n)
}

func (w *Writer) obj(n int, body string) {
	w.begin(n)
	w.w.WriteString(body)
	w.w.WriteString("\nendobj\n")
}

// stream writes data as-is; dict holds extra entries (filters, image keys).
func (w *Writer) stream(n int, dict string, data []byte) {
	w.begin(n)
	fmt.Fprintf(w.w, "<< %s /Length %d >>\nstream\n", dict, len(data))
	w.w.Write(data)
	w.w.WriteString("\nendstream\nendobj\n")
}

// flateStream compresses data with zlib and writes it with /FlateDecode.
func (w *Writer) flateStream(n int, dict string, data []byte) {
	w.stream(n, strings.TrimSpace(dict+" /Filter /FlateDecode"), w.deflate(data))
}

func (w *Writer) deflate(data []byte) []byte {
	w.zbuf.Reset()
	if w.zw == nil {
		w.zw = zlib.NewWriter(&w.zbuf)
	} else {
		w.zw.Reset(&w.zbuf)
	}
	w.zw.Write(data)
	w.zw.Close()
	return bytes.Clone(w.zbuf.Bytes())
}

func (w *Writer) raw(s string) { w.w.WriteString(s) }

func checkResourceNames(r Resources) error {
	for name := range r.ExtGState {
		if name == "" || strings.HasPrefix(name, "OW") || strings.ContainsAny(name, " \t\r\n()<>[]{}/%#") {
			return fmt.Errorf("%w: %q", ErrResourceName, name)
		}
	}
	return nil
}

type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

// num formats a coordinate compactly; PDF readers do not accept exponent notation.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 3, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

func clamp01(f float64) float64 {
	return max(0, min(1, f))
}

// textString encodes a document-info string: PDFDocEncoding-safe ASCII as a literal,
// anything else as UTF-16BE with a byte order mark.
func textString(s string) string {
	ascii := true
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
		return "(" + r.Replace(s) + ")"
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// pdfDate writes UTC as +00'00', never Z: pdfcpu's strict validator refuses a bare Z, and
// PDFBox's PDF/A preflight finds Z00'00' unequal to the XMP date of the same instant.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%s%c%02d'%02d'", t.Format("D:20060102150405"), sign, off/3600, off%3600/60)
}
