package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheckAsksTheRolesEndpoint(t *testing.T) {
	ready := http.StatusServiceUnavailable
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			w.WriteHeader(http.StatusOK)
		case "/readyz":
			w.WriteHeader(ready)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"serve alive", []string{"healthcheck", "--addr", addr, "serve"}, 0},
		{"serve not ready", []string{"healthcheck", "--addr", addr, "--ready", "serve"}, 1},
		{"work alive on its metrics address", []string{"healthcheck", "--metrics-addr", addr, "work"}, 0},
		{"work without a metrics address", []string{"healthcheck", "--metrics-addr", "", "work"}, 1},
		{"no role", []string{"healthcheck", "--addr", addr}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ONEWINDOW_METRICS_ADDR", "")
			if code, _, stderr := capture(t, "", func() int { return mainCode(tt.args) }); code != tt.want {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.want, stderr)
			}
		})
	}
}
