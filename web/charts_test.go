package web

import (
	"strings"
	"testing"
)

// A chart is SVG with one bar a value and the label escaped; nothing in it is a style or a
// script the pages' CSP would refuse.
func TestCharts(t *testing.T) {
	svg := string(barChart("每日<收件>", []string{"2026-03-01", "2026-03-02"}, []series{{"窗口", []float64{2, 0}}, {"邮寄", []float64{1, 3}}}))
	if n := strings.Count(svg, `<rect class="bar`); n != 3+2 { // three non-zero values, two legend keys
		t.Errorf("%d bars:\n%s", n, svg)
	}
	if !strings.Contains(svg, "每日&lt;收件&gt;") || strings.Contains(svg, "style=") || !strings.Contains(svg, ">03-02<") {
		t.Errorf("bar chart:\n%s", svg)
	}
	h := string(hbarChart("部门", []string{"税务局", "公安局"}, []float64{100, 50}, 100, func(f float64) string { return num(f) + "%" }))
	if strings.Count(h, `<rect class="bar`) != 2 || !strings.Contains(h, ">50%<") || !strings.Contains(h, `width="500.0"`) {
		t.Errorf("horizontal chart:\n%s", h)
	}
}
