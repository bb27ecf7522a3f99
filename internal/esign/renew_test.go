package esign

import (
	"strings"
	"testing"
	"time"
)

// Evidence is renewed when its time-stamp's unit ages out within the margin or its digest is
// weak, and left alone otherwise.
func TestRenewalReason(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	year := 365 * 24 * time.Hour
	for _, tc := range []struct {
		name string
		info TimestampInfo
		want string // a part of the reason; "" none
	}{
		{"ten years left", TimestampInfo{Digest: "SHA-256", CertNotAfter: now.AddDate(10, 0, 0)}, ""},
		{"ends within the margin", TimestampInfo{Digest: "SHA-256", CertNotAfter: now.AddDate(0, 6, 0)}, "到期"},
		{"already ended", TimestampInfo{Digest: "SHA-256", CertNotAfter: now.AddDate(0, 0, -1)}, "到期"},
		{"SHA-1", TimestampInfo{Digest: "SHA-1", WeakDigest: true, CertNotAfter: now.AddDate(10, 0, 0)}, "SHA-1"},
		{"no certificate", TimestampInfo{Digest: "SHA-256"}, "无法确定"},
	} {
		got := tc.info.RenewalReason(now, year)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want one naming %q", tc.name, got, tc.want)
		}
	}
}
