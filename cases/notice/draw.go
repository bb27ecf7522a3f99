package notice

import (
	"math"
	"onewindow/internal/qr"
	"time"

	"github.com/go-pdf/fpdf"
)

const fontName = "cjk"

// page starts a PDF with the font, a header (title, case number and its QR code) and a
// footer, on A4 in millimetres. Dates inside the file are the issue time, so one notice
// renders to the same bytes twice.
func (r *Renderer) page(orientation, title, caseNo string, issued time.Time) *fpdf.Fpdf {
	hall := r.hall
	p := newPDF(orientation, r.font, title, issued, pageLayout{margin: 25, top: 20, bottom: 22, footerY: -15},
		func(int) string { return hall + "　编号 " + caseNo })
	p.SetHeaderFunc(func() {
		w, _ := p.GetPageSize()
		const side = 22.0
		if caseNo != "" {
			drawQR(p, r.qrText(caseNo), w-20-side, 10, side)
			p.SetFont(fontName, "", 8)
			p.SetXY(w-20-side-10, 10+side+0.5)
			p.CellFormat(side+10, 4, caseNo, "", 0, "C", false, 0, "")
		}
		p.SetFont(fontName, "", 10)
		p.SetXY(20, 12)
		p.CellFormat(100, 5, hall, "", 0, "L", false, 0, "")
		p.SetXY(20, 18)
		p.CellFormat(100, 5, "编号："+caseNo, "", 0, "L", false, 0, "")
		p.SetY(40)
	})
	p.AddPage()
	p.SetFont(fontName, "", 20)
	p.CellFormat(0, 12, title, "", 1, "C", false, 0, "")
	p.Ln(6)
	return p
}

// paragraph writes text wrapped to the page width; CJK text has no spaces to break at, so
// lines break at any character whose addition would overflow.
func paragraph(p *fpdf.Fpdf, text string, lineH float64) {
	left, _, right, _ := p.GetMargins()
	w, _ := p.GetPageSize()
	width := w - left - right
	var line []rune
	flush := func(n int) {
		p.SetX(left)
		p.CellFormat(width, lineH, string(line[:n]), "", 1, "L", false, 0, "")
		line = append(line[:0], line[n:]...)
	}
	for _, r := range text {
		if len(line) > 0 && p.GetStringWidth(string(line)+string(r)) > width {
			// A case number or a date is not cut: its run moves to the next line whole.
			cut := len(line)
			for asciiWord(r) && cut > 0 && asciiWord(line[cut-1]) {
				cut--
			}
			if cut == 0 {
				cut = len(line)
			}
			flush(cut)
		}
		line = append(line, r)
	}
	flush(len(line))
}

func asciiWord(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_' || r == '.'
}

// drawQR draws s as a QR code (error correction M) in a side x side square at (x, y), top left.
func drawQR(p *fpdf.Fpdf, s string, x, y, side float64) {
	modules, err := qr.Modules(s)
	if err != nil {
		p.SetError(err)
		return
	}
	mod := side / float64(len(modules))
	p.SetFillColor(0, 0, 0)
	qr.Runs(modules, func(row, col, n int) {
		p.Rect(x+float64(col)*mod, y+float64(row)*mod, float64(n)*mod, mod, "F")
	})
}

// seal draws a round red seal centred at (cx, cy) with radius r: the hall's name along the
// top arc, a star, and the seal's purpose under it. Drawn semi-transparent so it never hides
// the text it covers, like ink.
func seal(p *fpdf.Fpdf, hall, purpose string, cx, cy, r float64) {
	p.SetAlpha(0.8, "Multiply")
	p.SetDrawColor(210, 20, 20)
	p.SetTextColor(210, 20, 20)
	p.SetFillColor(210, 20, 20)
	p.SetLineWidth(1.1)
	p.Circle(cx, cy, r, "D")
	// Star: five outer and five inner points.
	pts := make([]fpdf.PointType, 0, 10)
	for i := 0; i < 10; i++ {
		rad := r * 0.28
		if i%2 == 1 {
			rad *= 0.4
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		pts = append(pts, fpdf.PointType{X: cx + rad*math.Cos(a), Y: cy + rad*math.Sin(a)})
	}
	p.Polygon(pts, "F")
	chars := []rune(hall)
	const size = 13.0
	p.SetFont(fontName, "", size)
	span := math.Min(240, float64(len(chars))*24) * math.Pi / 180 // the arc the name covers
	ch := size * 0.3528                                           // character height in mm
	for i, c := range chars {
		theta := -span/2 + span*(float64(i)+0.5)/float64(len(chars))
		px := cx + (r-ch-1.2)*math.Sin(theta)
		py := cy - (r-ch-1.2)*math.Cos(theta)
		s := string(c)
		cw := p.GetStringWidth(s)
		p.TransformBegin()
		p.TransformRotate(-theta*180/math.Pi, px, py)
		p.Text(px-cw/2, py+ch/2, s)
		p.TransformEnd()
	}
	p.SetFont(fontName, "", 8)
	pw := p.GetStringWidth(purpose)
	p.Text(cx-pw/2, cy+r*0.55, purpose)
	p.SetAlpha(1, "Normal")
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.2)
}
