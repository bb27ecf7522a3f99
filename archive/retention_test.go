package archive

import (
	"testing"
	"time"

	"onewindow/storage"
)

// Until answers the stricter of the type's and the matter's rule, else the default, counted
// from the filing; a policy without rules locks nothing.
func TestRetentionUntil(t *testing.T) {
	policy, err := NewRetentionPolicy(RetentionRule{Years: 30, Mode: "GOVERNANCE"}, "id_card=10,business_license=50", "企业设立登记=40:COMPLIANCE")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.FixedZone("hall", 8*3600))
	at := func(years int) time.Time { return time.Date(2026+years, 12, 6, 17, 0, 0, 0, time.UTC) }
	tests := []struct {
		typ, matter string
		want        storage.Lock
	}{
		{"id_card", "", storage.Lock{Mode: "GOVERNANCE", Until: at(10)}},
		{"business_license", "", storage.Lock{Mode: "GOVERNANCE", Until: at(50)}},
		{"other", "", storage.Lock{Mode: "GOVERNANCE", Until: at(30)}},
		{"", "", storage.Lock{Mode: "GOVERNANCE", Until: at(30)}},
		{"id_card", "企业设立登记", storage.Lock{Mode: "COMPLIANCE", Until: at(40)}},
		{"business_license", "企业设立登记", storage.Lock{Mode: "COMPLIANCE", Until: at(50)}},
	}
	for _, tt := range tests {
		if got := policy.Until(tt.typ, tt.matter, now); got != tt.want {
			t.Errorf("Until(%q, %q) = %+v, want %+v", tt.typ, tt.matter, got, tt.want)
		}
	}
	if got := (RetentionPolicy{}).Until("id_card", "", now); got != (storage.Lock{}) {
		t.Errorf("a policy without rules locks %+v", got)
	}
}
