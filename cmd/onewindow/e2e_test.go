package main

// End-to-end tests drive a built onewindow through its outside contract, as acceptance does:
// `onewindow dev` with its own redis-server and MinIO, real Tesseract, real HTTP.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"onewindow/internal/devservices"
	"onewindow/internal/testfixtures"
	"onewindow/internal/testfixtures/pdfa"
	"onewindow/pipeline/pdfout"
)

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "onewindow-e2e-")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "onewindow")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type daemon struct {
	t     testing.TB
	cmd   *exec.Cmd
	base  string
	token string
	dir   string
	log   *bytes.Buffer
}

const testToken = "e2e-admin-token-0123456789"

// startDaemon runs `onewindow dev` on a free port with dataDir, and waits for /readyz.
func startDaemon(t testing.TB, dataDir string, env ...string) *daemon {
	t.Helper()
	d := launch(t, dataDir, "dev", env...)
	d.waitReady()
	return d
}

// launch runs `onewindow command` with --addr on a free port and --data-dir dataDir, stopped
// when the test ends. The environment sends dev mode's children nowhere else; env adds to it.
func launch(t testing.TB, dataDir, command string, env ...string) *daemon {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	port, err := devservices.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), token: testToken, dir: dataDir, log: &bytes.Buffer{}}
	d.cmd = exec.Command(binPath, command, "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--data-dir", dataDir)
	d.cmd.Env = append(os.Environ(), append([]string{"ONEWINDOW_ADMIN_TOKEN=" + testToken, "ONEWINDOW_REDIS_URL=",
		"ONEWINDOW_S3_ENDPOINT=", "ONEWINDOW_LOG_LEVEL=debug"}, env...)...)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.stop(); dumpLogOnFailure(t, d) })
	return d
}

