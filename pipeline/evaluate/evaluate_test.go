package evaluate

import "testing"

func TestCER(t *testing.T) {
	tests := []struct {
		truth, got string
		errs, n    int
	}{
		{"受理编号：JL2023", "受理编号:JL2023", 0, 11},
		{"第一条 总则", "第一条总则", 0, 5},
		{"申请人", "申清人", 1, 3},
		{"", "", 0, 1},
		{"abc", "", 3, 3},
	}
	for _, tt := range tests {
		e, n := CER(tt.truth, tt.got)
		if e != tt.errs || n != tt.n {
			t.Errorf("CER(%q, %q) = %d/%d, want %d/%d", tt.truth, tt.got, e, n, tt.errs, tt.n)
		}
	}
}
