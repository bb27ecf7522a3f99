// Package stamp draws the hall's marks on filed pages: an acceptance stamp with a
// verification QR code on the first page, and "第 x 页 / 共 y 页" with the case number on
// every page. The marks are PDF content-stream operators for pdfout's page overlay.
//
// Chinese text is drawn as vector glyph outlines (filled paths) taken from a TrueType CJK
// font, not as PDF text. That way the stamp stays crisp at any zoom, the PDF needs no
// embedded CJK font program (which PDF libraries struggle to subset), and the stamp adds
// nothing to the text layer: text extraction and search still return only the OCR text.
//
// The stamp is placed where the page is empty, judged from the OCR word boxes, and is drawn
// with strokes and glyphs only, through a transparent graphics state, so it never hides the
// scan. That transparency is constant alpha in the Normal blend mode without soft masks, and
// its colours are DeviceRGB, which the filed PDF's sRGB output intent defines: both what
// PDF/A-2b allows.
package stamp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onewindow/pipeline"
	"onewindow/pipeline/pdfout"
)

// DefaultFontPath is the Debian fonts-wqy-zenhei collection; face 0 is WenQuanYi Zen Hei.
const DefaultFontPath = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

// ErrBadPage means PageInfo describes no drawable page.
var ErrBadPage = errors.New("stamp: bad page info")

// Options configure a Stamper. Zero values take the documented defaults.
type Options struct {
	// HallName is the first line of the acceptance stamp, e.g. "吉林省政务服务中心".
	HallName string
	// FontPath is a TrueType font or collection with CJK glyphs; default DefaultFontPath.
	FontPath string
	// FontIndex selects the face in a collection; default 0.
	FontIndex int
}

// Stamper draws marks. It is safe for concurrent use.
type Stamper struct {
	hall string
	font *outlineFont
}

// New loads the font (once per process and path) and returns a Stamper.
func New(opts Options) (*Stamper, error) {
	if opts.FontPath == "" {
		opts.FontPath = DefaultFontPath
	}
	f, err := loadFont(opts.FontPath, opts.FontIndex)
	if err != nil {
		return nil, err
	}
	return &Stamper{hall: strings.TrimSpace(opts.HallName), font: f}, nil
}

// PageInfo is what the marks on one page say and where they may go.
type PageInfo struct {
	PageNo    int // 1-based; the acceptance stamp goes on page 1
	PageCount int
	CaseNo    string
	Station   string
	Date      time.Time
	// VerifyID is what the stamp's QR code carries: the filer passes the document's
	// verification URL (a hundred characters still read at 150 dpi); no QR when empty.
	VerifyID string
	// WidthPt and HeightPt are the page size in points (pdfout.PageSize).
	WidthPt, HeightPt float64
	// DPI converts word boxes from pixels to points; 0 means pipeline.DefaultDPI.
	DPI float64
	// Words are the page's OCR words in upright image pixels; marks avoid them.
	Words []pipeline.Word
	// WordsShown says Words are in the page as shown, turned by Rotate (pdfout.Page.OCRShown):
	// the page was read again the way a person turned it.
	WordsShown bool
	// Rotate is the page's /Rotate (pdfout.Page.Rotate): it turns the page clockwise when
	// shown, a page a person turned the right way up. The marks are laid out and drawn upright
	// on the page as shown, not turned with it.
	Rotate int
}

// Rect is a rectangle in page points, origin bottom left; the boxes of an Overlay are in the
// page as shown (after its /Rotate).
type Rect struct{ X0, Y0, X1, Y1 float64 }

// Empty reports whether r has no area.
func (r Rect) Empty() bool { return r.X1 <= r.X0 || r.Y1 <= r.Y0 }

// Intersects reports whether r and o share area.
func (r Rect) Intersects(o Rect) bool {
	return r.X0 < o.X1 && o.X0 < r.X1 && r.Y0 < o.Y1 && o.Y0 < r.Y1
}

