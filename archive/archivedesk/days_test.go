package archivedesk

import (
	"net/url"
	"testing"
	"time"

	"onewindow/internal/clock"
)

// Searches and reports name days; a day is the hall's, so a document filed at 00:30 Beijing
// time (16:30 UTC the day before) is filed on the hall's day.
func TestDayRangeIsTheHallsDays(t *testing.T) {
	ny, err := clock.Load("America/New_York") // a hall elsewhere
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		days     clock.Clock
		v        url.Values
		from, to time.Time
		bad      bool
	}{
		{"default zone", clock.Clock{}, url.Values{"from": {"2026-12-07"}, "to": {"2026-12-08"}},
			time.Date(2026, 12, 6, 16, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC), false},
		{"another zone", ny, url.Values{"from": {"2026-12-07"}},
			time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC), time.Time{}, false},
		{"not a day", clock.Clock{}, url.Values{"to": {"7.12.2026"}}, time.Time{}, time.Time{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s ReportScope
			err := (&Desk{Days: tc.days}).dayRange(tc.v, &s.From, &s.To)
			if (err != nil) != tc.bad {
				t.Fatalf("err = %v, want an error: %v", err, tc.bad)
			}
			if !s.From.Equal(tc.from) || !s.To.Equal(tc.to) {
				t.Errorf("from %v to %v, want %v to %v", s.From, s.To, tc.from, tc.to)
			}
			if want := "filed from " + tc.v.Get("from") + " to " + tc.v.Get("to"); !tc.bad && tc.v.Get("to") != "" && s.String() != want {
				t.Errorf("scope %q, want %q", s.String(), want)
			}
		})
	}
}