// waitReady waits until the daemon's /readyz answers 200.
func (d *daemon) waitReady() {
	d.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(d.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	d.t.Fatalf("daemon not ready:\n%s", d.log.String())
}

func dumpLogOnFailure(t testing.TB, d *daemon) {
	if t.Failed() {
		t.Logf("daemon log:\n%s", d.log.String())
	}
}

func (d *daemon) stop() {
	if d.cmd.Process != nil && d.cmd.ProcessState == nil {
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
}

// kill is SIGKILL of the whole daemon: workers die mid-task; its Redis and MinIO die too.
func (d *daemon) kill() {
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	_ = d.cmd.Wait()
}

type file struct {
	name string
	data []byte
}

func (d *daemon) upload(token string, headers map[string]string, fields map[string]string, files ...file) (int, map[string]any) {
	d.t.Helper()
	return d.do(uploadRequest(d.base, token, headers, fields, files...))
}

// uploadRequest is a scan station's multipart upload of files with fields.
func uploadRequest(base, token string, headers, fields map[string]string, files ...file) *http.Request {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("file", f.name)
		_, _ = w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/batches", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req
}

func (d *daemon) get(path string) (int, map[string]any) {
	req, _ := http.NewRequest("GET", d.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+d.token)
	return d.do(req)
}

func (d *daemon) getRaw(path string) (int, []byte) {
	req, _ := http.NewRequest("GET", d.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (d *daemon) do(req *http.Request) (int, map[string]any) {
	d.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		d.t.Fatalf("%s %s: %d, body is not JSON: %q", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// uploadDone uploads files with fields as a scan station would and waits for the batch: the
// upload must be accepted and the batch done within limit. It answers the batch's status.
func (d *daemon) uploadDone(fields map[string]string, limit time.Duration, files ...file) map[string]any {
	d.t.Helper()
	code, body := d.upload(d.token, nil, fields, files...)
	if code != 202 {
		d.t.Fatalf("upload: %d %v", code, body)
	}
	b := d.waitBatch(body["id"].(string), limit)
	if b["status"] != "done" {
		d.t.Fatalf("batch: %v", b)
	}
	return b
}

// waitBatch polls until the batch is done or failed.
func (d *daemon) waitBatch(id string, limit time.Duration) map[string]any {
	d.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		code, b := d.get("/api/v1/batches/" + id)
		if code != 200 {
			d.t.Fatalf("GET batch: %d %v", code, b)
		}
		if s := b["status"]; s == "done" || s == "failed" {
			return b
		}
		time.Sleep(300 * time.Millisecond)
	}
	d.t.Fatalf("batch %s not finished in %s", id, limit)
	return nil
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// stackPages is a small application: a form, a blank back, a separator, a letter upside down.
func stackPages(t *testing.T) []file {
	form := testfixtures.TextPage(t, "授权委托书", "委托人：杨佳  身份证号码：220103198909195957",
		"现委托受托人代为办理食品经营许可相关事宜。", "Power of Attorney for permit application")
	letter := testfixtures.TextPage(t, "容缺受理承诺书", "本人申请办理建设工程规划许可，承诺补齐材料。",
		"承诺人：刘勇然", "Commitment letter")
	pdf := testfixtures.ScanPDF(t, form, testfixtures.BlankPage(1), testfixtures.SeparatorPage(t, "PATCH T"),
		testfixtures.Rotate180(letter))
	return []file{{"stack.pdf", pdf}}
}

func TestUploadToFiledSearchablePDF(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	fields := map[string]string{"case_no": "JL-TEST-1", "station": "back-room-2", "source": "scan"}
	code, body := d.upload(testToken, map[string]string{"Idempotency-Key": "k1"}, fields, stackPages(t)...)
	if code != 202 || body["status"] != "queued" {
		t.Fatalf("upload: %d %v", code, body)
	}
	id := body["id"].(string)
	// The same request again with the same key returns the first batch, never a second one;
	// the same key with another request is refused.
	code, again := d.upload(testToken, map[string]string{"Idempotency-Key": "k1"}, fields, stackPages(t)...)
	if code != 202 || again["id"] != id {
		t.Fatalf("idempotent upload: %d %v, want id %s", code, again, id)
	}
	if code, other := d.upload(testToken, map[string]string{"Idempotency-Key": "k1"}, nil, stackPages(t)...); code != 422 || errorCode(other) != "idempotency_key_reused" {
		t.Errorf("the key reused for another request: %d %v", code, other)
	}
	b := d.waitBatch(id, 3*time.Minute)
	if b["status"] != "done" {
		t.Fatalf("batch: %v", b)
	}
	if b["pages_total"].(float64) != 4 || b["pages_done"].(float64) != 4 {
		t.Errorf("pages: %v/%v", b["pages_done"], b["pages_total"])
	}
	dropped := fmt.Sprint(b["dropped_pages"])
	if !strings.Contains(dropped, "separator") || !strings.Contains(dropped, "blank") {
		t.Errorf("dropped pages: %s", dropped)
	}
	docs := b["documents"].([]any)
	if len(docs) != 2 {
		t.Fatalf("documents: %v", docs)
	}
	first := docs[0].(map[string]any)
	if fmt.Sprint(first["pages"]) != "[0]" {
		t.Errorf("first document pages %v, want [0]", first["pages"])
	}
	docID := first["id"].(string)
	code, doc := d.get("/api/v1/documents/" + docID)
	if code != 200 || doc["batch_id"] != id || doc["case_no"] != "JL-TEST-1" || doc["sha256"] == "" {
		t.Errorf("document: %d %v", code, doc)
	}
	code, text := d.getRaw("/api/v1/documents/" + docID + "/text")
	if !strings.Contains(d.log.String(), "batch done") {
		t.Error("the daemon log stops before the batch is done")
	}
	if code != 200 || !strings.Contains(strings.ReplaceAll(string(text), " ", ""), "委托书") {
		t.Errorf("text: %d %q", code, text)
	}
	code, pdf := d.getRaw("/api/v1/documents/" + docID + "/pdf")
	if code != 200 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("pdf: %d", code)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	_ = os.WriteFile(path, pdf, 0o600)
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	// The filed copy is PDF/A-2b and its XMP says what it is: the record's title, case number
	// and archival code.
	xmp := pdfa.Require(t, pdf)
	if xmp.Title != doc["title"] || xmp.Title == "" || xmp.Identifier != doc["archival_code"] || xmp.Identifier == "" ||
		xmp.Properties[pdfout.RecordNamespace+"CaseNo"] != "JL-TEST-1" || !strings.Contains(xmp.Keywords, "JL-TEST-1") {
		t.Errorf("XMP metadata %+v of document %v", xmp, doc)
	}
	for _, p := range pdfa.Preflight(t, path, pdfa.PDFA1Only...) {
		t.Errorf("PDFBox Preflight (PDF/A-1b, errors PDF/A-2b allows left out): %s", p)
	}
	// Dev mode signs the filed copy with its test CA and time-stamps it: verify-pdf finds it
	// valid against that CA, and so does poppler.
	if out, err := exec.Command(binPath, "verify-pdf", "--trust", filepath.Join(d.dir, "signing", "ca.pem"), path).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "B-LT") || !strings.Contains(string(out), "证书受信任：是") {
		t.Errorf("verify-pdf on the filed copy: %v\n%s", err, out)
	}
	if out, err := exec.Command("pdfsig", path).CombinedOutput(); err == nil && !strings.Contains(string(out), "Signature is Valid") {
		t.Errorf("pdfsig on the filed copy:\n%s", out)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil || !strings.Contains(strings.ReplaceAll(string(out), " ", ""), "委托") {
		t.Errorf("pdftotext: %v %q", err, out)
	}
	// The upside-down letter was turned and read.
	second := docs[1].(map[string]any)
	_, text = d.getRaw("/api/v1/documents/" + second["id"].(string) + "/text")
	if !strings.Contains(strings.ReplaceAll(string(text), " ", ""), "承诺") {
		t.Errorf("upside-down page text: %q", text)
	}
}
