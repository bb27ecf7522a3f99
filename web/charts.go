package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"onewindow/internal/chart"
)

// Charts are drawn here as inline SVG, so that a hall's intranet page loads no script or
// library to show them; the figures are printed in a table under each chart as well. Colours
// come from app.css classes (the pages' CSP allows no inline style).

// series is one row of bars, in one colour class (c1, c2, ...).
type series struct {
	Name   string
	Values []float64
}

// chartSize is the drawing's user units; the SVG scales to its box's width.
const (
	chartW, chartH       = 720.0, 240.0
	padL, padB, padT     = 44.0, 36.0, 12.0
	maxXLabels           = 12
	chartFontSize        = 12
	horizontalRowHeight  = 28.0
	horizontalLabelWidth = 150.0
)

// barChart draws stacked vertical bars, one per label (a day), the series stacked in order.
func barChart(title string, labels []string, ss []series) template.HTML {
	var b strings.Builder
	vals := make([][]float64, len(ss))
	for k, s := range ss {
		vals[k] = s.Values
	}
	scale, ticks := chart.Scale(chart.StackTop(len(labels), vals...))
	plotW, plotH := chartW-padL-8, chartH-padB-padT
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s"><title>%s</title>`, chartW, chartH,
		template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	for _, t := range ticks {
		y := padT + plotH - t/scale*plotH
		fmt.Fprintf(&b, `<line class="grid" x1="%g" y1="%.1f" x2="%g" y2="%.1f"/><text class="tick" x="%g" y="%.1f" text-anchor="end" font-size="%d">%s</text>`,
			padL, y, chartW-8, y, padL-4, y+4, chartFontSize, num(t))
	}
	n := max(len(labels), 1)
	step := plotW / float64(n)
	barW := max(step*0.7, 1)
	every := (n + maxXLabels - 1) / maxXLabels
	for i, l := range labels {
		x := padL + float64(i)*step + (step-barW)/2
		y := padT + plotH
		for k, s := range ss {
			h := s.Values[i] / scale * plotH
			if h <= 0 {
				continue
			}
			y -= h
			fmt.Fprintf(&b, `<rect class="bar c%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s %s: %s</title></rect>`,
				k+1, x, y, barW, h, template.HTMLEscapeString(l), template.HTMLEscapeString(s.Name), num(s.Values[i]))
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%g" text-anchor="middle" font-size="%d">%s</text>`,
				x+barW/2, chartH-padB+16, chartFontSize, template.HTMLEscapeString(shortLabel(l)))
		}
	}
	b.WriteString(legend(ss))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built here from numbers and escaped labels
}

// hbarChart draws one horizontal bar per label; max is the scale's end (0: the largest value).
func hbarChart(title string, labels []string, values []float64, top float64, format func(float64) string) template.HTML {
	var b strings.Builder
	if top <= 0 {
		for _, v := range values {
			top = max(top, v)
		}
	}
	if top <= 0 {
		top = 1
	}
	h := float64(len(labels))*horizontalRowHeight + 8
	plotW := chartW - horizontalLabelWidth - 70
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s"><title>%s</title>`, chartW, h,
		template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	for i, l := range labels {
		y := 4 + float64(i)*horizontalRowHeight
		w := values[i] / top * plotW
		fmt.Fprintf(&b, `<text class="tick" x="%g" y="%.1f" text-anchor="end" font-size="%d">%s</text>`,
			horizontalLabelWidth-6, y+17, chartFontSize+1, template.HTMLEscapeString(l))
		fmt.Fprintf(&b, `<rect class="bar c%d" x="%g" y="%.1f" width="%.1f" height="%g"/>`, i%6+1, horizontalLabelWidth, y+3, max(w, 0), horizontalRowHeight-8)
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f" font-size="%d">%s</text>`,
			horizontalLabelWidth+max(w, 0)+6, y+17, chartFontSize+1, template.HTMLEscapeString(format(values[i])))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built here from numbers and escaped labels
}

func legend(ss []series) string {
	if len(ss) < 2 {
		return ""
	}
	var b strings.Builder
	x := padL
	for k, s := range ss {
		fmt.Fprintf(&b, `<rect class="bar c%d" x="%g" y="%g" width="12" height="12"/><text class="tick" x="%g" y="%g" font-size="%d">%s</text>`,
			k+1, x, chartH-14, x+16, chartH-3, chartFontSize, template.HTMLEscapeString(s.Name))
		x += 24 + float64(len([]rune(s.Name)))*chartFontSize
	}
	return b.String()
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// shortLabel shows a date as MM-DD under a bar.
func shortLabel(l string) string {
	if len(l) == len("2006-01-02") && l[4] == '-' {
		return l[5:]
	}
	return l
}
