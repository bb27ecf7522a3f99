package clock_test

import (
	"fmt"
	"time"

	"onewindow/internal/clock"
)

// A server kept on UTC at 16:30 on 6 December: in the hall it is already the 7th.
func Example() {
	c := clock.Fixed(nil, time.Date(2026, 12, 6, 16, 30, 0, 0, time.UTC))
	fmt.Println(c.Location(), c.Date(c.Now()), c.Minutes(c.Now()))
	fmt.Println(c.Today().Format(time.RFC3339))
	// Output:
	// Asia/Shanghai 2026-12-07 2026-12-07 00:30
	// 2026-12-07T00:00:00+08:00
}
