package delivery

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// Headers and bodies come from anyone who can reach a receiver: Verify must never panic and
// must accept only what Sign made (the hex of the MAC in either case, headers trimmed).
func FuzzVerify(f *testing.F) {
	body := []byte(`{"case_no":"A"}`)
	f.Add("1700000000", Sign(AlgSHA256, []byte("k"), 1700000000, body), body)
	f.Add("1700000000", Sign(AlgSM3, []byte("k"), 1700000000, body), body)
	f.Add("-9223372036854775808", "sha256=", []byte{})
	f.Add("1700000000", "sm3=zz", body)
	now := time.Unix(1700000000, 0)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		err := Verify("", []byte("k"), ts, sig, body, now, 0)
		if err != nil {
			return
		}
		n, perr := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
		if perr != nil {
			t.Fatalf("accepted timestamp %q", ts)
		}
		sig = strings.TrimSpace(sig)
		if !strings.EqualFold(sig, Sign(AlgSHA256, []byte("k"), n, body)) && !strings.EqualFold(sig, Sign(AlgSM3, []byte("k"), n, body)) {
			t.Fatalf("accepted %q for %q", sig, body)
		}
	})
}

// The departments file is edited by hand: Parse must refuse bad input with an error, never
// panic, and what it accepts must be usable.
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodFile))
	f.Add([]byte("departments:\n  - id: a\n    pull: true\n"))
	f.Add([]byte("departments: [{id: a, webhook: {url: 'https://x.example', secret: s, timeout: 1s}}]"))
	f.Add([]byte("departments:\n  - id: a\n    s3: {endpoint: '127.0.0.1:9', bucket: bkt, access_key: k, secret_key: s}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, t.TempDir())
		if err != nil {
			return
		}
		for _, d := range s.All() {
			switch d.Kind {
			case KindWebhook:
				if d.Webhook == nil || len(d.Webhook.Secret) == 0 || d.Webhook.client == nil || d.Webhook.Concurrency < 1 {
					t.Fatalf("accepted an unusable webhook %+v", d.Webhook)
				}
			case KindS3:
				if d.S3 == nil || d.S3.Bucket == "" || len(d.S3.SecretKey) == 0 {
					t.Fatalf("accepted an unusable bucket %+v", d.S3)
				}
			case KindPull:
			default:
				t.Fatalf("accepted kind %q", d.Kind)
			}
		}
	})
}
