package delivery

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/internal/errs"
	"onewindow/internal/yamlfile"
)

const goodFile = `departments:
  - id: market
    name: Market Regulation
    webhook:
      url: https://market.example.gov/onewindow
      secret: s3cret-market
  - id: tax
    name: Taxation
    webhook:
      url: http://127.0.0.1:9000/hook
      secret_file: tax.secret
      algorithm: sm3
      timeout: 5s
      concurrency: 2
  - id: housing
    s3:
      endpoint: 127.0.0.1:9100
      bucket: intake
      prefix: onewindow
      access_key: AK
      secret_key: SK-housing
  - id: civil
    pull: true
    full_ids: true
`

func TestParseGoodFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tax.secret"), []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Parse([]byte(goodFile), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.All()); got != 4 {
		t.Fatalf("%d departments, want 4", got)
	}
	m, _ := s.Get("market")
	if m.Kind != KindWebhook || m.Webhook.Algorithm != AlgSHA256 || m.Webhook.Timeout != DefaultTimeout ||
		m.Webhook.Concurrency != DefaultConcurrency || m.FullIDs {
		t.Errorf("market = %+v %+v", m, m.Webhook)
	}
	tax, _ := s.Get("tax")
	if string(tax.Webhook.Secret) != "from-a-file" || tax.Webhook.Algorithm != AlgSM3 ||
		tax.Webhook.Timeout != 5*time.Second || tax.Webhook.Concurrency != 2 || tax.Name != "Taxation" {
		t.Errorf("tax = %+v", tax.Webhook)
	}
	h, _ := s.Get("housing")
	if h.Kind != KindS3 || h.S3.Prefix != "onewindow/" || string(h.S3.SecretKey) != "SK-housing" || h.Name != "housing" {
		t.Errorf("housing = %+v", h.S3)
	}
	c, _ := s.Get("civil")
	if c.Kind != KindPull || !c.FullIDs {
		t.Errorf("civil = %+v", c)
	}
	if _, err := s.Resolve([]string{"market", "nope"}); errs.CodeOf(err) != "unknown_department" {
		t.Errorf("Resolve of an unknown id: %v", err)
	}
	if err := s.CheckRefs("matter", map[string][]string{"M1": {"tax"}, "M2": {"market", "ghost"}}); err == nil ||
		!strings.Contains(err.Error(), `"ghost"`) || errs.KindOf(err) != errs.Invalid {
		t.Errorf("CheckRefs: %v", err)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	s, err := Parse([]byte(goodFile), t.TempDir()+"/none")
	if err == nil {
		t.Fatal("a missing secret file was accepted")
	}
	dir := t.TempDir()
	selfSigned(t, dir, "hall")
	file := strings.Replace(goodFile, "secret_file: tax.secret", "secret: s3cret-tax\n      client_cert: hall.pem\n      client_key: hall-key.pem", 1)
	s, err = Parse([]byte(file), dir)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(filepath.Join(dir, "hall-key.pem"))
	keyLine := strings.Split(string(key), "\n")[1]
	var b strings.Builder
	log := slog.New(slog.NewJSONHandler(&b, nil))
	for _, d := range s.All() {
		log.Info("department", "d", d, "webhook", d.Webhook, "s3", d.S3, "value", *d)
		fmt.Fprintf(&b, "%v %+v %#v", d, d.Webhook, d.S3)
		js, _ := json.Marshal(d)
		b.Write(js)
	}
	if !strings.Contains(b.String(), `"host":"127.0.0.1:9000"`) {
		t.Errorf("the log does not name the webhook's host:\n%s", b.String())
	}
	for _, secret := range []string{"s3cret-market", "s3cret-tax", "SK-housing", keyLine} {
		if strings.Contains(b.String(), secret) {
			t.Fatalf("secret %q printed:\n%s", secret, b.String())
		}
	}
}

