package clock_test

import (
	"testing"
	"time"

	"onewindow/internal/clock"
)

func TestHallDay(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		zone string
		at   time.Time
		date string
		mins string
	}{
		{"default zone, 23:30 in the hall", "", time.Date(2026, 12, 6, 15, 30, 0, 0, time.UTC), "2026-12-06", "2026-12-06 23:30"},
		{"default zone, 00:30 in the hall", "", time.Date(2026, 12, 6, 16, 30, 0, 0, time.UTC), "2026-12-07", "2026-12-07 00:30"},
		{"named zone", "Asia/Shanghai", time.Date(2026, 12, 6, 16, 30, 0, 0, ny), "2026-12-07", "2026-12-07 05:30"},
		{"another zone", "America/New_York", time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC), "2026-12-06", "2026-12-06 22:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := clock.Load(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			c = clock.Fixed(c.Location(), tc.at)
			if got := c.Date(c.Now()); got != tc.date {
				t.Errorf("Date = %s, want %s", got, tc.date)
			}
			if got := c.Minutes(tc.at); got != tc.mins {
				t.Errorf("Minutes = %s, want %s", got, tc.mins)
			}
			day, err := c.ParseDate(tc.date)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Today().Equal(day) || tc.at.Before(day) || !tc.at.Before(day.AddDate(0, 0, 1)) {
				t.Errorf("Today = %v, ParseDate = %v: %v is not in that day", c.Today(), day, tc.at)
			}
		})
	}
}

func TestLoadRefusesUnknownZone(t *testing.T) {
	if _, err := clock.Load("Mars/Olympus_Mons"); err == nil {
		t.Error("an unknown zone was taken")
	}
}
