package cases

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Calendar tells working days from days off: weekends, public holidays and the weekend days
// made working days. Dates are taken in the location of the times passed in.
type Calendar struct {
	Years    []int         `yaml:"years"`
	Holidays []HolidaySpan `yaml:"holidays"`
	Workdays []Workday     `yaml:"workdays"`

	off, on map[civil]string // holiday name by date; make-up working days
}

// HolidaySpan is a run of days off, both ends included.
type HolidaySpan struct {
	Name string `yaml:"name"`
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

// Workday is a weekend day made a working day.
type Workday struct {
	Date string `yaml:"date"`
	For  string `yaml:"for"`
}

// civil is a calendar date without a zone.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil { y, m, d := t.Date(); return civil{y, m, d} }

//go:embed calendar.yaml
var defaultCalendarYAML []byte

var defaultCalendar = sync.OnceValues(func() (*Calendar, error) {
	return LoadCalendar(bytes.NewReader(defaultCalendarYAML))
})

// DefaultCalendar returns the bundled calendar (China, 2026 and an estimate for 2027).
func DefaultCalendar() *Calendar {
	c, err := defaultCalendar()
	if err != nil {
		panic("cases: embedded calendar.yaml: " + err.Error())
	}
	return c
}

// LoadCalendar reads and validates a calendar file; a file it refuses yields a *yamlfile.Error.
func LoadCalendar(r io.Reader) (*Calendar, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read calendar: %w", err)
	}
	var c Calendar
	doc, err := calendarFile.Decode(data, &c)
	if err != nil {
		return nil, err
	}
	if err := c.validate(doc); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Calendar) validate(doc *yaml.Node) error {
	bad := func(line int, format string, args ...any) error {
		return calendarFile.Refuse(line, fmt.Sprintf(format, args...))
	}
	years := map[int]bool{}
	for i, y := range c.Years {
		if y < 2000 || y > 2100 {
			return bad(lineOf(doc, "years", i), "year %d out of range", y)
		}
		years[y] = true
	}
	parse := func(line int, s string) (civil, error) {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return civil{}, bad(line, "date %q is not YYYY-MM-DD", s)
		}
		if !years[t.Year()] {
			return civil{}, bad(line, "date %s is outside the years the file covers", s)
		}
		return civilOf(t), nil
	}
	c.off, c.on = map[civil]string{}, map[civil]string{}
	for i, h := range c.Holidays {
		line := lineOf(doc, "holidays", i)
		if h.Name == "" {
			return bad(line, "holiday without a name")
		}
		from, err := parse(line, h.From)
		if err != nil {
			return err
		}
		to, err := parse(line, h.To)
		if err != nil {
			return err
		}
		start, end := from.time(), to.time()
		if end.Before(start) || end.Sub(start) > 15*24*time.Hour {
			return bad(line, "holiday %s: %s to %s is not a span of at most 16 days", h.Name, h.From, h.To)
		}
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			if prev, dup := c.off[civilOf(d)]; dup {
				return bad(line, "%s is already a holiday (%s)", d.Format(time.DateOnly), prev)
			}
			c.off[civilOf(d)] = h.Name
		}
	}
	for i, w := range c.Workdays {
		line := lineOf(doc, "workdays", i)
		d, err := parse(line, w.Date)
		if err != nil {
			return err
		}
		if wd := d.time().Weekday(); wd != time.Saturday && wd != time.Sunday {
			return bad(line, "make-up working day %s is a %s, not a weekend day", w.Date, wd)
		}
		if name, clash := c.off[d]; clash {
			return bad(line, "make-up working day %s is also a holiday (%s)", w.Date, name)
		}
		c.on[d] = w.For
	}
	return nil
}

func (d civil) time() time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC) }

// IsWorkingDay reports whether t's date is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	d := civilOf(t)
	if _, ok := c.on[d]; ok {
		return true
	}
	if _, ok := c.off[d]; ok {
		return false
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Covers reports whether the file lists t's year; other years count weekends only.
func (c *Calendar) Covers(t time.Time) bool { return slices.Contains(c.Years, t.Year()) }

// Holiday names the public holiday t's date falls in, empty if none.
func (c *Calendar) Holiday(t time.Time) string { return c.off[civilOf(t)] }

// AddWorkingDays returns the date (midnight, in from's location) n working days after from's
// date; from's own day is not counted, as a time limit starts the day after acceptance.
// n = 0 gives from's date, or the next working day when from's date is a day off.
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, from.Location())
	if n <= 0 {
		for !c.IsWorkingDay(d) {
			d = d.AddDate(0, 0, 1)
		}
		return d
	}
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts the working days after a's date up to and including b's date;
// negative when b is before a. AddWorkingDays(a, n) is n working days after a.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	sign := 1
	if civilOf(b).time().Before(civilOf(a).time()) {
		a, b, sign = b, a, -1
	}
	d := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, a.Location())
	end := civilOf(b)
	n := 0
	for civilOf(d) != end {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return sign * n
}
