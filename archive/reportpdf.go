package archive

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"

	"onewindow/internal/cjkfont"
	"onewindow/internal/errs"
)

// ReportPDF prints a four-properties report as a plain A4 PDF. Its text is set in a subset of
// the CJK TrueType face at fontPath ("" for Debian's wqy-zenhei, the notices' font too),
// embedded, so that the report prints the same on a reader without Chinese fonts and years
// from now, as an archive's report must.
func ReportPDF(rep *PropertiesReport, fontPath string) ([]byte, error) {
	font, err := cjkfont.Face(fontPath, 0)
	if err != nil {
		return nil, errs.E("archive.ReportPDF", errs.Internal, "font_missing", "The report font cannot be used.", err)
	}
	var lines []pdfLine
	add := func(size float64, s string) { lines = append(lines, pdfLine{size, s}) }
	add(14, "四性检测报告 Four-properties report (DA/T 70)")
	add(9, "Scope: "+rep.Scope+"    Generated: "+rep.GeneratedAt.UTC().Format(time.RFC3339))
	verdict := "PASS: no property failed"
	if !rep.OK {
		verdict = "FAIL: at least one property failed"
	}
	add(11, verdict)
	for _, p := range []string{Authenticity, Integrity, Usability, Security} {
		s := rep.Summary[p]
		add(9, fmt.Sprintf("  %-13s pass %d  warn %d  fail %d", p, s[Pass], s[Warn], s[Fail]))
	}
	add(9, "")
	for _, d := range rep.Documents {
		add(10, fmt.Sprintf("%s  %s  (%s, case %s, filed %s)", d.DocumentID, d.Title, d.Type, d.CaseNo, d.FiledAt.Format("2006-01-02")))
		add(9, fmt.Sprintf("  authenticity %s   integrity %s   usability %s   security %s",
			d.Properties[Authenticity], d.Properties[Integrity], d.Properties[Usability], d.Properties[Security]))
		for _, c := range d.Checks {
			if c.Status == Pass && c.Check != "retention" && c.Check != "signature" {
				continue
			}
			obj := c.Object
			if obj != "" {
				obj = " " + obj
			}
			add(8, fmt.Sprintf("  [%s] %s/%s%s: %s", c.Status, c.Property, c.Check, obj, c.Detail))
		}
		add(6, "")
	}
	return writeTextPDF(lines, font, rep.GeneratedAt)
}

type pdfLine struct {
	size float64
	text string
}

const reportFont = "cjk"

// writeTextPDF sets lines, wrapped to the page width, on as many A4 pages as they need.
func writeTextPDF(lines []pdfLine, font []byte, generated time.Time) ([]byte, error) {
	p := fpdf.New("P", "pt", "A4", "")
	// Dates inside the file are the report's, so one report renders to the same bytes twice.
	p.SetCreationDate(generated)
	p.SetModificationDate(generated)
	p.SetCatalogSort(true)
	p.SetTitle("四性检测报告 Four-properties report", true)
	p.SetCreator("onewindow", false)
	p.SetProducer("onewindow", false)
	p.AddUTF8FontFromBytes(reportFont, "", font)
	const margin = 40.0
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, margin)
	p.AddPage()
	for _, l := range lines {
		p.SetFont(reportFont, "", l.size)
		p.MultiCell(0, l.size*1.35, l.text, "", "L", false)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, errs.E("archive.ReportPDF", errs.Internal, "report_pdf", "The report PDF cannot be written.", err)
	}
	return buf.Bytes(), nil
}
