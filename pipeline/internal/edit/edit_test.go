package edit

import (
	"fmt"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "委托书", 3},
		{"委托书", "", 3},
		{"委托书", "委托书", 0},
		{"委托书", "委讬书", 1},
		{"220102198312111865", "22010219831211186", 1},
		{"kitten", "sitting", 3},
		{"91220101MA0Y12345X", "9122O101MA0Y12345X", 1},
	}
	for _, tt := range tests {
		if got := Distance([]rune(tt.a), []rune(tt.b)); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func ExampleDistance() {
	fmt.Println(Distance([]rune("身份证号码"), []rune("身份证号玛")))
	// Output: 1
}
