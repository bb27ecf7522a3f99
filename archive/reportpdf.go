package archive

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// ReportPDF prints a four-properties report as a plain A4 PDF. The text uses the standard
// Chinese font STSong-Light through the predefined UniGB-UCS2-H CMap, which every conforming
// reader resolves (poppler maps it to an installed CJK font), so nothing is embedded and
// Chinese titles print as they are.
func ReportPDF(rep *PropertiesReport) ([]byte, error) {
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
			if c.Status == Pass && c.Check != "retention" {
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
	return writeTextPDF(lines), nil
}

type pdfLine struct {
	size float64
	text string
}

const (
	pageW, pageH = 595.0, 842.0
	margin       = 40.0
)

// runeWidth is the advance of r in ems: Latin half-width, CJK full-width.
func runeWidth(r rune) float64 {
	if r < 0x2E80 {
		return 0.5
	}
	return 1
}

// wrap breaks s so each line fits width points at size.
func wrap(s string, size, width float64) []string {
	var out []string
	var cur []rune
	w := 0.0
	for _, r := range s {
		rw := runeWidth(r) * size
		if w+rw > width && len(cur) > 0 {
			out = append(out, string(cur))
			cur, w = []rune("    "), 4*0.5*size
		}
		cur = append(cur, r)
		w += rw
	}
	return append(out, string(cur))
}

func writeTextPDF(lines []pdfLine) []byte {
	var pages []string
	var content strings.Builder
	y := pageH - margin
	flush := func() {
		pages = append(pages, content.String())
		content.Reset()
		y = pageH - margin
	}
	for _, l := range lines {
		for _, part := range wrap(l.text, l.size, pageW-2*margin) {
			lead := l.size * 1.35
			if y-lead < margin {
				flush()
			}
			y -= lead
			fmt.Fprintf(&content, "BT /F1 %.1f Tf %.1f %.1f Td <%s> Tj ET\n", l.size, margin, y, ucs2Hex(part))
		}
	}
	if content.Len() > 0 || len(pages) == 0 {
		flush()
	}
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 6+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	obj("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>")
	obj("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>")
	obj("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
	for i, c := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.0f %.0f] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>",
			pageW, pageH, 7+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(c), c))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// ucs2Hex encodes s as UCS-2 big-endian hex; characters beyond the BMP print as "?".
func ucs2Hex(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r = '?'
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}
