package chart_test

import (
	"fmt"
	"testing"

	"onewindow/internal/chart"
)

func ExampleScale() {
	end, ticks := chart.Scale(chart.StackTop(3, []float64{3, 9, 4}, []float64{1, 4, 0}))
	fmt.Println(end, ticks)
	// Output: 15 [0 5 10 15]
}

func TestScale(t *testing.T) {
	for _, tt := range []struct {
		top   float64
		end   float64
		ticks int
	}{{0, 1, 2}, {1, 1, 2}, {3, 3, 4}, {7, 8, 5}, {12, 15, 4}, {99, 100, 6}, {101, 150, 4}} {
		end, ticks := chart.Scale(tt.top)
		if end != tt.end || len(ticks) != tt.ticks || end < tt.top {
			t.Errorf("Scale(%g) = %g, %v; want %g with %d ticks", tt.top, end, ticks, tt.end, tt.ticks)
		}
	}
}
