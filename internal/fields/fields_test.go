package fields

import "testing"

// A candidates' field is looked up as its field's, masked alike and labelled as to check.
func TestLookup(t *testing.T) {
	tests := []struct {
		name       string
		ok         bool
		mask       Mask
		label      string
		searchable bool
	}{
		{IDNumbers, true, IDNumber, "身份证号", true},
		{"id_numbers_uncertain", true, IDNumber, "身份证号（待核对）", false},
		{"uscc_uncertain", true, Public, "统一社会信用代码（待核对）", false},
		{Phones, true, Phone, "电话", false},
		{Dates, true, Public, "日期", false},
		{"", false, Public, "", false},
		{"applicant", false, Public, "", false},
	}
	for _, tt := range tests {
		f, ok := Lookup(tt.name)
		if ok != tt.ok || f.Mask != tt.mask || f.Label != tt.label || f.Searchable != tt.searchable {
			t.Errorf("Lookup(%q) = %+v, %v", tt.name, f, ok)
		}
	}
}