func (r Rect) overlapArea(o Rect) float64 {
	w := min(r.X1, o.X1) - max(r.X0, o.X0)
	h := min(r.Y1, o.Y1) - max(r.Y0, o.Y0)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

// Overlay is one page's marks, ready for pdfout.Page.Overlay and OverlayResources.
type Overlay struct {
	Ops       []byte
	Resources pdfout.Resources
	// StampBox is where the acceptance stamp went; empty on pages without one.
	StampBox Rect
	// FooterBox is where the page number went.
	FooterBox Rect
}

// Colours and sizes, in points at scale 1.
const (
	stampRed   = "0.80 0.08 0.08"
	footerGrey = "0.45 0.10 0.10"
	alphaName  = "StampGS"
	stampAlpha = 0.85

	stampW   = 210.0
	stampH   = 80.0
	stampPad = 9.0
	// borderInner is where the inner border line's inside edge lies.
	borderInner    = 4.0
	qrQuietModules = 4
	footerPadding  = 8.0 // keep the stamp this far from the page number
	pageMargin     = 14.0
	wordPadding    = 8.0 // keep this much clear around every word so the stamp does not crowd it
	minScale       = 0.5
	footerSize     = 8.0
)

// PageOverlay draws the marks for one page.
func (s *Stamper) PageOverlay(info PageInfo) (Overlay, error) {
	if info.WidthPt <= 0 || info.HeightPt <= 0 || info.PageNo < 1 {
		return Overlay{}, fmt.Errorf("%w: page %d of size %gx%g", ErrBadPage, info.PageNo, info.WidthPt, info.HeightPt)
	}
	c := &canvas{}
	turn := pipeline.NormalTurn(info.Rotate)
	w, h := info.WidthPt, info.HeightPt
	if turn != 0 {
		// Lay the marks out on the page as shown and map them back onto the page.
		var toPage string
		info.WidthPt, info.HeightPt, toPage = pdfout.ShownPage(w, h, turn)
		c.printf("%s cm\n", toPage)
	}
	// The words to avoid, where they show: read there, or turned there from the page.
	var obstacles []Rect
	if turn == 0 || info.WordsShown {
		obstacles = wordRects(info.Words, info.DPI, info.HeightPt)
	} else {
		obstacles = turnRects(wordRects(info.Words, info.DPI, h), w, h, turn)
	}
	c.printf("/%s gs\n", alphaName)
	out := Overlay{Resources: pdfout.Resources{ExtGState: map[string]pdfout.ExtGState{
		alphaName: {StrokeAlpha: stampAlpha, FillAlpha: stampAlpha},
	}}}

	footer, err := s.drawFooter(c, info, obstacles)
	if err != nil {
		return Overlay{}, err
	}
	out.FooterBox = footer

	if info.PageNo == 1 {
		lay, err := s.layout(info)
		if err != nil {
			return Overlay{}, err
		}
		footerZone := Rect{footer.X0 - footerPadding, footer.Y0 - footerPadding, footer.X1 + footerPadding, footer.Y1 + footerPadding}
		box, scale := place(info.WidthPt, info.HeightPt, lay.w, lay.h, append(obstacles, footerZone))
		if err := s.drawStamp(c, lay, box, scale); err != nil {
			return Overlay{}, err
		}
		out.StampBox = box
	}
	out.Ops = c.buf
	return out, nil
}

// turnRects turns rects on a w x h page into the page as shown under /Rotate turn
// (clockwise, 90, 180 or 270), as pdfout.ShownPage lays it out.
func turnRects(rects []Rect, w, h float64, turn int) []Rect {
	out := make([]Rect, len(rects))
	for i, r := range rects {
		switch turn {
		case 90: // (x, y) shows at (y, w-x)
			out[i] = Rect{X0: r.Y0, Y0: w - r.X1, X1: r.Y1, Y1: w - r.X0}
		case 180: // (x, y) shows at (w-x, h-y)
			out[i] = Rect{X0: w - r.X1, Y0: h - r.Y1, X1: w - r.X0, Y1: h - r.Y0}
		case 270: // (x, y) shows at (h-y, x)
			out[i] = Rect{X0: h - r.Y1, Y0: r.X0, X1: h - r.Y0, Y1: r.X1}
		default:
			out[i] = r
		}
	}
	return out
}

// wordRects converts OCR word boxes (pixels at dpi) to points, padded, on a page heightPt high.
func wordRects(words []pipeline.Word, dpi, heightPt float64) []Rect {
	if dpi <= 0 {
		dpi = pipeline.DefaultDPI
	}
	k := 72 / dpi
	rects := make([]Rect, 0, len(words))
	for _, w := range words {
		if w.Box.Empty() || strings.TrimSpace(w.Text) == "" {
			continue
		}
		rects = append(rects, Rect{
			X0: float64(w.Box.Min.X)*k - wordPadding,
			X1: float64(w.Box.Max.X)*k + wordPadding,
			Y0: heightPt - float64(w.Box.Max.Y)*k - wordPadding,
			Y1: heightPt - float64(w.Box.Min.Y)*k + wordPadding,
		})
	}
	return rects
}

// drawFooter writes "第 x 页 / 共 y 页  CASE" centred in the bottom margin, or the top
// margin when the bottom one has text in it.
func (s *Stamper) drawFooter(c *canvas, info PageInfo, obstacles []Rect) (Rect, error) {
	text := fmt.Sprintf("第 %d 页 / 共 %d 页", info.PageNo, max(info.PageCount, info.PageNo))
	if info.CaseNo != "" {
		text += "    案号 " + info.CaseNo
	}
	size := footerSize
	w, err := s.font.width(text, size)
	if err != nil {
		return Rect{}, err
	}
	if maxW := info.WidthPt - 2*pageMargin; w > maxW && w > 0 {
		size *= maxW / w
		w = maxW
	}
	x := (info.WidthPt - w) / 2
	margin := min(pageMargin, info.HeightPt/10)
	bottom := Rect{x, margin, x + w, margin + size}
	top := Rect{x, info.HeightPt - margin - size, x + w, info.HeightPt - margin}
	box := bottom
	if overlap(bottom, obstacles) > overlap(top, obstacles) {
		box = top
	}
	baseline := box.Y0 + 0.15*size // glyphs descend about 0.12 em below the baseline
	c.printf("%s rg\n", footerGrey)
	if err := s.font.draw(c, text, box.X0, baseline, size); err != nil {
		return Rect{}, err
	}
	return box, nil
}

func overlap(r Rect, obstacles []Rect) float64 {
	a := 0.0
	for _, o := range obstacles {
		a += r.overlapArea(o)
	}
	return a
}

// stampLayout is the stamp's content at scale 1, positioned relative to its bottom left.
type stampLayout struct {
	w, h  float64
	lines []textLine
	qr    [][]bool // nil without VerifyID
	qrX   float64
	qrY   float64
	qrW   float64
	// qrQuiet is the clear space kept around the code.
	qrQuiet float64
}

type textLine struct {
	text       string
	x, y, size float64
}

func (s *Stamper) layout(info PageInfo) (stampLayout, error) {
	lay := stampLayout{w: stampW, h: stampH}
	textW := stampW - 2*stampPad
	if info.VerifyID != "" {
		qr, err := qrModules(info.VerifyID)
		if err != nil {
			return lay, err
		}
		// Leave the four-module quiet zone scanners expect between the code and the
		// inner border, and between the code and the text.
		n := float64(len(qr))
		lay.qr = qr
		lay.qrW = (stampH - 2*borderInner) / (1 + 2*qrQuietModules/n)
		quiet := qrQuietModules * lay.qrW / n
		lay.qrX = stampW - borderInner - quiet - lay.qrW
		lay.qrY = borderInner + quiet
		lay.qrQuiet = quiet
		textW = lay.qrX - quiet - stampPad
	}
	date := info.Date
	if date.IsZero() {
		date = time.Now()
	}
	hall := s.hall
	if hall == "" {
		hall = "政务服务中心"
	}
	type spec struct {
		text string
		size float64
	}
	specs := []spec{
		{hall, 11},
		{"受理号 " + orDash(info.CaseNo), 7.5},
		{"受理日期 " + date.Format("2006-01-02"), 7.5},
		{"受理窗口 " + orDash(info.Station), 7.5},
	}
	baselines := []float64{stampH - stampPad - 10.5, stampH - 37, stampH - 50, stampH - 63}
	for i, sp := range specs {
		size := sp.size
		w, err := s.font.width(sp.text, size)
		if err != nil {
			return lay, err
		}
		if w > textW {
			size *= textW / w
			w = textW
		}
		x := stampPad
		if i == 0 {
			x = stampPad + (textW-w)/2 // the hall name is centred like a seal's legend
		}
		lay.lines = append(lay.lines, textLine{sp.text, x, baselines[i], size})
	}
	return lay, nil
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// drawStamp draws the layout into box (whose size is the layout's times scale).
func (s *Stamper) drawStamp(c *canvas, lay stampLayout, box Rect, scale float64) error {
	c.printf("q %s 0 0 %s %s %s cm\n", num(scale), num(scale), num(box.X0), num(box.Y0))
	c.printf("%s RG %s rg\n", stampRed, stampRed)
	// Double border: a heavy rounded outer line and a thin inner one, like a seal.
	c.printf("1.8 w\n")
	roundedRect(c, 0.9, 0.9, lay.w-1.8, lay.h-1.8, 6)
	c.printf("S\n0.6 w\n")
	roundedRect(c, 3.6, 3.6, lay.w-7.2, lay.h-7.2, 4)
	c.printf("S\n")
	ruleY := lay.lines[0].y - 5
	ruleX1 := lay.w - stampPad
	if lay.qr != nil {
		ruleX1 = lay.qrX - lay.qrQuiet
	}
	c.printf("0.5 w %s %s m %s %s l S\n", num(stampPad), num(ruleY), num(ruleX1), num(ruleY))
	for _, l := range lay.lines {
		if err := s.font.draw(c, l.text, l.x, l.y, l.size); err != nil {
			return err
		}
	}
	if lay.qr != nil {
		c.printf("0 0 0 rg\n")
		drawQR(c, lay.qr, lay.qrX, lay.qrY, lay.qrW)
	}
	c.printf("Q\n")
	return nil
}

// roundedRect appends a closed rounded rectangle path (Bézier quarter circles).
func roundedRect(c *canvas, x, y, w, h, r float64) {
	const k = 0.5523 // control distance for a quarter circle
	r = min(r, w/2, h/2)
	c.printf("%s %s m\n", num(x+r), num(y))
	c.printf("%s %s l\n", num(x+w-r), num(y))
	c.printf("%s %s %s %s %s %s c\n", num(x+w-r+k*r), num(y), num(x+w), num(y+r-k*r), num(x+w), num(y+r))
	c.printf("%s %s l\n", num(x+w), num(y+h-r))
	c.printf("%s %s %s %s %s %s c\n", num(x+w), num(y+h-r+k*r), num(x+w-r+k*r), num(y+h), num(x+w-r), num(y+h))
	c.printf("%s %s l\n", num(x+r), num(y+h))
	c.printf("%s %s %s %s %s %s c\n", num(x+r-k*r), num(y+h), num(x), num(y+h-r+k*r), num(x), num(y+h-r))
	c.printf("%s %s l\n", num(x), num(y+r))
	c.printf("%s %s %s %s %s %s c h\n", num(x), num(y+r-k*r), num(x+r-k*r), num(y), num(x+r), num(y))
}

// canvas collects content-stream operators.
type canvas struct{ buf []byte }

func (c *canvas) printf(format string, args ...any) {
	c.buf = fmt.Appendf(c.buf, format, args...)
}

func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}
