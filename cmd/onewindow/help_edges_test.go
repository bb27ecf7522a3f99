package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// capture runs f with standard output and error going to buffers.
func capture(t *testing.T, stdin string, f func() int) (code int, stdout, stderr string) {
	t.Helper()
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	inR, inW, _ := os.Pipe()
	oldOut, oldErr, oldIn := os.Stdout, os.Stderr, os.Stdin
	os.Stdout, os.Stderr, os.Stdin = outW, errW, inR
	io.WriteString(inW, stdin)
	inW.Close()
	var ob, eb bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&ob, outR); close(done) }()
	go func() { io.Copy(&eb, errR) }()
	code = f()
	os.Stdout, os.Stderr, os.Stdin = oldOut, oldErr, oldIn
	outW.Close()
	errW.Close()
	<-done
	return code, ob.String(), eb.String()
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string // in standard output
		not   []string
	}{
		{"help", []string{"help"}, "", 0, []string{"Commands:", "serve ", "the HTTP API", "verify-bag"}, nil},
		{"-h", []string{"-h"}, "", 0, []string{"Commands:"}, nil},
		{"help serve", []string{"help", "serve"}, "", 0,
			[]string{"Usage: onewindow serve", "Settings: storage", "--redis-url", "Settings: HTTP API", "--addr", "[127.0.0.1:8080]"},
			[]string{"Settings: dev mode", "--minio-bin"}},
		{"serve -h", []string{"serve", "-h"}, "", 0, []string{"Settings: HTTP API"}, []string{"Settings: dev mode", "--redis-bin"}},
		{"work -h has no HTTP settings", []string{"work", "--help"}, "", 0, []string{"--concurrency"}, []string{"--tls-cert"}},
		{"dev -h has dev settings", []string{"dev", "-h"}, "", 0, []string{"--minio-bin", "--data-dir"}, nil},
		{"export -h", []string{"export", "-h"}, "", 0, []string{"--case-no", "--out", "--s3-endpoint"}, nil},
		{"a time zone that is none", []string{"report", "--time-zone", "Mars/Olympus", "--case-no", "x"}, "", 1, nil, nil},
		{"help serve names the time zone", []string{"help", "serve"}, "", 0, []string{"--time-zone"}, nil},
		{"help of nothing", []string{"help", "nope"}, "", 1, nil, nil},
		{"no command", nil, "", 2, nil, nil},
		{"unknown command", []string{"frobnicate"}, "", 2, nil, nil},
		{"version", []string{"version"}, "", 0, []string{"onewindow ", "go1."}, nil},
		{"token with a bad role", []string{"token", "--role", "janitor", "--name", "x"}, "", 1, nil, []string{"token ("}},
		{"token", []string{"token", "--role", "scanner", "--name", "station-3", "--station", "room-3"}, "", 0,
			[]string{`"role":"scanner"`, `"station":"room-3"`, `"sha256":"`}, []string{"password_bcrypt"}},
		{"token with a password", []string{"token", "--role", "viewer", "--name", "li", "--password-stdin"}, "a long passphrase\n", 0,
			[]string{`"password_bcrypt":"$2`}, []string{"a long passphrase"}},
		{"token with a short password", []string{"token", "--role", "viewer", "--name", "li", "--password-stdin"}, "short\n", 1, nil, nil},
		{"department token without a department", []string{"token", "--role", "department", "--name", "tax"}, "", 1, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := capture(t, tt.stdin, func() int { return mainCode(tt.args) })
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
}

// Every registered command has a description for help.
func TestEveryCommandIsDescribed(t *testing.T) {
	for name := range commands {
		if help[name].summary == "" || help[name].usage == "" {
			t.Errorf("command %s has no help entry", name)
		}
	}
}
