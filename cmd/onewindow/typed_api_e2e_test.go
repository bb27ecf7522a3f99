package main

// Every request and answer of one case, from intake to the applicant's rating, held against the
// OpenAPI document: the schemas must say what the daemon really takes and sends.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"onewindow/internal/auth"
	"onewindow/internal/testfixtures"
)

// validating is an http.RoundTripper that checks each request and its answer against the
// document, and remembers which operations it saw.
type validating struct {
	t      *testing.T
	router routers.Router
	mu     sync.Mutex
	seen   map[string]int
}

func newValidating(t *testing.T, base string) *validating {
	t.Helper()
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &validating{t: t, router: router, seen: map[string]int{}}
}

func (v *validating) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		v.t.Errorf("%s %s: not in the document: %v", req.Method, req.URL.Path, err)
		req.Body = io.NopCloser(bytes.NewReader(body))
		return http.DefaultTransport.RoundTrip(req)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	req.Body = io.NopCloser(bytes.NewReader(body))
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		v.t.Errorf("request %s %s does not fit the document: %v", req.Method, route.Path, err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	ropts := *opts
	ropts.ExcludeResponseBody = !strings.Contains(resp.Header.Get("Content-Type"), "json")
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: &ropts}
	out.SetBodyBytes(answer)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.t.Errorf("answer %d to %s %s does not fit the document: %v\n%s", resp.StatusCode, req.Method, route.Path, err, answer)
	}
	v.mu.Lock()
	v.seen[req.Method+" "+route.Path]++
	v.mu.Unlock()
	return resp, nil
}

