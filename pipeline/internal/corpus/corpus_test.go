package corpus

import (
	"fmt"
	"testing"
)

type recorder struct{ failed []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

func TestFloor(t *testing.T) {
	tests := []struct {
		got, floor float64
		fails      bool
	}{
		{0.97, 0.95, false},
		{0.95, 0.95, false},
		{0.9499, 0.95, true},
		{0, 0.5, true},
	}
	for _, tt := range tests {
		var r recorder
		Floor(&r, "split right", tt.got, tt.floor)
		if (len(r.failed) > 0) != tt.fails {
			t.Errorf("Floor(%v, %v) failed %v, want %v", tt.got, tt.floor, r.failed, tt.fails)
		}
	}
}
