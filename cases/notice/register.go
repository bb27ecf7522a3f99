package notice

import (
	"fmt"
	"strconv"
	"time"

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
		row := []string{strconv.Itoa(i + 1), r.clock.In(mi.ArrivedAt).Format("15:04"), carrierNames[mi.Carrier], mi.Waybill, mi.Sender.Name,
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
	p.SetXY(w-110, y)
	p.CellFormat(80, 8, r.hall, "", 2, "C", false, 0, "")
	p.SetX(w - 110)
	p.CellFormat(80, 8, chineseTime(r.clock, day), "", 2, "C", false, 0, "")
	seal(p, r.hall, "收件专用章", w-70, y+8, 20)
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
