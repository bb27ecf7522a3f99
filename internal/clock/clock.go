// Package clock is the hall's clock: what time it is and which day it is where the hall
// works. Case numbers, due dates, overdue judgements, notices, registers, reports and every
// time a page shows ask it, so that a server kept on UTC never moves a hall's day.
package clock

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // the hall's zone resolves on a machine without the zone database
)

// DefaultZone is the hall's zone when none is configured: halls in mainland China keep
// Beijing time, whatever zone their servers keep.
const DefaultZone = "Asia/Shanghai"

var defaultLocation = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(DefaultZone)
	if err != nil { // cannot happen: the zone database is built in
		panic(err)
	}
	return loc
})

// Clock tells the hall's time. The zero value is the system's clock in DefaultZone; tests
// build one with New and a fixed now. It is a small value: pass it by value.
type Clock struct {
	loc *time.Location
	now func() time.Time
}

// New is a clock in loc (nil: DefaultZone) reading now (nil: time.Now).
func New(loc *time.Location, now func() time.Time) Clock {
	return Clock{loc: loc, now: now}
}

// Load is the system's clock in the IANA zone named (empty: DefaultZone).
func Load(zone string) (Clock, error) {
	if zone == "" {
		return Clock{}, nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return Clock{}, fmt.Errorf("time zone %q is not an IANA time zone (e.g. %s)", zone, DefaultZone)
	}
	return Clock{loc: loc}, nil
}

// Fixed is a clock that always reads t, in loc (nil: DefaultZone): for tests.
func Fixed(loc *time.Location, t time.Time) Clock {
	return Clock{loc: loc, now: func() time.Time { return t }}
}

// Location is the hall's zone.
func (c Clock) Location() *time.Location {
	if c.loc == nil {
		return defaultLocation()
	}
	return c.loc
}

// Now is the current time in the hall's zone.
func (c Clock) Now() time.Time {
	if c.now == nil {
		return time.Now().In(c.Location())
	}
	return c.now().In(c.Location())
}

// In is t as the hall's clocks showed it.
func (c Clock) In(t time.Time) time.Time { return t.In(c.Location()) }

// Today is the start (midnight) of the hall's current day.
func (c Clock) Today() time.Time { return c.StartOfDay(c.Now()) }

// StartOfDay is the midnight that starts t's day in the hall.
func (c Clock) StartOfDay(t time.Time) time.Time {
	t = c.In(t)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// Date is t's day in the hall as YYYY-MM-DD, the form due dates are kept in; comparing it
// with a due date tells whether the date has passed.
func (c Clock) Date(t time.Time) string { return c.In(t).Format(time.DateOnly) }

// ParseDate reads a YYYY-MM-DD day of the hall as its midnight.
func (c Clock) ParseDate(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, s, c.Location())
}

// Minutes shows t in the hall's time to the minute, as pages and the verification page do.
func (c Clock) Minutes(t time.Time) string { return c.In(t).Format("2006-01-02 15:04") }

// ZoneLabel names the hall's zone at t for people: 北京时间 for China's UTC+8, else the zone's
// IANA name.
func (c Clock) ZoneLabel(t time.Time) string {
	if _, off := c.In(t).Zone(); off == 8*3600 {
		return "北京时间"
	}
	return c.Location().String()
}
