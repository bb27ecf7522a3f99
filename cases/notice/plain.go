package notice

import (
	"time"

	"github.com/go-pdf/fpdf"
)

// FontName is the name the embedded CJK face has inside the PDFs drawn through Plain.
const FontName = fontName

// Plain starts an A4 PDF in millimetres for the hall's other printed pages (the public
// guides, the management's report): the CJK face font embedded as FontName, title in the
// document's information, margins, and a grey footer line footer(page) says. Dated at (zero:
// undated), so one document renders to the same bytes twice.
func Plain(font []byte, title string, at time.Time, footer func(page int) string) *fpdf.Fpdf {
	return newPDF("P", font, title, at, pageLayout{margin: 18, top: 16, bottom: 18, footerY: -12}, footer)
}

// pageLayout is where a kind of page puts its text: side and top margins, the bottom margin
// where a page breaks, and the footer line's offset from the page's foot.
type pageLayout struct{ margin, top, bottom, footerY float64 }

// newPDF is the set-up every PDF this package draws shares: A4 in orientation, the CJK font,
// the document's information dated at (zero: the moment it is written), layout's margins and
// a grey footer line footer(page) says. A dated document renders to the same bytes twice.
func newPDF(orientation string, font []byte, title string, at time.Time, layout pageLayout, footer func(page int) string) *fpdf.Fpdf {
	p := fpdf.New(orientation, "mm", "A4", "")
	if !at.IsZero() {
		p.SetCreationDate(at)
		p.SetModificationDate(at)
	}
	p.SetCatalogSort(true)
	p.SetTitle(title, true)
	p.SetCreator("onewindow", false)
	p.SetProducer("onewindow", false)
	p.AddUTF8FontFromBytes(fontName, "", font)
	p.SetMargins(layout.margin, layout.top, layout.margin)
	p.SetAutoPageBreak(true, layout.bottom)
	p.SetFooterFunc(func() {
		p.SetY(layout.footerY)
		p.SetFont(fontName, "", 8)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(0, 5, footer(p.PageNo()), "", 0, "C", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	return p
}

// DrawQR draws s as a QR code in a side x side square at (x, y), top left, in units of p:
// the one way onewindow's PDFs (notices, the public guides) print a QR code.
func DrawQR(p *fpdf.Fpdf, s string, x, y, side float64) { drawQR(p, s, x, y, side) }
