package stats

import (
	"bytes"
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"onewindow/cases/notice"
	"onewindow/internal/chart"
	"onewindow/internal/cjkfont"
	"onewindow/internal/errs"
	"onewindow/internal/tasks"
)

// pdfFont is the name the report's embedded CJK face goes by inside the file.
const pdfFont = notice.FontName

// bar colours, in the order of the manager page's c1, c2, ... classes.
var barColours = [][3]int{{37, 99, 235}, {234, 88, 12}, {22, 163, 74}, {147, 51, 234}, {219, 39, 119}, {100, 116, 139}}

// PDF prints the report as an A4 monthly report for the management: the totals as a table,
// then the same charts the manager page draws (intake per day, decisions, departments on
// time, ratings), drawn as vectors with their numbers beside them. The text is set in the
// CJK face at fontPath ("" for the notices' default), embedded, so it prints the same on a
// reader without Chinese fonts. generated dates the file, so one report prints to the same
// bytes twice.
func (r *Report) PDF(hall, fontPath string, generated time.Time) ([]byte, error) {
	const op = "stats.PDF"
	font, err := cjkfont.Face(fontPath, 0)
	if err != nil {
		return nil, errs.E(op, errs.Internal, "font_missing", "The report font cannot be used.", err)
	}
	title := "政务服务统计报告"
	if hall != "" {
		title = hall + " " + title
	}
	p := notice.Plain(font, title, generated, func(page int) string {
		return fmt.Sprintf("%s　%s 至 %s　第 %d 页", hall, r.From, r.To, page)
	})
	p.AddPage()
	p.SetFont(pdfFont, "", 17)
	p.CellFormat(0, 10, title, "", 1, "C", false, 0, "")
	p.SetFont(pdfFont, "", 10)
	p.CellFormat(0, 6, "统计期间："+r.From+" 至 "+r.To+"　生成时间："+generated.Format("2006-01-02 15:04"), "", 1, "C", false, 0, "")
	p.Ln(3)

	heading(p, "主要数据")
	table(p, r.totals())

	heading(p, "每日受理量（件）")
	days := make([]string, len(r.Intake))
	counter, mail := make([]float64, len(r.Intake)), make([]float64, len(r.Intake))
	for i, d := range r.Intake {
		days[i], counter[i], mail[i] = d.Date, float64(d.Counter), float64(d.Mail)
	}
	pdfBars(p, days, []pdfSeries{{"窗口", counter}, {"邮寄", mail}})

	heading(p, "每日数字化页数（页）")
	pages := make([]float64, len(r.Intake))
	for i, d := range r.Intake {
		pages[i] = float64(d.Pages)
	}
	pdfBars(p, days, []pdfSeries{{"页数", pages}})

	heading(p, "办理决定（件）")
	var names []string
	var vals []float64
	for _, d := range decisionOrder {
		names, vals = append(names, decisionNames[d]), append(vals, float64(r.Decisions[d]))
	}
	pdfHBars(p, names, vals, 0, itoa)

	if len(r.Departments) > 0 {
		heading(p, "部门按时办结率")
		names, vals = nil, nil
		for _, d := range r.Departments {
			names, vals = append(names, d.Name), append(vals, d.OnTimeRate*100)
		}
		pdfHBars(p, names, vals, 100, func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) + "%" })
		rows := [][2]string{}
		for _, d := range r.Departments {
			rows = append(rows, [2]string{d.Name, fmt.Sprintf("应办结 %d，按时 %d，逾期 %d，超期未办 %d，平均 %s 个工作日",
				d.Due, d.OnTime, d.Late, d.Overdue, strconv.FormatFloat(d.MeanWorkingDays, 'f', -1, 64))})
		}
		table(p, rows)
	}

	heading(p, "评价分布（件）")
	names, vals = nil, nil
	for i, n := range r.Ratings.ByScore {
		names, vals = append(names, strconv.Itoa(i+1)+" 星"), append(vals, float64(n))
	}
	pdfHBars(p, names, vals, 0, itoa)

	if len(r.ByMatter) > 0 {
		heading(p, "各事项受理量")
		rows := [][2]string{}
		for _, c := range r.ByMatter {
			rows = append(rows, [2]string{c.Key + " " + c.Name, strconv.Itoa(c.Count)})
		}
		table(p, rows)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, errs.E(op, errs.Internal, "", "", err)
	}
	return buf.Bytes(), nil
}

// decisionOrder is the order the decisions are shown in, as on the manager page.
var decisionOrder = []string{"accept", "accept_with_deficiencies", "correction_required", "reject"}

func itoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// totals are the report's key figures as (name, value) rows, in the hall's words.
func (r *Report) totals() [][2]string {
	n := strconv.Itoa
	pct := func(f float64) string { return strconv.FormatFloat(f*100, 'f', -1, 64) + "%" }
	rows := [][2]string{
		{"新收办件", n(r.CasesOpened)},
	}
	for _, d := range decisionOrder {
		rows = append(rows, [2]string{"决定：" + decisionNames[d], n(r.Decisions[d])})
	}
	rows = append(rows,
		[2]string{"一次办结（首次即受理）", fmt.Sprintf("%d / %d（%s）", r.AcceptedFirstVisit, r.Decided, pct(r.FirstVisitShare))},
		[2]string{"容缺材料按时补齐", fmt.Sprintf("%d / %d（逾期 %d，尚欠 %d）", r.Deferred.OnTime, r.Deferred.Due, r.Deferred.Late, r.Deferred.Owed)},
		[2]string{"超期未办结", n(r.Overdue)},
		[2]string{"两个工作日内到期", n(r.DueSoon)},
		[2]string{"数字化页数", n(r.PagesDigitised)},
		[2]string{"待处理任务（生成报告时）", backlogText(r.Backlog)},
		[2]string{"评价数", n(r.Ratings.Count)},
		[2]string{"平均评分", strconv.FormatFloat(r.Ratings.Mean, 'f', -1, 64)},
		[2]string{"差评及回访", fmt.Sprintf("差评 %d，待回访 %d，逾期 %d", r.Ratings.Low, r.Ratings.FollowUpsOpen, r.Ratings.FollowUpsLate)},
	)
	return rows
}

