package api_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"onewindow/api"
	"onewindow/archive/archivedesk"
	"onewindow/cases/casedesk"
	"onewindow/delivery/deliverydesk"
	"onewindow/internal/auth"
	"onewindow/internal/config"
	"onewindow/internal/httpx"
	"onewindow/internal/metrics"
	"onewindow/stats"
)

var writeRoles = flag.String("write-roles", "", "write every route's roles (from auth's role table), by pattern, as JSON to this file")

// allRoutes is every authenticated route serve has, added as wire.go adds them.
func allRoutes(s *api.Server) []httpx.Routes {
	return []httpx.Routes{s.Routes, (&api.Review{}).Routes, (&api.Retry{}).Routes, (&archivedesk.Desk{}).Routes,
		(&casedesk.Desk{}).Routes, (&deliverydesk.Desk{}).Routes, (&stats.Stats{}).Routes}
}

type operation struct {
	method, path string
	roles        []string // x-roles; nil for a public operation
}

func documentedOperations(t *testing.T) []operation {
	data, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Roles    *[]string  `json:"x-roles"`
			Security []struct{} `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var ops []operation
	for path, methods := range doc.Paths {
		for method, o := range methods {
			op := operation{method: strings.ToUpper(method), path: path}
			if o.Roles != nil {
				op.roles = slices.Sorted(slices.Values(*o.Roles))
				if op.roles == nil {
					op.roles = []string{}
				}
			} else if o.Security == nil {
				t.Errorf("%s %s: no x-roles and not public (security: [])", op.method, path)
			}
			ops = append(ops, op)
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.path+a.method, b.path+b.method) })
	return ops
}

// samplePath fills a path template's parameters.
func samplePath(p string) string {
	for strings.Contains(p, "{") {
		i, j := strings.Index(p, "{"), strings.Index(p, "}")
		p = p[:i] + "x1" + p[j+1:]
	}
	return p
}

// The authorisation matrix: every operation of the OpenAPI document against every row of
// auth's role table. A route registered without an operation (and so without a stated
// policy), an operation no route serves, a route whose capability's roles differ from the
// document's x-roles, or a role let through without the capability, each fail.
func TestAuthorizationMatrix(t *testing.T) {
	// Each authz call (one per registered route) gets a handler that reports its number.
	var caps []auth.Cap
	var registered [][]string
	mux := http.NewServeMux()
	for _, add := range allRoutes(&api.Server{Dashboard: http.NotFoundHandler()}) {
		add(mux, func(c auth.Cap, _ httpx.HandlerFunc) http.Handler {
			n := len(registered)
			caps = append(caps, c)
			registered = append(registered, auth.RolesWith(c))
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, n) })
		})
	}
	opCap := map[string]auth.Cap{} // by method and path
	reached := map[int]bool{}
	byPattern := map[string][]string{}
	ops := documentedOperations(t)
	for _, op := range ops {
		if op.roles == nil {
			continue
		}
		req := httptest.NewRequest(op.method, samplePath(op.path), nil)
		h, pattern := mux.Handler(req)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var n int
		if _, err := fmt.Sscan(w.Body.String(), &n); err != nil || pattern == "" {
			t.Errorf("%s %s is documented but no route serves it", op.method, op.path)
			continue
		}
		reached[n] = true
		opCap[op.method+" "+op.path] = caps[n]
		byPattern[pattern] = registered[n]
		if !slices.Equal(op.roles, registered[n]) {
			t.Errorf("%s %s: the document says roles %v, the route allows %v", op.method, op.path, op.roles, registered[n])
		}
	}
	// The queue dashboard is a web page, not an API operation: its routes are counted here.
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		req := httptest.NewRequest(m, "/admin/queues/api/queues", nil)
		h, _ := mux.Handler(req)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var n int
		if _, err := fmt.Sscan(w.Body.String(), &n); err == nil {
			reached[n] = true
		}
	}
	for n, roles := range registered {
		if !reached[n] {
			t.Errorf("route #%d (roles %v) is in no operation of openapi.json: document it with its x-roles", n, roles)
		}
	}
	if *writeRoles != "" {
		data, _ := json.MarshalIndent(byPattern, "", "  ")
		if err := os.WriteFile(*writeRoles, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The real auth wrapper refuses every role the policy leaves out, before any handler runs.
	h := matrixServer(t)
	for _, op := range ops {
		if op.roles == nil || t.Failed() {
			continue // a policy that differs from the route's would reach handlers with no storage
		}
		for _, role := range auth.Roles {
			if auth.Can(role, opCap[op.method+" "+op.path]) {
				continue
			}
			req := httptest.NewRequest(op.method, samplePath(op.path), nil)
			req.Header.Set("Authorization", "Bearer "+role)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d, want 403", op.method, op.path, role, w.Code)
			}
		}
		req := httptest.NewRequest(op.method, samplePath(op.path), nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d, want 401", op.method, op.path, w.Code)
		}
	}
}

// matrixServer is serve's handler with a token named after each role.
func matrixServer(t *testing.T) http.Handler {
	var entries []auth.TokenEntry
	for _, role := range auth.Roles[1:] {
		entries = append(entries, auth.TokenEntry{Name: role, Role: role, SHA256: auth.HashToken(role), Department: "tax"})
	}
	data, _ := json.Marshal(entries)
	path := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := auth.LoadTokens(path, "admin")
	if err != nil {
		t.Fatal(err)
	}
	s := &api.Server{Config: config.Default(), Tokens: tok, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: metrics.New(), Dashboard: http.NotFoundHandler()}
	s.Extra = allRoutes(s)[1:]
	return s.Handler()
}
