package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"onewindow/internal/httpx"
	"onewindow/storage"
)

func (e *edgeEnv) do(t *testing.T, method, path, token string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

func errCode(w *httptest.ResponseRecorder) string {
	var b httpx.ErrorBody
	_ = json.Unmarshal(w.Body.Bytes(), &b)
	return b.Error.Code
}

// fileDocument files a document with a PDF and its text in the fakes.
func (e *edgeEnv) fileDocument(id, station string, pdf []byte) {
	sum := sha256.Sum256(pdf)
	e.state.docs[id] = storage.Document{ID: id, BatchID: "b", Station: station, SHA256: hex.EncodeToString(sum[:]),
		Fields: map[string][]string{"id_numbers": {"220102199003071234"}}, CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	e.blobs.objects[storage.DocumentPDFKey(id)] = pdf
	e.blobs.sizes[storage.DocumentPDFKey(id)] = int64(len(pdf))
	e.blobs.objects[storage.DocumentTextKey(id)] = []byte("申请人 220102199003071234")
	e.blobs.sizes[storage.DocumentTextKey(id)] = 1
}

func TestHTTPDetails(t *testing.T) {
	e := newEdgeEnv(t)
	pdf := []byte("%PDF-1.7 0123456789 the filed document's bytes %%EOF")
	e.fileDocument("d-001", "room-1", pdf)
	sum := sha256.Sum256(pdf)

	w := e.do(t, "GET", "/api/v1/batches", "")
	if w.Code != 401 || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d, WWW-Authenticate %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	for _, tt := range []struct{ method, path, allow string }{
		{"PUT", "/api/v1/batches", "GET, HEAD, POST"},
		{"DELETE", "/api/v1/documents/d-001/pdf", "GET, HEAD"},
		{"POST", "/api/v1/batches/x", "GET, HEAD"},
	} {
		w := e.do(t, tt.method, tt.path, "admin")
		if w.Code != 405 || w.Header().Get("Allow") != tt.allow || errCode(w) != "method_not_allowed" {
			t.Errorf("%s %s: %d Allow %q %s", tt.method, tt.path, w.Code, w.Header().Get("Allow"), w.Body.String())
		}
	}
	if w := e.do(t, "GET", "/api/v1/nothing-here", "admin"); w.Code != 404 || errCode(w) != "not_found" {
		t.Errorf("unknown path: %d %s", w.Code, w.Body.String())
	}

	w = e.do(t, "GET", "/api/v1/documents/d-001/pdf", "archivist")
	wantDigest := "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
	etag := w.Header().Get("ETag")
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), pdf) || w.Header().Get("Repr-Digest") != wantDigest ||
		etag != `"`+hex.EncodeToString(sum[:])+`"` || w.Header().Get("Content-Disposition") != `inline; filename=d-001.pdf` ||
		w.Header().Get("Content-Type") != "application/pdf" || w.Header().Get("Digest") != "" {
		t.Errorf("pdf: %d %v", w.Code, w.Header())
	}
	w = e.do(t, "GET", "/api/v1/documents/d-001/pdf", "archivist", "Range", "bytes=9-18")
	if w.Code != 206 || w.Body.String() != "0123456789" || w.Header().Get("Content-Range") != "bytes 9-18/"+itoa(len(pdf)) ||
		w.Header().Get("Repr-Digest") != wantDigest {
		t.Errorf("range: %d %q %v", w.Code, w.Body.String(), w.Header())
	}
	if w := e.do(t, "GET", "/api/v1/documents/d-001/pdf", "archivist", "If-None-Match", etag); w.Code != 304 {
		t.Errorf("If-None-Match: %d", w.Code)
	}
	if w := e.do(t, "GET", "/api/v1/documents/d-001/pdf", "viewer"); w.Code != 403 || errCode(w) != "viewer_pdf_refused" {
		t.Errorf("viewer pdf: %d %s", w.Code, w.Body.String())
	}
	if w := e.do(t, "GET", "/api/v1/documents/d-001/text", "viewer"); w.Code != 200 || strings.Contains(w.Body.String(), "199003071234") {
		t.Errorf("viewer text: %d %s", w.Code, w.Body.String())
	}
	for _, path := range []string{"/api/v1/documents/d-001", "/api/v1/documents/d-001/pdf", "/api/v1/documents/d-001/text"} {
		if w := e.do(t, "GET", path, "scan-3"); w.Code != 404 {
			t.Errorf("another station's document %s: %d", path, w.Code)
		}
	}
	if w := e.do(t, "GET", "/api/v1/openapi.json", ""); w.Code != 200 || !json.Valid(w.Body.Bytes()) {
		t.Errorf("openapi: %d", w.Code)
	}
}

