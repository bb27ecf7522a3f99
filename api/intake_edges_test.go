package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"onewindow/internal/auth"
	"onewindow/internal/config"
	"onewindow/internal/httpx"
	"onewindow/internal/metrics"
	"onewindow/internal/testfixtures/encode"
	"onewindow/storage"
)

type edgeEnv struct {
	srv   *Server
	h     http.Handler
	blobs *memBlobs
	state *memState
	queue *fakeQueue
}

// newEdgeEnv is an API on in-memory storage with a token per role ("admin" is the admin
// token; "scan-3" a scanner bound to station room-3).
func newEdgeEnv(t testing.TB) *edgeEnv {
	t.Helper()
	var entries []auth.TokenEntry
	for _, role := range auth.Roles[1:] {
		e := auth.TokenEntry{Name: role + "-user", Role: role, SHA256: auth.HashToken(role)}
		if role == auth.RoleDepartment {
			e.Department = "tax"
		}
		entries = append(entries, e)
	}
	entries = append(entries, auth.TokenEntry{Name: "station-3", Role: auth.RoleScanner, SHA256: auth.HashToken("scan-3"), Station: "room-3"})
	data, _ := json.Marshal(entries)
	path := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := auth.LoadTokens(path, "admin")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	e := &edgeEnv{blobs: newMemBlobs(), state: newMemState(), queue: &fakeQueue{}}
	e.srv = &Server{Config: cfg, Blobs: e.blobs, State: e.state, Queue: e.queue, Tokens: tok,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New(), SpoolDir: t.TempDir()}
	e.h = e.srv.Handler()
	return e
}

func tinyPNG(t testing.TB) []byte { return encode.PNG(t, image.NewGray(image.Rect(0, 0, 20, 20))) }

type part struct {
	header string // raw Content-Disposition value
	body   string
}

func field(name, v string) part { return part{fmt.Sprintf(`form-data; name=%q`, name), v} }

func filePart(name string, data []byte) part {
	return part{fmt.Sprintf(`form-data; name="file"; filename=%q`, name), string(data)}
}

func form(t testing.TB, parts ...part) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		w, err := mw.CreatePart(map[string][]string{"Content-Disposition": {p.header}})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.body)
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func (e *edgeEnv) upload(t *testing.T, token, key string, parts ...part) (*httptest.ResponseRecorder, map[string]string, httpx.ErrorBody) {
	ct, body := form(t, parts...)
	req := httptest.NewRequest("POST", "/api/v1/batches", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	var ok map[string]string
	var bad httpx.ErrorBody
	_ = json.Unmarshal(w.Body.Bytes(), &ok)
	_ = json.Unmarshal(w.Body.Bytes(), &bad)
	return w, ok, bad
}

func TestIntakeStrictInput(t *testing.T) {
	e := newEdgeEnv(t)
	img := tinyPNG(t)
	many := []part{filePart("a.png", img)}
	for range maxParts {
		many = append(many, filePart("b.png", img))
	}
	tests := []struct {
		name   string
		parts  []part
		status int
		code   string
	}{
		{"good", []part{field("case_no", "JL-1"), filePart("a.png", img)}, 202, ""},
		{"unknown field", []part{field("case_number", "JL-1"), filePart("a.png", img)}, 400, "unknown_field"},
		{"over-long case_no", []part{field("case_no", strings.Repeat("9", 10_000)), filePart("a.png", img)}, 400, "field_too_long"},
		{"non-UTF-8 case_no", []part{field("case_no", "JL\xff\xfe"), filePart("a.png", img)}, 400, "bad_encoding"},
		{"control character in value", []part{field("station", "room\x1b[2J"), filePart("a.png", img)}, 400, "control_character"},
		{"control character in a field name", []part{{`form-data; name*=UTF-8''case%01no`, "x"}, filePart("a.png", img)}, 400, "control_character"},
		{"control character in a file name", []part{{`form-data; name="file"; filename*=UTF-8''a%1bb.png`, string(img)}}, 400, "bad_filename"},
		{"NUL in filename*", []part{{`form-data; name="file"; filename*=UTF-8''scan%00.pdf`, string(img)}}, 400, "bad_filename"},
		{"file name not UTF-8", []part{{`form-data; name="file"; filename*=UTF-8''%ff%fe.png`, string(img)}}, 400, "bad_filename"},
		{"field twice", []part{field("case_no", "a"), field("case_no", "b"), filePart("a.png", img)}, 400, "duplicate_field"},
		{"file in a value field", []part{{`form-data; name="case_no"; filename="x.txt"`, "x"}, filePart("a.png", img)}, 400, "unexpected_file"},
		{"too many parts", many, 413, "too_many_parts"},
		{"bad source", []part{field("source", "fax"), filePart("a.png", img)}, 400, "bad_source"},
		{"no file", []part{field("case_no", "JL-1")}, 400, "no_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _, bad := e.upload(t, "scanner", "", tt.parts...)
			if w.Code != tt.status || bad.Error.Code != tt.code {
				t.Fatalf("%d %s, want %d %q", w.Code, w.Body.String(), tt.status, tt.code)
			}
		})
	}
}

