package desk

import (
	"testing"
	"time"

	"onewindow/delivery"
)

func TestMarkOverdue(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.Local)
	recs := []delivery.Delivery{
		{Department: "late", DueDate: "2026-12-02"},
		{Department: "answered", DueDate: "2026-12-01"},
		{Department: "today", DueDate: "2026-12-03"},
		{Department: "undated"},
	}
	markOverdue(recs, []Result{{Department: "answered"}}, now)
	for _, r := range recs {
		if want := r.Department == "late"; r.Overdue != want {
			t.Errorf("%s: overdue %v, want %v", r.Department, r.Overdue, want)
		}
	}
}
