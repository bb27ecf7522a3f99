package config

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// registerSecret adds the flags name and name-file for a secret setting, with the environment
// (ONEWINDOW_NAME or ONEWINDOW_NAME_FILE, not both) applied first. Neither flag has a default
// to show: flag.Value's String is what help and usage print, and it is always "".
func registerSecret(fs *flag.FlagSet, p *string, name, help string) error {
	env := EnvName(name)
	// An empty variable is no setting: launchers clear a variable by setting it empty.
	val, path := os.Getenv(env), os.Getenv(env+"_FILE")
	direct, fromFile := val != "", path != ""
	switch {
	case direct && fromFile:
		return fmt.Errorf("%s and %s_FILE are both set; set one", env, env)
	case direct:
		*p = val
	case fromFile:
		if err := (secretFile{p}).Set(path); err != nil {
			return fmt.Errorf("%s_FILE: %w", env, err)
		}
	}
	fs.Var(secretValue{p}, name, help+" ("+env+"; never shown)")
	fs.Var(secretFile{p}, name+"-file", "read --"+name+" from this file ("+env+"_FILE)")
	return nil
}

// secretValue is a secret given on the command line or in the environment.
type secretValue struct{ p *string }

func (s secretValue) String() string     { return "" }
func (s secretValue) Set(v string) error { *s.p = v; return nil }

// secretFile reads a secret from a file; surrounding white space (the newline an editor or
// `echo` leaves) is dropped.
type secretFile struct{ p *string }

func (s secretFile) String() string { return "" }
func (s secretFile) Set(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err // names the path, which is not the secret
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return fmt.Errorf("%s is empty", path)
	}
	*s.p = v
	return nil
}

// IsSecret reports whether the setting named by flag is a secret (it has a -file twin).
func IsSecret(flagName string) bool {
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.Tag.Get("flag") == flagName {
			return f.Tag.Get("secret") != ""
		}
	}
	return false
}

// Secrets returns the values of c's secret settings but the S3 access key, and the passwords
// inside the Redis URL, for a Redactor.
func (c *Config) Secrets() []string {
	var out []string
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		// The access key names an account, like a user name (dev mode's is "onewindow"):
		// it may be given as a file and is never shown in help, but hiding it in logs would
		// blot out every bucket name.
		if f := v.Type().Field(i); f.Tag.Get("secret") != "" && f.Name != "S3AccessKey" {
			out = append(out, v.Field(i).String())
		}
	}
	// redis-sentinel:// and redis-cluster:// carry several hosts, which url.Parse refuses.
	if _, rest, ok := strings.Cut(c.RedisURL, "://"); ok {
		if u, err := url.Parse("redis://" + rest); err == nil {
			if pw, ok := u.User.Password(); ok {
				out = append(out, pw, url.QueryEscape(pw), url.PathEscape(pw))
			}
			out = append(out, u.Query().Get("sentinel_password"))
		}
	}
	return out
}

// minSecretLen is the shortest value a Redactor hides: shorter ones would blot out ordinary
// words, and are no secrets worth the name.
const minSecretLen = 6

// Redactor replaces secret values in text with [redacted]. A process keeps one, adds every
// secret it learns (settings, and generated credentials), and writes its logs and its last
// error through it.
type Redactor struct {
	mu   sync.RWMutex
	vals []string
}

// Add learns secrets; short or empty ones are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= minSecretLen && !slices.Contains(r.vals, s) {
			r.vals = append(r.vals, s)
		}
	}
	// Longest first, so a secret that contains another is replaced whole.
	slices.SortFunc(r.vals, func(a, b string) int { return len(b) - len(a) })
}

// String returns s with every known secret replaced.
func (r *Redactor) String(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.vals {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

// Handler wraps h so that no message or attribute it writes carries a known secret.
func (r *Redactor) Handler(h slog.Handler) slog.Handler { return redactHandler{h, r} }

type redactHandler struct {
	next slog.Handler
	r    *Redactor
}

func (h redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return redactHandler{h.next.WithAttrs(clean), h.r}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{h.next.WithGroup(name), h.r}
}

func (h redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		// errors and values print through fmt; only a changed text replaces the value.
		s := fmt.Sprint(v.Any())
		if c := h.r.String(s); c != s {
			return slog.String(a.Key, c)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
