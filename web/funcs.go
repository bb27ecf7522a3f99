package web

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
	"time"

	"onewindow/internal/clock"
)

// funcs are the pages' template functions; times are shown as the hall's clock tells them.
func funcs(hall clock.Clock) template.FuncMap {
	return template.FuncMap{
		"highlight": highlight,
		"pct":       func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" },
		"pages":     humanPages,
		"join":      strings.Join,
		"add":       func(a, b int) int { return a + b },
		"when":      func(v any) string { return when(hall, v) },
	}
}

// highlight renders a search snippet whose matches the index wrapped in <mark>: everything
// else is text (the index escaped it; it is unescaped and escaped again here so that nothing
// but the mark tags can reach the page).
func highlight(s string) template.HTML {
	var b strings.Builder
	open := false
	for s != "" {
		i := strings.Index(s, "<")
		if i < 0 {
			b.WriteString(template.HTMLEscapeString(html.UnescapeString(s)))
			break
		}
		b.WriteString(template.HTMLEscapeString(html.UnescapeString(s[:i])))
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "<mark>") && !open:
			b.WriteString("<mark>")
			s, open = s[len("<mark>"):], true
		case strings.HasPrefix(s, "</mark>") && open:
			b.WriteString("</mark>")
			s, open = s[len("</mark>"):], false
		default:
			b.WriteString("&lt;")
			s = s[1:]
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// humanPages shows 0-based upload positions as the 1-based page numbers a clerk counts.
func humanPages(ps []int) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = strconv.Itoa(p + 1)
	}
	return strings.Join(parts, ", ")
}

// when shows an RFC 3339 time (as the API answers) in the hall's time, minutes only.
func when(hall clock.Clock, v any) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return hall.Minutes(t)
	case string:
		if p, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return hall.Minutes(p)
		}
		return t
	case nil:
		return ""
	default:
		return fmt.Sprint(t)
	}
}

// parsePageList reads "1, 2, 5-7" (1-based, as shown) into 0-based upload positions.
func parsePageList(s string) ([]int, bool) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' }) {
		lo, hi, isRange := strings.Cut(f, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 1 {
			return nil, false
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b-a > 10000 {
				return nil, false
			}
		}
		for p := a; p <= b; p++ {
			out = append(out, p-1)
		}
	}
	return out, true
}
