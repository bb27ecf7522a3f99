package cases

import (
	"testing"
	"time"
)

// Valid numbers (check characters computed by hand) used across the tests.
const (
	idZhang   = "220102199003070013"
	idLi      = "220104198512124524"
	idOld     = "11010519491231002X"
	usccShop  = "912201011234567884"
	usccOther = "92220102MA17ABCD28"
)

var window = Actor{Name: "window-3", Role: "window", Desk: "综合窗口3"}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}

func matter(t *testing.T, code string) Matter {
	t.Helper()
	m, ok := DefaultCatalogue().Matter(code)
	if !ok {
		t.Fatalf("matter %s missing from the sample catalogue", code)
	}
	return m
}
