package workers

import (
	"testing"

	"onewindow/archive"
	"onewindow/internal/config"
)

func TestRetentionByType(t *testing.T) {
	policy, err := archive.NewRetentionPolicy(archive.RetentionRule{Years: 30, Mode: "GOVERNANCE"}, "id_card=10,business_license=50", "")
	if err != nil {
		t.Fatal(err)
	}
	p := &Processor{Config: config.Config{RetentionYears: 30, RetentionMode: "GOVERNANCE"}, Retention: policy}
	for typ, years := range map[string]int{"id_card": 10, "business_license": 50, "other": 30} {
		if got := p.retention(typ, ""); got != (archive.RetentionRule{Years: years, Mode: "GOVERNANCE"}) {
			t.Errorf("%s: retained %+v, want %d years", typ, got, years)
		}
	}
	if got := (&Processor{Config: config.Config{RetentionYears: 30, RetentionMode: "GOVERNANCE"}}).retention("id_card", ""); got != (archive.RetentionRule{Years: 30, Mode: "GOVERNANCE"}) {
		t.Errorf("without a policy: %+v", got)
	}
}