// TestTypedAPIValidatesEndToEnd drives one joint case through every desk over HTTP, each
// request and answer validated against the document: open, upload, decide, log its mail, the
// departments' packages and results, hand-out, the applicant's lookup and rating, the figures.
func TestTypedAPIValidatesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	dir := t.TempDir()
	depts := []string{"natural-resources", "taxation"} // JL-ZR-001 of the bundled catalogue
	_, deptFile := startReceivers(t, dir, depts...)
	tokens := []auth.TokenEntry{
		{Name: "window-1", Role: auth.RoleWindow, SHA256: auth.HashToken("typed-window-token")},
		{Name: "hall-manager", Role: auth.RoleManager, SHA256: auth.HashToken(managerToken)},
	}
	for _, id := range depts {
		tokens = append(tokens, auth.TokenEntry{Name: id, Role: auth.RoleDepartment, Department: id, SHA256: auth.HashToken("typed-dept-" + id)})
	}
	raw, _ := json.Marshal(tokens)
	tokFile := filepath.Join(dir, "tokens.json")
	if err := os.WriteFile(tokFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, filepath.Join(dir, "data"), "ONEWINDOW_DEPARTMENTS_FILE="+deptFile, "ONEWINDOW_TOKENS_FILE="+tokFile)
	v := newValidating(t, d.base)
	client := &http.Client{Transport: v}
	call := func(token, method, path string, body []byte, ctype string, header map[string]string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, d.base+path, bytes.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != nil {
			if ctype == "" {
				ctype = "application/json"
			}
			req.Header.Set("Content-Type", ctype)
		}
		for k, x := range header {
			req.Header.Set(k, x)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %q", method, path, resp.StatusCode, b)
		}
		return resp.StatusCode, out
	}
	const window = "typed-window-token"
	const applicantID = "220103198909195957"
	if st, m := call(window, "GET", "/api/v1/matters", nil, "", nil); st != 200 {
		t.Fatalf("matters: %d %v", st, m)
	}
	st, c := call(window, "POST", "/api/v1/cases", []byte(`{"matter":"JL-ZR-001","applicant":{"name":"杨佳","id_number":"`+applicantID+`","phone":"13912345678"},"channel":"counter"}`), "", nil)
	if st != 201 {
		t.Fatalf("open case: %d %v", st, c)
	}
	no := c["case_no"].(string)

	// The scan station files the applicant's ID card into the case.
	page := testfixtures.TextPage(t, "居民身份证", "姓名 杨佳", "公民身份号码 "+applicantID, "Resident identity card")
	up := uploadRequest(d.base, d.token, nil, map[string]string{"case_no": no, "station": "room-2"}, file{"id.pdf", testfixtures.ScanPDF(t, page)})
	resp, err := client.Do(up)
	if err != nil {
		t.Fatal(err)
	}
	var batch map[string]any
	json.NewDecoder(resp.Body).Decode(&batch)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("upload: %d %v", resp.StatusCode, batch)
	}
	dlvWait(t, 2*time.Minute, "the batch is done", func() bool {
		_, b := call(d.token, "GET", "/api/v1/batches/"+batch["id"].(string), nil, "", nil)
		return b["status"] == "done" || b["status"] == "failed"
	})
	dlvWait(t, 30*time.Second, "the case has the batch's documents", func() bool {
		_, c = call(window, "GET", "/api/v1/cases/"+no, nil, "", nil)
		docs, _ := c["documents"].([]any)
		return len(docs) > 0
	})
	version := strconv.Itoa(int(c["version"].(float64)))
	if st, c = call(window, "POST", "/api/v1/cases/"+no+"/decision", []byte(`{"decision":"accept","reason":"其余材料纸质移交"}`), "", map[string]string{"If-Match": version}); st != 200 {
		t.Fatalf("decide: %d %v", st, c)
	}
	call(window, "GET", "/api/v1/cases?q="+no, nil, "", nil)

	// The courier desk logs a letter for the case.
	st, mail := call(d.token, "POST", "/api/v1/mail", []byte(`{"carrier":"SF","waybill":"SF1234567890123","sender":{"name":"杨佳","phone":"13912345678","address":"长春市朝阳区"},"signed_by":"收发员","pieces":1,"case_no":"`+no+`"}`), "", nil)
	if st != 201 {
		t.Fatalf("mail: %d %v", st, mail)
	}
	call(d.token, "GET", "/api/v1/mail/"+mail["id"].(string), nil, "", nil)
	call(d.token, "GET", "/api/v1/mail", nil, "", nil)

	// The departments get their packages and answer; the window hands the result out.
	dlvWait(t, 60*time.Second, "the case in review", func() bool {
		_, c = call(window, "GET", "/api/v1/cases/"+no, nil, "", nil)
		return c["state"] == "in_review"
	})
	for _, id := range depts {
		_, list := call("typed-dept-"+id, "GET", "/api/v1/deliveries", nil, "", nil)
		if recs, _ := list["deliveries"].([]any); len(recs) > 0 {
			key := recs[0].(map[string]any)["key"].(string)
			if st, m := call("typed-dept-"+id, "GET", "/api/v1/deliveries/"+key+"/manifest", nil, "", nil); st != 200 {
				t.Errorf("%s manifest: %d %v", id, st, m)
			}
			if st, a := call("typed-dept-"+id, "POST", "/api/v1/deliveries/"+key+"/ack", nil, "", nil); st != 200 {
				t.Errorf("%s ack: %d %v", id, st, a)
			}
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		w, _ := mw.CreateFormFile("file", "decision.pdf")
		w.Write(testfixtures.ScanPDF(t, testfixtures.TextPage(t, "审批决定书", "准予许可", "Decision of "+id)))
		mw.WriteField("kind", "decision")
		mw.Close()
		if st, r := call("typed-dept-"+id, "POST", "/api/v1/cases/"+no+"/results", body.Bytes(), mw.FormDataContentType(), nil); st != 201 {
			t.Fatalf("%s result: %d %v", id, st, r)
		}
	}
	call(window, "GET", "/api/v1/cases/"+no+"/deliveries", nil, "", nil)
	if st, h := call(window, "POST", "/api/v1/cases/"+no+"/handout",
		[]byte(`{"method":"pickup","collector":{"name":"杨佳","id_number":"`+applicantID+`"},"confirmation":"confirmed"}`), "", nil); st != 200 {
		t.Fatalf("handout: %d %v", st, h)
	}
	call(window, "GET", "/api/v1/cases/"+no+"/deliveries", nil, "", nil)

	// The applicant looks it up and rates it; the management reads the figures.
	if st, p := call("", "GET", "/api/v1/public/cases/"+no+"?check=5678", nil, "", nil); st != 200 {
		t.Errorf("public lookup: %d %v", st, p)
	}
	if st, r := call("", "POST", "/api/v1/public/cases/"+no+"/rating", []byte(`{"check":"5678","score":5,"comment":"很好"}`), "", nil); st != 201 {
		t.Errorf("rating: %d %v", st, r)
	}
	today := time.Now().In(mustZone(t)).Format(time.DateOnly)
	if st, s := call(managerToken, "GET", "/api/v1/stats?from="+today+"&to="+today, nil, "", nil); st != 200 {
		t.Errorf("stats: %d %v", st, s)
	}
	call(managerToken, "GET", "/api/v1/ratings", nil, "", nil)

	// The archive's and the administrator's answers about the same case and its document.
	docs, _ := c["documents"].([]any)
	if len(docs) == 0 {
		t.Fatalf("the case has no documents: %v", c)
	}
	doc := docs[0].(string)
	purpose := map[string]string{"X-Purpose": "typed-api-check"}
	for _, path := range []string{"/api/v1/documents/" + doc, "/api/v1/documents/" + doc + "/events",
		"/api/v1/documents/" + doc + "/link?file=pdf&minutes=5", "/api/v1/search?q=" + applicantID[:10] + "*",
		"/api/v1/report?case_no=" + no, "/api/v1/batches?case_no=" + no, "/api/v1/review", "/api/v1/review/model",
		"/api/v1/departments", "/api/v1/deliveries/dead", "/api/v1/supplements/overdue", "/api/v1/mail/carriers",
		"/api/v1/mail/register"} {
		if st, out := call(d.token, "GET", path, nil, "", purpose); st != 200 {
			t.Errorf("GET %s: %d %v", path, st, out)
		}
	}
	if st, out := call(d.token, "PATCH", "/api/v1/mail/"+mail["id"].(string), []byte(`{"received_by":"窗口"}`), "", nil); st != 200 {
		t.Errorf("PATCH mail: %d %v", st, out)
	}
	for _, on := range []string{"true", "false"} {
		if st, out := call(d.token, "PUT", "/api/v1/admin/documents/"+doc+"/legal-hold", []byte(`{"on":`+on+`,"reason":"typed-api-check"}`), "", nil); st != 200 {
			t.Errorf("legal hold %s: %d %v", on, st, out)
		}
	}
	for _, path := range []string{"/api/v1/admin/audit/verify", "/api/v1/admin/fixity", "/api/v1/admin/reindex"} {
		if st, out := call(d.token, "POST", path, nil, "", nil); st != 200 {
			t.Errorf("POST %s: %d %v", path, st, out)
		}
	}
	t.Logf("operations validated: %v", v.seen)
}
