package cases

import (
	"errors"
	"strings"
	"testing"
	"time"

	"onewindow/internal/clock"
	"onewindow/internal/yamlfile"
)

func TestAddWorkingDays(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-02", 0, "2026-03-02"}, // a Monday
		{"2026-03-07", 0, "2026-03-09"}, // Saturday: the next working day
		{"2026-03-06", 1, "2026-03-09"}, // Friday + 1 skips the weekend
		{"2026-03-02", 5, "2026-03-09"}, // a plain week
		{"2026-09-30", 1, "2026-10-08"}, // National Day
		{"2026-09-18", 1, "2026-09-20"}, // Sunday 20 September is a make-up working day
		{"2026-02-13", 1, "2026-02-14"}, // Saturday 14 February is a make-up working day
		{"2026-02-13", 2, "2026-02-24"}, // then the Spring Festival
		{"2026-12-31", 1, "2027-01-04"}, // New Year 2027 (estimate)
		{"2025-12-31", 1, "2026-01-04"}, // a make-up Sunday straight after New Year 2026
		{"2028-03-03", 1, "2028-03-06"}, // outside the file: weekends only
	}
	for _, tt := range tests {
		got := cal.AddWorkingDays(day(tt.from), tt.n).Format(time.DateOnly)
		if got != tt.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
		if tt.n > 0 {
			if back := cal.WorkingDaysBetween(day(tt.from), day(tt.want)); back != tt.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.from, tt.want, back, tt.n)
			}
			if back := cal.WorkingDaysBetween(day(tt.want), day(tt.from)); back != -tt.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.want, tt.from, back, -tt.n)
			}
		}
	}
	if !cal.Covers(day("2027-12-31")) || cal.Covers(day("2028-01-01")) {
		t.Error("Covers disagrees with the file's years")
	}
	if h := cal.Holiday(day("2026-10-05")); h != "国庆节" {
		t.Errorf("Holiday(2026-10-05) = %q", h)
	}
	// A zone east of UTC: the date is the hall's, not UTC's.
	cst := clock.Clock{}.Location() // the hall's zone
	late := time.Date(2026, 9, 30, 23, 30, 0, 0, cst)
	if got := cal.AddWorkingDays(late, 1); got.Format(time.DateOnly) != "2026-10-08" || got.Location() != cst {
		t.Errorf("AddWorkingDays in CST = %v", got)
	}
}

func TestWorkingDays2026Count(t *testing.T) {
	// 2026: 261 weekdays, 19 of them holidays, plus 6 make-up weekend days.
	cal := DefaultCalendar()
	if n := cal.WorkingDaysBetween(day("2025-12-31"), day("2026-12-31")); n != 248 {
		t.Errorf("2026 has %d working days, want 248", n)
	}
}

func TestLoadCalendarRefuses(t *testing.T) {
	tests := []struct {
		name, yaml string
		line       int
		reason     string
	}{
		{"bad date", "years: [2026]\nholidays:\n  - {name: x, from: 2026-13-01, to: 2026-13-02}\n", 3, "not YYYY-MM-DD"},
		{"outside years", "years: [2026]\nholidays:\n  - {name: x, from: 2027-01-01, to: 2027-01-02}\n", 3, "outside the years"},
		{"reversed", "years: [2026]\nholidays:\n  - {name: x, from: 2026-01-05, to: 2026-01-02}\n", 3, "not a span"},
		{"overlap", "years: [2026]\nholidays:\n  - {name: a, from: 2026-01-01, to: 2026-01-03}\n  - {name: b, from: 2026-01-03, to: 2026-01-04}\n", 4, "already a holiday"},
		{"weekday workday", "years: [2026]\nworkdays:\n  - {date: 2026-01-05, for: x}\n", 3, "not a weekend day"},
		{"unknown field", "years: [2026]\nholiday: []\n", 2, "field holiday is not a known setting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCalendar(strings.NewReader(tt.yaml))
			var le *yamlfile.Error
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want *yamlfile.Error", err)
			}
			if le.Line != tt.line || !strings.Contains(le.Reason, tt.reason) {
				t.Errorf("got line %d %q, want line %d with %q", le.Line, le.Reason, tt.line, tt.reason)
			}
		})
	}
}