// queueWords name the queues as the hall says them.
var queueWords = map[string]string{tasks.QueueCritical: "批次与办件任务", tasks.QueuePages: "逐页识别"}

// backlogText says what the queues held when the report was made.
func backlogText(b *Backlog) string {
	if b == nil {
		return "未读取"
	}
	parts := make([]string, 0, len(b.Queues))
	for _, q := range b.Queues {
		parts = append(parts, fmt.Sprintf("%s %d", cmp.Or(queueWords[q.Queue], q.Queue), q.Pending+q.Active+q.Scheduled+q.Retry))
	}
	return fmt.Sprintf("%d（%s）", b.Total, strings.Join(parts, "，"))
}

func heading(p *fpdf.Fpdf, s string) {
	if _, h := p.GetPageSize(); p.GetY() > h-70 {
		p.AddPage()
	}
	p.Ln(3)
	p.SetFont(pdfFont, "", 12)
	p.CellFormat(0, 8, s, "B", 1, "L", false, 0, "")
	p.Ln(2)
}

// table prints (name, value) rows in two bordered columns.
func table(p *fpdf.Fpdf, rows [][2]string) {
	left, _, right, _ := p.GetMargins()
	w, _ := p.GetPageSize()
	width := w - left - right
	p.SetFont(pdfFont, "", 10)
	for _, row := range rows {
		p.SetX(left)
		p.CellFormat(width*0.38, 7, row[0], "1", 0, "L", false, 0, "")
		p.CellFormat(width*0.62, 7, row[1], "1", 1, "L", false, 0, "")
	}
}

type pdfSeries struct {
	Name   string
	Values []float64
}

// pdfBars draws stacked vertical bars, one per label (a day), with a scale and a legend.
func pdfBars(p *fpdf.Fpdf, labels []string, ss []pdfSeries) {
	left, _, right, _ := p.GetMargins()
	w, _ := p.GetPageSize()
	const height, axis = 55.0, 12.0
	x0, y0 := left+axis, p.GetY()
	plotW, plotH := w-left-right-axis, height-10
	vals := make([][]float64, len(ss))
	for k, s := range ss {
		vals[k] = s.Values
	}
	end, ticks := chart.Scale(chart.StackTop(len(labels), vals...))
	p.SetFont(pdfFont, "", 7)
	p.SetDrawColor(200, 200, 200)
	for _, t := range ticks {
		y := y0 + plotH - t/end*plotH
		p.Line(x0, y, x0+plotW, y)
		p.SetXY(left, y-2)
		p.CellFormat(axis-1, 4, itoa(t), "", 0, "R", false, 0, "")
	}
	n := max(len(labels), 1)
	slot := plotW / float64(n)
	every := (n + 11) / 12
	for i, l := range labels {
		x := x0 + float64(i)*slot + slot*0.15
		y := y0 + plotH
		for k, s := range ss {
			h := s.Values[i] / end * plotH
			if h <= 0 {
				continue
			}
			c := barColours[k%len(barColours)]
			p.SetFillColor(c[0], c[1], c[2])
			y -= h
			p.Rect(x, y, slot*0.7, h, "F")
		}
		if i%every == 0 {
			p.SetXY(x-4, y0+plotH+0.5)
			p.CellFormat(slot*0.7+8, 4, shortDay(l), "", 0, "C", false, 0, "")
		}
	}
	lx := x0
	for k, s := range ss {
		c := barColours[k%len(barColours)]
		p.SetFillColor(c[0], c[1], c[2])
		p.Rect(lx, y0+plotH+6, 3, 3, "F")
		p.SetXY(lx+4, y0+plotH+5.5)
		p.CellFormat(20, 4, s.Name, "", 0, "L", false, 0, "")
		lx += 26
	}
	p.SetDrawColor(0, 0, 0)
	p.SetY(y0 + height + 2)
}

// pdfHBars draws one horizontal bar per label, its value printed after it; top is the
// scale's end (0: the largest value).
func pdfHBars(p *fpdf.Fpdf, labels []string, values []float64, top float64, format func(float64) string) {
	left, _, right, _ := p.GetMargins()
	w, _ := p.GetPageSize()
	const row, labelW = 7.0, 42.0
	if top <= 0 {
		for _, v := range values {
			top = max(top, v)
		}
	}
	if top <= 0 {
		top = 1
	}
	plotW := w - left - right - labelW - 22
	p.SetFont(pdfFont, "", 9)
	for i, l := range labels {
		y := p.GetY()
		p.SetX(left)
		p.CellFormat(labelW-2, row, l, "", 0, "R", false, 0, "")
		bw := max(values[i], 0) / top * plotW
		c := barColours[i%len(barColours)]
		p.SetFillColor(c[0], c[1], c[2])
		if bw > 0 {
			p.Rect(left+labelW, y+1, bw, row-2, "F")
		}
		p.SetXY(left+labelW+bw+1.5, y)
		p.CellFormat(20, row, format(values[i]), "", 1, "L", false, 0, "")
	}
	p.Ln(2)
}

// shortDay shows a date as MM-DD under a bar.
func shortDay(d string) string {
	if len(d) == len(time.DateOnly) {
		return d[5:]
	}
	return d
}
