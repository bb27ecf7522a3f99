package web

import (
	"strings"
	"testing"
)

// TestGroupMatters: the picker groups matters by their lead department in catalogue order and
// keeps those whose name, code or department fits the filter; a filter nothing fits keeps all.
func TestGroupMatters(t *testing.T) {
	ms := []matter{
		{Code: "JL-SC-001", Name: "企业设立登记", Departments: []string{"market-regulation", "taxation"}},
		{Code: "JL-GA-001", Name: "户口迁移", Departments: []string{"public-security"}},
		{Code: "JL-SC-002", Name: "个体工商户登记", Departments: []string{"market-regulation"}},
	}
	names := departmentNames{"market-regulation": "市场监督管理局", "taxation": "税务局", "public-security": "公安局"}
	show := func(gs []matterGroup) string {
		var out []string
		for _, g := range gs {
			var codes []string
			for _, m := range g.Matters {
				codes = append(codes, m.Code)
			}
			out = append(out, g.Department+":"+strings.Join(codes, ","))
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		filter, want string
		noMatch      bool
	}{
		{"", "市场监督管理局:JL-SC-001,JL-SC-002 公安局:JL-GA-001", false},
		{"登记", "市场监督管理局:JL-SC-001,JL-SC-002", false},
		{"jl-ga", "公安局:JL-GA-001", false},
		{"税务", "市场监督管理局:JL-SC-001", false}, // a joint matter's other department
		{"护照", "市场监督管理局:JL-SC-001,JL-SC-002 公安局:JL-GA-001", true},
	}
	for _, tt := range tests {
		got, noMatch := groupMatters(ms, names, tt.filter)
		if show(got) != tt.want || noMatch != tt.noMatch {
			t.Errorf("filter %q: %s (no match %v), want %s (%v)", tt.filter, show(got), noMatch, tt.want, tt.noMatch)
		}
	}
}
