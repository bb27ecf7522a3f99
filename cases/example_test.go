package cases_test

import (
	"fmt"
	"time"

	"onewindow/cases"
)

func ExampleFormatCaseNo() {
	no, _ := cases.FormatCaseNo("JL{yyyy}{mm}{dd}-{seq:05}", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 42)
	fmt.Println(no)
	// Output: JL20260302-00042
}

func ExampleCalendar_AddWorkingDays() {
	cal := cases.DefaultCalendar()
	accepted := time.Date(2026, 9, 30, 10, 0, 0, 0, time.UTC)
	fmt.Println(cal.AddWorkingDays(accepted, 3).Format(time.DateOnly)) // across National Day
	// Output: 2026-10-10
}

func ExampleCheckWaybill() {
	fmt.Println(cases.CheckWaybill("SF", "SF1234567890123"))
	fmt.Println(cases.CheckWaybill("EMS", "SF1234567890123"))
	// Output:
	// <nil>
	// cases.CheckWaybill: bad_waybill: "SF1234567890123" does not fit the EMS waybill format; it looks like SF.
}
