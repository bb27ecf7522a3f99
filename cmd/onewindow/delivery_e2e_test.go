package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"onewindow/delivery"
	"onewindow/internal/auth"
	"onewindow/internal/testfixtures"
)

// dlvReceiver is a department's endpoint started by the test: it keeps every request whole, to
// be verified the way a department verifies them.
type dlvReceiver struct {
	mu   sync.Mutex
	reqs []dlvRequest
}

type dlvRequest struct {
	header http.Header
	body   []byte
}

func (rc *dlvReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, dlvRequest{r.Header.Clone(), body})
	rc.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// find returns the requests whose event header is event ("" for packages).
func (rc *dlvReceiver) find(event string) []dlvRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []dlvRequest
	for _, r := range rc.reqs {
		if r.header.Get("X-Onewindow-Event") == event {
			out = append(out, r)
		}
	}
	return out
}

// dlvCall sends a request with token; body is JSON unless ctype says otherwise.
func dlvCall(t *testing.T, d *daemon, token, method, path string, body []byte, ctype string, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, d.base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		if ctype == "" {
			ctype = "application/json"
		}
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return d.do(req)
}

func dlvWait(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestCaseDeliveredToDepartmentsAndHandedOut walks a joint case from the window to the
// departments and back: open, upload, accept; each department's receiver gets a signed
// manifest; both upload results; the case is result_ready; the window hands it out; it closes
// and the departments are told.
// startReceivers starts a webhook receiver for each department and writes a departments
// file in dir that sends each its packages (secret "secret-ID").
func startReceivers(t *testing.T, dir string, depts ...string) (map[string]*dlvReceiver, string) {
	t.Helper()
	receivers := map[string]*dlvReceiver{}
	yaml := "departments:\n"
	for _, id := range depts {
		rc := &dlvReceiver{}
		srv := httptest.NewServer(rc)
		t.Cleanup(srv.Close)
		receivers[id] = rc
		yaml += fmt.Sprintf("  - id: %s\n    name: %s\n    webhook: {url: %q, secret: %q, timeout: 5s}\n", id, id, srv.URL+"/onewindow", "secret-"+id)
	}
	deptFile := filepath.Join(dir, "departments.yaml")
	if err := os.WriteFile(deptFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return receivers, deptFile
}

func TestCaseDeliveredToDepartmentsAndHandedOut(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	dir := t.TempDir()
	depts := []string{"natural-resources", "taxation"} // JL-ZR-001 of the bundled catalogue
	receivers, deptFile := startReceivers(t, dir, depts...)
	tokens := []auth.TokenEntry{{Name: "window-1", Role: auth.RoleWindow, SHA256: auth.HashToken("e2e-window-token")}}
	for _, id := range depts {
		tokens = append(tokens, auth.TokenEntry{Name: id, Role: auth.RoleDepartment, Department: id, SHA256: auth.HashToken("e2e-dept-" + id)})
	}
	raw, _ := json.Marshal(tokens)
	tokFile := filepath.Join(dir, "tokens.json")
	if err := os.WriteFile(tokFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, filepath.Join(dir, "data"), "ONEWINDOW_DEPARTMENTS_FILE="+deptFile, "ONEWINDOW_TOKENS_FILE="+tokFile)
	const window = "e2e-window-token"
	const applicantID = "220103198909195957"

	st, c := dlvCall(t, d, window, "POST", "/api/v1/cases", []byte(`{"matter":"JL-ZR-001","applicant":{"name":"杨佳","id_number":"`+applicantID+`"},"channel":"counter"}`), "", nil)
	if st != 201 {
		t.Fatalf("open case: %d %v", st, c)
	}
	no := c["case_no"].(string)

	page := testfixtures.TextPage(t, "居民身份证", "姓名 杨佳", "公民身份号码 "+applicantID, "Resident identity card")
	d.uploadDone(map[string]string{"case_no": no, "station": "room-2"}, 2*time.Minute, file{"id.pdf", testfixtures.ScanPDF(t, page)})
	var docs []any
	dlvWait(t, 30*time.Second, "the case has the batch's documents", func() bool {
		_, c = dlvCall(t, d, window, "GET", "/api/v1/cases/"+no, nil, "", nil)
		docs, _ = c["documents"].([]any)
		return len(docs) > 0
	})
	version := strconv.Itoa(int(c["version"].(float64)))
	st, c = dlvCall(t, d, window, "POST", "/api/v1/cases/"+no+"/decision", []byte(`{"decision":"accept","reason":"the rest is handed over on paper"}`), "", map[string]string{"If-Match": version})
	if st != 200 || c["state"] != "accepted" {
		t.Fatalf("decide: %d %v", st, c)
	}
	due, _ := c["due_date"].(string)

	// Each department gets its package, signed with its secret, naming the case's documents.
	_, doc := d.get("/api/v1/documents/" + docs[0].(string))
	for _, id := range depts {
		rc := receivers[id]
		dlvWait(t, 60*time.Second, id+" receives its package", func() bool { return len(rc.find("")) > 0 })
		got := rc.find("")[0]
		if err := delivery.Verify(delivery.AlgSHA256, []byte("secret-"+id), got.header.Get("X-Onewindow-Timestamp"),
			got.header.Get("X-Onewindow-Signature"), got.body, time.Now(), 0); err != nil {
			t.Errorf("%s: signature: %v", id, err)
		}
		var m delivery.Manifest
		if err := json.Unmarshal(got.body, &m); err != nil {
			t.Fatal(err)
		}
		if m.CaseNo != no || m.Department != id || m.DueDate != due || len(m.Documents) != 1 || m.Documents[0].ID != docs[0] ||
			m.Documents[0].SHA256 != doc["sha256"] || got.header.Get("Idempotency-Key") != delivery.IdempotencyKey(no, id, 1) {
			t.Errorf("%s: manifest %s", id, got.body)
		}
		resp, err := http.Get(m.Documents[0].URL)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: the document link does not read: %v %v", id, err, resp)
		} else {
			resp.Body.Close()
		}
	}
	dlvWait(t, 30*time.Second, "the case in review", func() bool {
		_, c = dlvCall(t, d, window, "GET", "/api/v1/cases/"+no, nil, "", nil)
		return c["state"] == "in_review"
	})

	// Both departments answer; the second answer makes the result ready.
	for i, id := range depts {
		st, r := postDecision(t, d, "e2e-dept-"+id, no, id)
		want := "in_review"
		if i == len(depts)-1 {
			want = "result_ready"
		}
		if st != 201 || r["state"] != want {
			t.Fatalf("%s result: %d %v (want state %s)", id, st, r, want)
		}
	}
	st, list := dlvCall(t, d, "e2e-dept-taxation", "GET", "/api/v1/deliveries", nil, "", nil)
	for _, x := range list["deliveries"].([]any) {
		if x.(map[string]any)["department"] != "taxation" {
			t.Errorf("taxation lists another department's delivery: %v", x)
		}
	}
	if st != 200 || list["count"].(float64) < 1 {
		t.Errorf("taxation's deliveries: %d %v", st, list)
	}

	// The applicant collects it at the window; the case closes and the departments hear of it.
	st, h := dlvCall(t, d, window, "POST", "/api/v1/cases/"+no+"/handout",
		[]byte(`{"method":"pickup","collector":{"name":"杨佳","id_number":"`+applicantID+`"},"confirmation":"confirmed"}`), "", nil)
	if st != 200 {
		t.Fatalf("handout: %d %v", st, h)
	}
	_, c = dlvCall(t, d, window, "GET", "/api/v1/cases/"+no, nil, "", nil)
	if c["state"] != "closed" {
		t.Errorf("case after handout: %v", c["state"])
	}
	for _, id := range depts {
		rc := receivers[id]
		dlvWait(t, 30*time.Second, id+" told of the handout", func() bool { return len(rc.find("handout")) == 1 })
		ev := rc.find("handout")[0]
		if err := delivery.Verify(delivery.AlgSHA256, []byte("secret-"+id), ev.header.Get("X-Onewindow-Timestamp"),
			ev.header.Get("X-Onewindow-Signature"), ev.body, time.Now(), 0); err != nil {
			t.Errorf("%s: handout event signature: %v", id, err)
		}
		if len(rc.find("")) != 1 {
			t.Errorf("%s got %d package requests, want exactly one", id, len(rc.find("")))
		}
	}
}
