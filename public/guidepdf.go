package public

import (
	"bytes"
	"cmp"
	"net/http"
	"strconv"
	"strings"
	"time"

	"onewindow/cases/notice"
	"onewindow/internal/cjkfont"
)

const guideFont = notice.FontName

// guidePDF answers a guide as an A4 PDF to print and hang by the window: the same sections
// as the page, with the QR code of the page's address, the text in the embedded CJK face so
// it prints the same anywhere.
func (s *Service) guidePDF(w http.ResponseWriter, r *http.Request, v guideView) {
	data, err := s.renderGuidePDF(v)
	if err != nil {
		s.o.Log.ErrorContext(r.Context(), "guide PDF not drawn", "matter", v.Matter.Code, "err", err)
		s.renderError(w, http.StatusInternalServerError, "打印版生成失败", "请稍后再试，或打印网页版办事指南。")
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="guide-`+v.Matter.Code+`.pdf"`)
	_, _ = w.Write(data)
}

func (s *Service) renderGuidePDF(v guideView) ([]byte, error) {
	font, err := cjkfont.Face(s.o.FontPath, 0)
	if err != nil {
		return nil, err
	}
	title := v.Matter.Name + " 办事指南"
	p := notice.Plain(font, title, time.Time{}, func(page int) string {
		return v.Hall.Name + "　" + v.URL + "　第 " + strconv.Itoa(page) + " 页"
	})
	p.AddPage()
	pageW, _ := p.GetPageSize()
	const side = 32.0
	notice.DrawQR(p, v.URL, pageW-20-side, 16, side)
	p.SetFont(guideFont, "", 7)
	p.SetXY(pageW-20-side-6, 16+side+0.5)
	p.CellFormat(side+6, 4, "扫码查看本指南", "", 0, "C", false, 0, "")
	p.SetXY(20, 20)
	p.SetFont(guideFont, "", 10)
	p.CellFormat(110, 6, v.Hall.Name, "", 1, "L", false, 0, "")
	p.SetFont(guideFont, "", 18)
	p.MultiCell(pageW-40-side-6, 10, title, "", "L", false)
	p.SetFont(guideFont, "", 10)
	p.CellFormat(110, 6, "事项编码："+v.Matter.Code, "", 1, "L", false, 0, "")
	p.SetY(max(p.GetY(), 16+side+8))

	section := func(h string) {
		p.Ln(2)
		p.SetFont(guideFont, "", 12)
		p.CellFormat(0, 8, h, "B", 1, "L", false, 0, "")
		p.Ln(1)
		p.SetFont(guideFont, "", 10)
	}
	line := func(s string) { p.MultiCell(0, 6, s, "", "L", false) }

	section("申请材料")
	for i, m := range v.Materials {
		tags := []string{m.TypeName, strconv.Itoa(m.Count) + " 份"}
		if m.Paper != "" {
			tags = append(tags, m.Paper)
		}
		if m.Required {
			tags = append(tags, "必需")
		} else {
			tags = append(tags, "视情况提交")
		}
		if m.Deferrable {
			tags = append(tags, "可容缺：受理后 "+strconv.Itoa(m.DeferDays)+" 个工作日内补交")
		}
		line(strconv.Itoa(i+1) + ". " + m.Name + "（" + strings.Join(tags, "，") + "）")
	}
	if len(v.Guide.Conditions) > 0 {
		section("受理条件")
		for _, c := range v.Guide.Conditions {
			line("· " + c)
		}
	}
	section("办理须知")
	limit := "即来即办"
	if v.Matter.TimeLimitDays > 0 {
		limit = "受理后 " + strconv.Itoa(v.Matter.TimeLimitDays) + " 个工作日"
	}
	for _, f := range [][2]string{{"承诺时限", limit}, {"办理部门", strings.Join(v.Departments, "、")},
		{"收费标准", cmp.Or(v.Guide.Fees, "不收费")}, {"办理地点", v.Guide.Place}, {"办理时间", v.Guide.Hours}, {"咨询电话", v.Guide.Phone}} {
		if f[1] != "" {
			line(f[0] + "：" + f[1])
		}
	}
	if len(v.Guide.LegalBasis) > 0 {
		section("设定依据")
		for _, l := range v.Guide.LegalBasis {
			line("· " + l)
		}
	}
	if len(v.Matter.Refusals) > 0 {
		section("不予受理的情形")
		for _, rf := range v.Matter.Refusals {
			line("· " + rf.Reason + "（" + rf.LegalBasis + "）")
		}
	}
	if len(v.Guide.Forms) > 0 {
		section("表格下载（空白表和样表）")
		for _, f := range v.Guide.Forms {
			line("· " + f.Name + "：" + f.Href)
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
