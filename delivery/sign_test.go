package delivery

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"onewindow/internal/errs"
)

func TestSignKnownValues(t *testing.T) {
	// The SHA-256 value is what `printf '1700000000.{"case_no":"A"}' | openssl dgst -sha256
	// -hmac secret` prints (docs/DELIVERY.md shows the command).
	body := []byte(`{"case_no":"A"}`)
	tests := []struct{ alg, want string }{
		{AlgSHA256, "sha256=22bc3eef32ee9233c0c5655fed8c3473413ccb408a619412429a4a926187dfd2"},
		{"", "sha256=22bc3eef32ee9233c0c5655fed8c3473413ccb408a619412429a4a926187dfd2"},
		// openssl dgst -sm3 -hmac secret, as above.
		{AlgSM3, "sm3=73d6c14316ba31fc594c2484fddb31233063016b01c1e83850c58e8015df48ed"},
	}
	for _, tt := range tests {
		got := Sign(tt.alg, []byte("secret"), 1700000000, body)
		if got != tt.want {
			t.Errorf("Sign(%q) = %s, want %s", tt.alg, got, tt.want)
		}
	}
}

func TestVerify(t *testing.T) {
	secret := []byte("dept-secret")
	body := []byte(`{"case_no":"JL2026-0001","documents":[]}`)
	now := time.Unix(1_800_000_000, 0)
	ts := now.Unix()
	tsh := strconv.FormatInt(ts, 10)
	good := Sign(AlgSHA256, secret, ts, body)
	goodSM3 := Sign(AlgSM3, secret, ts, body)
	tests := []struct {
		name, alg, ts, sig string
		body               []byte
		secret             string
		now                time.Time
		code               string // "" = accepted
	}{
		{"good", AlgSHA256, tsh, good, body, "dept-secret", now, ""},
		{"good, any algorithm", "", tsh, goodSM3, body, "dept-secret", now, ""},
		{"good sm3", AlgSM3, tsh, goodSM3, body, "dept-secret", now, ""},
		{"4m59s late", AlgSHA256, tsh, good, body, "dept-secret", now.Add(299 * time.Second), ""},
		{"6 minutes late", AlgSHA256, tsh, good, body, "dept-secret", now.Add(6 * time.Minute), "stale_timestamp"},
		{"6 minutes early", AlgSHA256, tsh, good, body, "dept-secret", now.Add(-6 * time.Minute), "stale_timestamp"},
		{"changed body", AlgSHA256, tsh, good, []byte(`{"case_no":"JL2026-0002","documents":[]}`), "dept-secret", now, "bad_signature"},
		{"other secret", AlgSHA256, tsh, good, body, "guess", now, "bad_signature"},
		{"timestamp replaced", AlgSHA256, strconv.FormatInt(ts+1, 10), good, body, "dept-secret", now, "bad_signature"},
		{"algorithm not agreed", AlgSHA256, tsh, goodSM3, body, "dept-secret", now, "bad_signature"},
		{"no algorithm", AlgSHA256, tsh, good[len("sha256="):], body, "dept-secret", now, "bad_signature"},
		{"unknown algorithm", "", tsh, "md5=00", body, "dept-secret", now, "bad_signature"},
		{"not hex", AlgSHA256, tsh, "sha256=zz", body, "dept-secret", now, "bad_signature"},
		{"timestamp not a number", AlgSHA256, "yesterday", good, body, "dept-secret", now, "bad_timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.alg, []byte(tt.secret), tt.ts, tt.sig, tt.body, tt.now, 0)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if errs.CodeOf(err) != tt.code || errs.KindOf(err) != errs.Unauthorized {
				t.Fatalf("err = %v, want %s (unauthorized)", err, tt.code)
			}
		})
	}
}

func ExampleSign() {
	body := []byte(`{"case_no":"A"}`)
	fmt.Println(Sign(AlgSHA256, []byte("secret"), 1700000000, body))
	// Output: sha256=22bc3eef32ee9233c0c5655fed8c3473413ccb408a619412429a4a926187dfd2
}

func ExampleVerify() {
	secret := []byte("secret")
	body := []byte(`{"case_no":"A"}`)
	sig := Sign(AlgSHA256, secret, 1700000000, body)
	now := time.Unix(1700000000, 0).Add(time.Minute)
	fmt.Println(Verify(AlgSHA256, secret, "1700000000", sig, body, now, 0))
	fmt.Println(errs.CodeOf(Verify(AlgSHA256, secret, "1700000000", sig, body, now.Add(time.Hour), 0)))
	// Output:
	// <nil>
	// stale_timestamp
}