func TestRequestIDsAndAccessLog(t *testing.T) {
	e := newEdgeEnv(t)
	var logged bytes.Buffer
	e.srv.Log = slog.New(slog.NewJSONHandler(&logged, nil))
	e.h = e.srv.Handler()

	w := e.do(t, "GET", "/api/v1/batches?status=done", "archivist", "X-Request-ID", "station-7.retry-2")
	if w.Code != 200 || w.Header().Get("X-Request-ID") != "station-7.retry-2" {
		t.Fatalf("%d, X-Request-ID %q", w.Code, w.Header().Get("X-Request-ID"))
	}
	w = e.do(t, "GET", "/api/v1/batches/nope", "archivist", "X-Request-ID", "bad id with spaces")
	made := w.Header().Get("X-Request-ID")
	if len(made) != 24 {
		t.Fatalf("made request ID %q", made)
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logged.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	var access, failed int
	for _, m := range lines {
		if m["request_id"] == nil {
			t.Errorf("log line without request_id: %v", m)
		}
		switch m["msg"] {
		case "http":
			access++
			if m["principal"] != "archivist-user" || m["route"] == "" || m["status"] == nil || m["bytes"] == nil || m["ms"] == nil {
				t.Errorf("access line: %v", m)
			}
		case "request failed":
			failed++
			if m["request_id"] != made {
				t.Errorf("failure line has request_id %v, want %s", m["request_id"], made)
			}
		}
	}
	if access != 2 || failed != 1 {
		t.Errorf("%d access lines and %d failure lines: %s", access, failed, logged.String())
	}
	if strings.Contains(logged.String(), "archivist\"") || strings.Contains(logged.String(), "Bearer") {
		t.Error("a token reached the log")
	}
	metrics := e.do(t, "GET", "/metrics", "")
	if !strings.Contains(metrics.Body.String(), `onewindow_http_request_duration_seconds_count{code="2xx",method="GET",route="GET /api/v1/batches"} 1`) {
		t.Errorf("no HTTP duration histogram:\n%s", grep(metrics.Body.String(), "onewindow_http"))
	}
}

func TestQueueDashboard(t *testing.T) {
	e := newEdgeEnv(t)
	served := ""
	e.srv.Dashboard = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served = "read-only " + r.Method })
	e.h = e.srv.Handler()
	check := func(name, method, token string, status int, want string) {
		t.Helper()
		served = ""
		w := e.do(t, method, "/admin/queues/api/queues", token)
		if w.Code != status || served != want {
			t.Errorf("%s: %d %q %s, want %d %q", name, w.Code, served, w.Body.String(), status, want)
		}
	}
	check("viewer", "GET", "viewer", 403, "")
	check("operator reads", "GET", "operator", 200, "read-only GET")
	check("operator writes, read-only installation", "DELETE", "operator", 403, "")
	e.srv.DashboardWrite = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served = "write " + r.Method })
	e.h = e.srv.Handler()
	check("operator writes", "DELETE", "operator", 200, "write DELETE")
	check("admin writes", "POST", "admin", 200, "write POST")
	check("archivist writes", "POST", "archivist", 403, "")
	if w := e.do(t, "GET", "/admin/queues/", ""); w.Code != 401 || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic") {
		t.Errorf("browser without credentials: %d %v", w.Code, w.Header())
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