func TestParseRefusesWithLineAndReason(t *testing.T) {
	tests := []struct {
		name, file string
		line       int
		reason     string
	}{
		{"unknown key", "departments:\n  - id: a\n    pull: true\n    colour: red\n", 4, "colour"},
		{"bad id", "departments:\n  - id: A B\n    pull: true\n", 2, "lower-case"},
		{"duplicate id", "departments:\n  - id: a\n    pull: true\n  - id: a\n    pull: true\n", 4, "already used on line 2"},
		{"no kind", "departments:\n  - id: a\n    name: A\n", 2, "no way to receive"},
		{"two kinds", "departments:\n  - id: a\n    pull: true\n    webhook:\n      url: https://x.example\n      secret: s\n", 2, "more than one"},
		{"plain http", "departments:\n  - id: a\n    webhook:\n      url: http://dept.example/hook\n      secret: s\n", 4, "https"},
		{"http to loopback is fine but no secret", "departments:\n  - id: a\n    webhook:\n      url: http://localhost:8/hook\n", 4, "no secret"},
		{"relative url", "departments:\n  - id: a\n    webhook:\n      url: /hook\n      secret: s\n", 4, "absolute"},
		{"user in url", "departments:\n  - id: a\n    webhook:\n      url: https://u:p@x.example/\n      secret: s\n", 4, "user or password"},
		{"secret twice", "departments:\n  - id: a\n    webhook:\n      url: https://x.example/\n      secret: s\n      secret_file: f\n", 6, "both inline and in a file"},
		{"algorithm", "departments:\n  - id: a\n    webhook:\n      url: https://x.example/\n      secret: s\n      algorithm: md5\n", 6, "not sha256 or sm3"},
		{"timeout", "departments:\n  - id: a\n    webhook:\n      url: https://x.example/\n      secret: s\n      timeout: soon\n", 6, "duration"},
		{"concurrency", "departments:\n  - id: a\n    webhook:\n      url: https://x.example/\n      secret: s\n      concurrency: -1\n", 6, "between 1 and 256"},
		{"cert without key", "departments:\n  - id: a\n    webhook:\n      url: https://x.example/\n      secret: s\n      client_cert: c.pem\n", 6, "go together"},
		{"missing ca", "departments:\n  - id: a\n    webhook:\n      url: https://x.example/\n      secret: s\n      ca_file: nowhere.pem\n", 6, "cannot be read"},
		{"s3 without bucket", "departments:\n  - id: a\n    s3:\n      endpoint: 127.0.0.1:9\n      access_key: k\n      secret_key: s\n", 3, "bucket is missing"},
		{"s3 bad bucket", "departments:\n  - id: a\n    s3:\n      endpoint: 127.0.0.1:9\n      bucket: X\n      access_key: k\n      secret_key: s\n", 5, "not a valid bucket name"},
		{"s3 plain remote", "departments:\n  - id: a\n    s3:\n      endpoint: s3.example:9000\n      bucket: bkt\n      access_key: k\n      secret_key: s\n", 3, "TLS"},
		{"s3 scheme", "departments:\n  - id: a\n    s3:\n      endpoint: https://s3.example\n      secure: true\n      bucket: bkt\n      access_key: k\n      secret_key: s\n", 4, "host:port"},
		{"s3 no secret", "departments:\n  - id: a\n    s3:\n      endpoint: s3.example\n      secure: true\n      bucket: bkt\n      access_key: k\n", 7, "no secret key"},
		{"wrong type", "departments:\n  - id: a\n    pull: true\n    full_ids: maybe\n", 4, "cannot unmarshal"},
		{"not yaml", "departments: [\n", 1, "did not find"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.file), t.TempDir())
			var le *yamlfile.Error
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a *yamlfile.Error", err)
			}
			if errs.KindOf(err) != errs.Invalid || !errors.Is(err, ErrInvalidFile) {
				t.Errorf("kind %v, Is(ErrInvalidFile) %v", errs.KindOf(err), errors.Is(err, ErrInvalidFile))
			}
			if le.Line != tt.line || !strings.Contains(le.Reason, tt.reason) {
				t.Errorf("got line %d %q, want line %d containing %q", le.Line, le.Reason, tt.line, tt.reason)
			}
		})
	}
}

func TestReloadKeepsTheOldSetOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "departments.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("departments:\n  - id: a\n    pull: true\n")
	r, err := NewRegistry(path)
	if err != nil {
		t.Fatal(err)
	}
	before := r.Current()
	write("departments:\n  - id: a\n")
	if err := r.Reload(); err == nil {
		t.Fatal("a broken file was loaded")
	}
	if r.Current() != before {
		t.Fatal("a failed reload replaced the set")
	}
	write("departments:\n  - id: a\n    pull: true\n  - id: b\n    pull: true\n")
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Current().Get("b"); !ok {
		t.Fatal("the reload did not take effect")
	}
	// A secret read from a file is read again on reload: rotating it needs no restart.
	secretPath := filepath.Join(filepath.Dir(path), "k.secret")
	os.WriteFile(secretPath, []byte("old"), 0o600)
	write("departments:\n  - id: a\n    webhook:\n      url: https://a.example/\n      secret_file: k.secret\n")
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(secretPath, []byte("new\n"), 0o600)
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if a, _ := r.Current().Get("a"); string(a.Webhook.Secret) != "new" {
		t.Fatalf("secret after reload %q", a.Webhook.Secret)
	}
	empty, err := NewRegistry("")
	if err != nil || len(empty.Current().All()) != 0 {
		t.Fatalf("no file: %v %v", empty, err)
	}
}