func TestIdempotencyKey(t *testing.T) {
	e := newEdgeEnv(t)
	img := tinyPNG(t)
	w, first, _ := e.upload(t, "scanner", "k1", field("case_no", "JL-1"), filePart("a.png", img))
	if w.Code != 202 || first["id"] == "" || w.Header().Get("Location") != "/api/v1/batches/"+first["id"] {
		t.Fatalf("first: %d %s Location %q", w.Code, w.Body.String(), w.Header().Get("Location"))
	}
	if !e.blobs.has(storage.IdempotencyClaimKey("k1")) {
		t.Fatal("the key is not claimed durably")
	}
	w, again, _ := e.upload(t, "scanner", "k1", field("case_no", "JL-1"), filePart("a.png", img))
	if w.Code != 202 || again["id"] != first["id"] {
		t.Fatalf("same request again: %d %s", w.Code, w.Body.String())
	}
	w, _, bad := e.upload(t, "scanner", "k1", field("case_no", "JL-2"), filePart("a.png", img))
	if w.Code != 422 || bad.Error.Code != "idempotency_key_reused" {
		t.Fatalf("another case under the same key: %d %s", w.Code, w.Body.String())
	}
	w, _, bad = e.upload(t, "scanner", "k1", field("case_no", "JL-1"), filePart("b.png", append(img, 0)))
	if w.Code != 422 || bad.Error.Code != "idempotency_key_reused" {
		t.Fatalf("another file under the same key: %d %s", w.Code, w.Body.String())
	}

	// Redis lost without persistence: the claim and the manifest in MinIO still answer.
	e.state.lose()
	w, again, _ = e.upload(t, "scanner", "k1", field("case_no", "JL-1"), filePart("a.png", img))
	if w.Code != 202 || again["id"] != first["id"] {
		t.Fatalf("retry after Redis loss: %d %s, want batch %s", w.Code, w.Body.String(), first["id"])
	}
	if e.state.idem["k1"] != first["id"] {
		t.Error("the Redis binding is not restored from the claim")
	}

	// The same key while the first upload is still being received.
	e.state.recv["k2"] = "someone-else"
	w, _, bad = e.upload(t, "scanner", "k2", field("case_no", "JL-3"), filePart("a.png", img))
	if w.Code != 409 || bad.Error.Code != "idempotency_key_in_use" {
		t.Fatalf("key in use: %d %s", w.Code, w.Body.String())
	}
	if w.Header().Get("Retry-After") == "" {
		t.Error("a 409 for a key in use says when to retry")
	}
}

