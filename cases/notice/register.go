package notice

import (
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"onewindow/cases"
)

// RenderRegister renders the courier desk's daily register (收件登记簿): every mail item
// that arrived on day (any time of that day in the hall), where it went and who received it.
func (r *Renderer) RenderRegister(day time.Time, items []cases.MailItem) ([]byte, error) {
	day = r.clock.StartOfDay(day)
	id := "REG-" + day.Format("20060102")
	title := "物料流转窗口收件登记簿（" + chineseTime(r.clock, day) + "）"
	p := r.page("L", title, id, day)
	cols := []struct {
		head string
		w    float64
	}{{"序号", 12}, {"到件时间", 20}, {"快递公司", 24}, {"运单号", 38}, {"寄件人", 24}, {"件数", 12},
		{"外观", 14}, {"受理编号", 34}, {"去向", 28}, {"接收人", 20}, {"签收人", 20}}
	p.SetFont(fontName, "", 9)
	p.SetFillColor(235, 235, 235)
	for _, c := range cols {
		p.CellFormat(c.w, 8, c.head, "1", 0, "C", true, 0, "")
	}
	p.Ln(-1)
	for i, mi := range items {
		row := []string{strconv.Itoa(i + 1), r.clock.In(mi.ArrivedAt).Format("15:04"), cases.CarrierName(mi.Carrier), mi.Waybill, mi.Sender.Name,
			strconv.Itoa(mi.Pieces), conditionNames[mi.Condition], mi.CaseNo, mi.RoutedTo, mi.ReceivedBy, mi.SignedBy}
		for j, c := range cols {
			p.CellFormat(c.w, 7, fit(p, row[j], c.w-1.5), "1", 0, "C", false, 0, "")
		}
		p.Ln(-1)
	}
	p.Ln(4)
	p.SetFont(fontName, "", 10)
	p.CellFormat(0, 6, fmt.Sprintf("本日共签收 %d 件邮寄材料。", len(items)), "", 1, "L", false, 0, "")
	w, _ := p.GetPageSize()
	y := p.GetY() + 4
	if y > 160 {
		p.AddPage()
		y = p.GetY()
	}
	r.deskSeal(p, w-110, y, day)
	return output(p)
}

// fit shortens s with an ellipsis until it fits width.
func fit(p interface{ GetStringWidth(string) float64 }, s string, width float64) string {
	if p.GetStringWidth(s) <= width {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && p.GetStringWidth(string(rs)+"…") > width {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// RenderMailReceipt renders the courier desk's receipt (收件回执) for one mail item alone: it
// goes to the sender or into the envelope's file, so it never shows other senders' entries
// the way the day's register does.
func (r *Renderer) RenderMailReceipt(mi cases.MailItem) ([]byte, error) {
	at := r.clock.In(mi.ArrivedAt)
	p := r.page("P", "物料流转窗口收件回执", mi.ID, at)
	p.SetFont(fontName, "", 11)
	rows := [][2]string{{"收件编号", mi.ID}, {"到件时间", at.Format("2006-01-02 15:04")}, {"快递公司", cases.CarrierName(mi.Carrier)},
		{"运单号", mi.Waybill}, {"寄件人", mi.Sender.Name}, {"件数", strconv.Itoa(mi.Pieces)},
		{"外观", conditionNames[mi.Condition]}, {"受理编号", mi.CaseNo}, {"签收人", mi.SignedBy}}
	for _, row := range rows {
		p.CellFormat(40, 9, row[0], "1", 0, "C", false, 0, "")
		p.CellFormat(0, 9, fit(p, row[1], 130), "1", 1, "L", false, 0, "")
	}
	p.Ln(6)
	w, _ := p.GetPageSize()
	r.deskSeal(p, w-100, p.GetY(), at)
	return output(p)
}

// deskSeal signs a courier desk paper off at x, y: the hall, the date and the desk's seal.
func (r *Renderer) deskSeal(p *fpdf.Fpdf, x, y float64, day time.Time) {
	p.SetXY(x, y)
	p.CellFormat(80, 8, r.hall, "", 2, "C", false, 0, "")
	p.SetX(x)
	p.CellFormat(80, 8, chineseTime(r.clock, day), "", 2, "C", false, 0, "")
	seal(p, r.hall, "收件专用章", x+40, y+8, 20)
}
