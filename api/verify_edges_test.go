package api

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"onewindow/archive"
	"onewindow/internal/esign"
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

// A signed filed copy's verification names the signer, the signing time and the time-stamp,
// and says whether the copy is the one signed: a changed byte turns the answer to 不一致.
func TestVerifyShowsTheFiledCopysSignature(t *testing.T) {
	e := newEdgeEnv(t)
	ctx := context.Background()
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.CA.Raw}), 0o600)
	e.srv.Config.SignTrust = caFile
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	var unsigned bytes.Buffer
	if err := p.Output(&unsigned); err != nil {
		t.Fatal(err)
	}
	signed, _, err := pki.Signer.SignPDFBytes(ctx, unsigned.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Clone(signed)
	changed[20] ^= 1
	textSHA := "89abcdef01234567" + strings.Repeat("0", 48)
	for _, tc := range []struct {
		id     string
		pdf    []byte
		intact bool
		page   string
	}{
		{"0193f2a1-7b4c-7def-8a12-3456789abcde-101", signed, true, "一致，未被改动"},
		{"0193f2a1-7b4c-7def-8a12-3456789abcde-102", changed, false, "不一致"},
	} {
		rec, _ := json.Marshal(archive.Record{DocumentID: tc.id, FiledAt: time.Now(),
			Files: []archive.File{{Role: "text", Digests: archive.Digests{SHA256: textSHA}}}})
		if _, err := e.blobs.PutBytes(ctx, storage.Archive, storage.DocumentRecordKey(tc.id), rec, storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.blobs.PutBytes(ctx, storage.Archive, storage.DocumentPDFKey(tc.id), tc.pdf, storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		path := strings.TrimPrefix(archive.VerifyURL("http://hall.example", tc.id, textSHA), "http://hall.example")
		w := e.do(t, "GET", path, "", "Accept", "application/json")
		var v Verification
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || v.Signature == nil {
			t.Fatalf("%s: %d %s", tc.id, w.Code, w.Body)
		}
		if s := v.Signature; s.Signer != "测试政务服务中心" || s.Intact != tc.intact || s.Valid != tc.intact || (s.Timestamp != nil) != tc.intact || s.Trusted != tc.intact {
			t.Errorf("%s: signature %+v", tc.id, s)
		}
		if page := e.do(t, "GET", path, ""); !strings.Contains(page.Body.String(), tc.page) || !strings.Contains(page.Body.String(), "测试政务服务中心") {
			t.Errorf("%s: page %s", tc.id, page.Body)
		}
	}
}
