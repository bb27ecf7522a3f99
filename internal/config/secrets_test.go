package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsFromFilesAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Setenv("ONEWINDOW_S3_SECRET_KEY_FILE", write("s3", "minio-secret-from-file\n"))
	t.Setenv("ONEWINDOW_ADMIN_TOKEN", "admin-token-from-env")
	sessionFile := write("session", "  a-session-key-of-at-least-32-characters  \n")
	c := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	if err := c.Register(fs); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--session-key-file", sessionFile, "--notify-secret", "notify-secret-on-flag"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, got, want string }{
		{"env _FILE", c.S3SecretKey, "minio-secret-from-file"},
		{"env", c.AdminToken, "admin-token-from-env"},
		{"--x-file, white space dropped", c.SessionKey, "a-session-key-of-at-least-32-characters"},
		{"flag", c.NotifySecret, "notify-secret-on-flag"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	// What help and usage print of every flag: no secret, whatever the environment set.
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	fs.PrintDefaults()
	for _, secret := range []string{"minio-secret-from-file", "admin-token-from-env", "a-session-key", "notify-secret-on-flag"} {
		if strings.Contains(usage.String(), secret) {
			t.Errorf("usage shows %q:\n%s", secret, usage.String())
		}
	}
}

func TestSecretGivenTwiceOrEmptyIsRefused(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, env := range [][2][2]string{
		{{"ONEWINDOW_ADMIN_TOKEN", "x-token-value"}, {"ONEWINDOW_ADMIN_TOKEN_FILE", empty}},
		{{"ONEWINDOW_S3_SECRET_KEY_FILE", empty}},
		{{"ONEWINDOW_S3_SECRET_KEY_FILE", empty + ".missing"}},
	} {
		t.Run(env[0][0], func(t *testing.T) {
			for _, kv := range env {
				if kv[0] != "" {
					t.Setenv(kv[0], kv[1])
				}
			}
			c := Default()
			err := c.Register(flag.NewFlagSet("t", flag.ContinueOnError))
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), "x-token-value") {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}

func TestRedactorKeepsSecretsOutOfLogs(t *testing.T) {
	c := Default()
	c.AdminToken = "admin-0123456789"
	c.S3SecretKey = "s3-secret-abcdef"
	c.RedisURL = "redis-sentinel://:redis-pass-xyz@h1:26379,h2:26379/0?master=m&sentinel_password=sentinel-pw-42"
	c.NotifySecret = "abc" // too short to hide without blotting out words
	var r Redactor
	r.Add(c.Secrets()...)
	var out bytes.Buffer
	log := slog.New(r.Handler(slog.NewJSONHandler(&out, nil))).With("token", c.AdminToken)
	log.Info("connecting with s3-secret-abcdef", "err", fmt.Errorf("dial: %w", errors.New("auth redis-pass-xyz refused")),
		slog.Group("g", "sentinel", "sentinel-pw-42"), "n", 3, "word", "abc")
	got := out.String()
	for _, secret := range []string{"admin-0123456789", "s3-secret-abcdef", "redis-pass-xyz", "sentinel-pw-42"} {
		if strings.Contains(got, secret) {
			t.Errorf("log shows %q: %s", secret, got)
		}
	}
	for _, keep := range []string{`"n":3`, `"word":"abc"`, "[redacted]", `"g":{"sentinel"`} {
		if !strings.Contains(got, keep) {
			t.Errorf("log lacks %s: %s", keep, got)
		}
	}
	if s := r.String("onewindow: redis: " + c.RedisURL); strings.Contains(s, "redis-pass-xyz") {
		t.Errorf("String: %s", s)
	}
}
