package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/storage"
)

// The verification route answers a stamp's holder without a token, and only this: accepted,
// when, by which hall. An unknown ID, a wrong digest and a malformed one get the same answer.
func TestVerify(t *testing.T) {
	e := newEdgeEnv(t)
	const id = "0193f2a1-7b4c-7def-8a12-3456789abcde-001"
	textSHA := "89abcdef01234567" + strings.Repeat("0", 48)
	filed := time.Date(2026, 3, 4, 2, 5, 0, 0, time.UTC)
	rec := archive.Record{DocumentID: id, Title: "营业执照", Type: "business_license", CaseNo: "JL-1", Applicant: "张三",
		Fields: map[string][]string{"id_numbers": {testID}}, FiledAt: filed,
		Files: []archive.File{{Role: "pdf", Digests: archive.Digests{SHA256: strings.Repeat("f", 64)}},
			{Role: "text", Digests: archive.Digests{SHA256: textSHA}}}}
	data, _ := json.Marshal(rec)
	if _, err := e.blobs.PutBytes(context.Background(), storage.Archive, storage.DocumentRecordKey(id), data, storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	url := archive.VerifyURL("http://hall.example", id, textSHA)
	path := strings.TrimPrefix(url, "http://hall.example")
	d := loadSchemas(t)
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

	ok := e.do(t, "GET", path, "", "Accept", "application/json")
	if ok.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", path, ok.Code, ok.Body)
	}
	var v map[string]any
	if err := json.Unmarshal(ok.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.check(ref("Verification"), v, "Verification") {
		t.Error(p)
	}
	want := map[string]any{"accepted": true, "document_id": id, "filed_at": "2026-03-04T02:05:00Z", "hall": e.srv.Config.HallName}
	if len(v) != len(want) {
		t.Errorf("answer %v has more than %v", v, want)
	}
	for k, x := range want {
		if v[k] != x {
			t.Errorf("%s = %v, want %v", k, v[k], x)
		}
	}
	for _, leak := range []string{"张三", "JL-1", "business_license", "营业执照", testID} {
		if strings.Contains(ok.Body.String(), leak) {
			t.Errorf("the answer names %q", leak)
		}
	}
	if got := e.do(t, "GET", "/verify/"+id, "", "Accept", "application/json"); got.Code != http.StatusNotFound {
		t.Errorf("without a digest: %d, want 404 like any other miss", got.Code)
	}

	var notFound string
	for _, p := range []string{
		"/verify/" + id + "?d=0000000000000000",   // wrong digest
		"/verify/" + id + "?d=89abcdef0123456",    // too short
		"/verify/" + id + "?d=89abcdef01234567ff", // too long
		"/verify/" + id + "x?d=89abcdef01234567",  // unknown ID
		"/verify/" + id[:10] + "?d=89abcdef01234567",
		"/verify/..%2Faudit?d=89abcdef01234567", // not a document ID
	} {
		w := e.do(t, "GET", p, "", "Accept", "application/json")
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: %d %s", p, w.Code, w.Body)
			continue
		}
		var body any
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		for _, p := range d.check(ref("Error"), body, "Error") {
			t.Error(p)
		}
		if notFound == "" {
			notFound = w.Body.String()
		} else if w.Body.String() != notFound {
			t.Errorf("%s answers %s, another not-found answered %s", p, w.Body, notFound)
		}
	}

	page := e.do(t, "GET", path, "")
	if page.Code != http.StatusOK || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(page.Body.String(), "核验通过") || !strings.Contains(page.Body.String(), "2026-03-04 10:05") {
		t.Errorf("page: %d %s %s", page.Code, page.Header().Get("Content-Type"), page.Body)
	}
	if miss := e.do(t, "GET", "/verify/"+id+"?d=0000000000000000", ""); miss.Code != http.StatusNotFound || !strings.Contains(miss.Body.String(), "未能核验") {
		t.Errorf("page for a wrong digest: %d %s", miss.Code, miss.Body)
	}
}

// Whatever a QR code or a hand-typed URL holds, the route answers 200 for the one document
// and digest it knows, else 404, and never anything else.
func FuzzVerify(f *testing.F) {
	e := newEdgeEnv(f)
	const id = "0193f2a1-7b4c-7def-8a12-3456789abcde-001"
	rec, _ := json.Marshal(archive.Record{DocumentID: id, FiledAt: time.Now(),
		Files: []archive.File{{Role: "text", Digests: archive.Digests{SHA256: "89abcdef01234567" + strings.Repeat("0", 48)}}}})
	if _, err := e.blobs.PutBytes(context.Background(), storage.Archive, storage.DocumentRecordKey(id), rec, storage.PutOptions{}); err != nil {
		f.Fatal(err)
	}
	f.Add(id, "89abcdef01234567")
	f.Add(id, "89ABCDEF01234567")
	f.Add("../"+id, "")
	f.Add(id, "%00")
	f.Fuzz(func(t *testing.T, id, d string) {
		target := "/verify/" + url.PathEscape(id) + "?d=" + url.QueryEscape(d)
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path, req.URL.RawPath, req.URL.RawQuery = "/verify/"+id, "", "d="+url.QueryEscape(d)
		req.Header.Set("Accept", "application/json")
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK, http.StatusNotFound:
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusMethodNotAllowed:
			// the mux cleans paths with dot segments or slashes before any handler sees them
		case http.StatusTooManyRequests: // the fuzzer is one client asking very fast
		default:
			t.Errorf("%s: %d %s", target, w.Code, w.Body)
		}
	})
}