// A client that does not send Expect: 100-continue gets its answer to a retried large upload
// (the body is read before the answer), and one that does gets a 409 without sending it.
func TestRetriedBigUploadIsAnswered(t *testing.T) {
	e := newEdgeEnv(t)
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	big := append(tinyPNG(t), bytes.Repeat([]byte{0}, 8<<20)...)
	ct, body := form(t, field("case_no", "JL-9"), filePart("big.png", big))
	send := func(key string, expect bool) (int, string) {
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/batches", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer scanner")
		req.Header.Set("Idempotency-Key", key)
		if expect {
			req.Header.Set("Expect", "100-continue")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("key %s: %v", key, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, first := send("big", false)
	if code != 202 {
		t.Fatalf("first: %d %s", code, first)
	}
	for i := range 5 {
		if code, again := send("big", false); code != 202 || again != first {
			t.Fatalf("retry %d: %d %s, want %s", i, code, again, first)
		}
	}
	e.state.mu.Lock()
	e.state.recv["busy"] = "other"
	e.state.mu.Unlock()
	for _, expect := range []bool{false, true} {
		if code, b := send("busy", expect); code != 409 {
			t.Fatalf("busy key (expect %v): %d %s", expect, code, b)
		}
	}
}

// An upload over the limit is refused while it streams, and what arrived is kept.
func TestOverLimitRefusedWhileStreaming(t *testing.T) {
	e := newEdgeEnv(t)
	e.srv.Config.MaxUploadBytes = 1 << 20
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, _ := mw.CreateFormFile("file", "long.tif")
		for range 64 { // 4 MiB, sent without a Content-Length
			if _, err := fw.Write(bytes.Repeat([]byte{'x'}, 64<<10)); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/batches", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer scanner")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var bad httpx.ErrorBody
	_ = json.NewDecoder(resp.Body).Decode(&bad)
	if resp.StatusCode != 413 || bad.Error.Code != "too_large" {
		t.Fatalf("%d %+v", resp.StatusCode, bad)
	}
	rejected := 0
	for info := range e.blobs.List(context.Background(), storage.Inbox, "rejected/") {
		var b storage.Batch
		if err := json.Unmarshal(e.blobs.objects[info.Key], &b); err != nil {
			t.Fatal(err)
		}
		if b.Error == nil || b.Error.Code != "too_large" || len(b.Files) != 1 || b.Files[0].Size == 0 ||
			!e.blobs.has(storage.RawKey(b.Files[0].SHA256)) {
			t.Fatalf("rejection record: %+v", b)
		}
		rejected++
	}
	if rejected != 1 {
		t.Fatalf("%d rejection records", rejected)
	}
}

func TestActiveContentFlagged(t *testing.T) {
	e := newEdgeEnv(t)
	pdf, err := os.ReadFile("testdata/openaction-js.pdf") // a page whose OpenAction runs JavaScript
	if err != nil {
		t.Fatal(err)
	}
	w, ok, _ := e.upload(t, "scanner", "", filePart("js.pdf", pdf))
	if w.Code != 202 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	req := httptest.NewRequest("GET", "/api/v1/batches/"+ok["id"], nil)
	req.Header.Set("Authorization", "Bearer scanner")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	var b storage.Batch
	_ = json.Unmarshal(rec.Body.Bytes(), &b)
	if len(b.Files) != 1 || strings.Join(b.Files[0].ActiveContent, ",") != "javascript" {
		t.Fatalf("batch status: %s", rec.Body.String())
	}
}

// The process's resident memory stays flat while a 500 MB upload streams through.
func TestUploadMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 500 MB")
	}
	e := newEdgeEnv(t)
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	const size = 500 << 20
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, _ := mw.CreateFormFile("file", "huge.bin")
		chunk := bytes.Repeat([]byte("not a scan, generated bytes. "), 4096)
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := fw.Write(chunk); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		mw.Close()
		pw.Close()
	}()
	runtime.GC()
	before := rssBytes(t)
	peak := before
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				peak = max(peak, rssBytes(t))
			}
		}
	}()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/batches", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer scanner")
	resp, err := http.DefaultClient.Do(req)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d", resp.StatusCode)
	}
	grew := peak - before
	t.Logf("RSS %d MiB before, peak %d MiB (+%d MiB) for a %d MiB upload", before>>20, peak>>20, grew>>20, size>>20)
	if grew > 64<<20 {
		t.Fatalf("RSS grew by %d MiB while a %d MiB upload streamed", grew>>20, size>>20)
	}
}

func rssBytes(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
