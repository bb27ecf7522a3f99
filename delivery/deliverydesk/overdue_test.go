package deliverydesk

import (
	"testing"

	"onewindow/delivery"
)

func TestMarkOverdue(t *testing.T) {
	recs := []delivery.Delivery{
		{Department: "late", DueDate: "2026-12-02"},
		{Department: "answered", DueDate: "2026-12-01"},
		{Department: "today", DueDate: "2026-12-03"},
		{Department: "undated"},
	}
	markOverdue(recs, []Result{{Department: "answered"}}, "2026-12-03")
	for _, r := range recs {
		if want := r.Department == "late"; r.Overdue != want {
			t.Errorf("%s: overdue %v, want %v", r.Department, r.Overdue, want)
		}
	}
}
