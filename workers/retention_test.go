package workers

import (
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/config"
)

func TestRetentionByType(t *testing.T) {
	policy, err := archive.ParseRetentionPolicy("id_card=10,business_license=50", 30)
	if err != nil {
		t.Fatal(err)
	}
	p := &Processor{Config: config.Config{RetentionYears: 30}, Retention: policy}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	for typ, years := range map[string]int{"id_card": 10, "business_license": 50, "other": 30} {
		if got, want := p.retainUntil(now, typ), now.AddDate(years, 0, 0); !got.Equal(want) {
			t.Errorf("%s: retained until %s, want %s", typ, got, want)
		}
	}
	if got := (&Processor{Config: config.Config{RetentionYears: 30}}).retainUntil(now, "id_card"); !got.Equal(now.AddDate(30, 0, 0)) {
		t.Errorf("without a policy: %s", got)
	}
}
