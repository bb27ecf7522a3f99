package archive

import "time"

// Clock tells the time wherever time decides what the archive does: event and audit entry
// dates, whether a retention has run out, the fixity schedule. nil is the system clock;
// tests set a fixed one.
type Clock func() time.Time

// Now is the current time in UTC, as records and keys keep it.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}
