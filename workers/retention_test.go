package workers

import (
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/config"
)

func TestRetentionByType(t *testing.T) {
	policy, err := archive.NewRetentionPolicy(archive.RetentionRule{Years: 30, Mode: "GOVERNANCE"}, "id_card=10,business_license=50", "")
	if err != nil {
		t.Fatal(err)
	}
	p := &Processor{Config: config.Config{RetentionYears: 30}, Retention: policy}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	for typ, years := range map[string]int{"id_card": 10, "business_license": 50, "other": 30} {
		if got, want := p.retention(now, typ, "").RetainUntil, now.AddDate(years, 0, 0); !got.Equal(want) {
			t.Errorf("%s: retained until %s, want %s", typ, got, want)
		}
	}
	if got := (&Processor{Config: config.Config{RetentionYears: 30}}).retention(now, "id_card", "").RetainUntil; !got.Equal(now.AddDate(30, 0, 0)) {
		t.Errorf("without a policy: %s", got)
	}
}
