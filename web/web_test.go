package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onewindow/internal/auth"
	"onewindow/internal/clock"
)

const adminToken = "web-test-admin-token-0123456789"

// fakeAPI answers the routes the pages call with canned JSON, as the real API would, and
// refuses a request that carries no principal in its context.
type fakeAPI struct {
	t       *testing.T
	uploads []map[string]string // parts seen by POST /api/v1/batches
	idem    []string
	calls   []string
	batch   map[string]any
	// regrouped is the last correction's documents and reason; regroupBody its JSON
	regrouped, regroupBody string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := auth.FromContext(r.Context())
	if !ok && r.URL.Path != "/readyz" && r.URL.Path != "/metrics" {
		writeJSON(w, 401, map[string]any{"error": map[string]string{"code": "missing_token", "message": "no token"}})
		return
	}
	f.calls = append(f.calls, r.Method+" "+r.URL.RequestURI()+" as "+p.Role)
	switch {
	case r.Method == "POST" && r.URL.Path == "/api/v1/batches":
		mr, err := r.MultipartReader()
		if err != nil {
			f.t.Errorf("upload is not multipart: %v", err)
			return
		}
		parts := map[string]string{}
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(part)
			parts[part.FormName()+":"+part.FileName()] = string(b)
		}
		f.uploads = append(f.uploads, parts)
		f.idem = append(f.idem, r.Header.Get("Idempotency-Key"))
		if strings.Contains(parts["file:notes.txt"], "plain") {
			writeJSON(w, 415, map[string]any{"error": map[string]string{"code": "unsupported_media_type",
				"message": "The bytes are not PDF, TIFF, JPEG or PNG."}})
			return
		}
		writeJSON(w, 202, map[string]string{"id": "b-1", "status": "queued"})
	case r.Method == "GET" && r.URL.Path == "/api/v1/batches":
		writeJSON(w, 200, map[string]any{"total": 2, "batches": []map[string]any{{"id": "b-9", "status": "failed", "case_no": "JL-9",
			"pages_total": 3, "pages_done": 1, "documents": 0, "error": map[string]string{"code": "corrupt_file", "message": "damaged"},
			"created_at": "2026-03-01T08:00:00Z"}, {"id": "b-8", "status": "done", "case_no": "JL-2", "station": "department:taxation",
			"pages_total": 1, "pages_done": 1, "documents": 1, "created_at": "2026-03-01T07:00:00Z"}}})
	case r.URL.Path == "/api/v1/batches/b-1":
		writeJSON(w, 200, f.batch)
	case r.URL.Path == "/api/v1/search":
		if p.Role != auth.RoleArchivist && p.Role != auth.RoleAdmin {
			writeJSON(w, 403, map[string]any{"error": map[string]string{"code": "forbidden", "message": "no"}})
			return
		}
		writeJSON(w, 200, map[string]any{"total": 1, "page": 1, "per_page": 20,
			"hits": []map[string]any{{"document_id": "b-1-001", "case_no": "JL-1", "type": "power_of_attorney",
				"snippet": "授权委托书 <script>", "highlight": "<mark>授权</mark>委托书 &lt;script&gt;alert(1)&lt;/script&gt;"}},
			"facets": map[string]any{"type": []map[string]any{{"value": "power_of_attorney", "count": 1}}}})
	case r.URL.Path == "/api/v1/documents/b-1-001":
		writeJSON(w, 200, map[string]any{"id": "b-1-001", "batch_id": "b-1", "case_no": "JL-1", "type": "id_card",
			"confidence": 0.5, "pages": []int{0}, "fields": map[string][]string{"id_numbers": {"220102********2247"}}})
	case r.URL.Path == "/api/v1/documents/b-1-001/events":
		writeJSON(w, 200, map[string]any{"events": []map[string]any{{"type": "filed", "agent": "worker", "time": "2026-01-02T03:04:05Z"}}})
	case r.URL.Path == "/api/v1/documents/b-1-001/pdf":
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write([]byte("%PDF-1.7 fake"))
	case r.Method == "PATCH" && r.URL.Path == "/api/v1/documents/b-1-001":
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body["type"] != "id_card" {
			f.t.Errorf("PATCH body %v", body)
		}
		writeJSON(w, 202, map[string]any{"batch_id": "b-1", "revision": 1})
	case r.URL.Path == "/api/v1/review":
		writeJSON(w, 200, map[string]any{"total": 1, "documents": []map[string]any{{"id": "b-1-001", "batch_id": "b-1",
			"case_no": "JL-1", "type": "id_card", "confidence": 0.41, "needs_review": true, "pages": []int{0, 1}}}})
	case r.URL.Path == "/api/v1/report":
		writeJSON(w, 200, map[string]any{"ok": false, "generated_at": "2026-01-02T03:04:05Z", "documents": []map[string]any{
			{"document_id": "b-1-001", "title": "身份证", "properties": map[string]string{"authenticity": "pass", "integrity": "pass", "usability": "warn", "security": "fail"}}}})
	case r.Method == "PUT" && r.URL.Path == "/api/v1/batches/b-1/documents":
		var body struct {
			Documents []struct {
				Pages []int  `json:"pages"`
				Type  string `json:"type"`
			} `json:"documents"`
			Reason string `json:"reason"`
		}
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		f.regrouped, f.regroupBody = fmt.Sprint(body.Documents, " ", body.Reason), string(raw)
		writeJSON(w, 202, map[string]any{"batch_id": "b-1", "revision": 1, "status": "queued"})
	case r.URL.Path == "/api/v1/cases/JL-2":
		writeJSON(w, 200, map[string]any{"case_no": "JL-2", "matter": "JL-SC-001", "state": "in_review", "version": 5, "due_date": "2026-03-06",
			"deliveries": []map[string]any{{"department": "taxation", "state": "delivered", "attempts": 1, "due_date": "2026-03-04"},
				{"department": "market", "state": "delivered", "attempts": 1, "due_date": "2026-03-06"}}})
	case r.URL.Path == "/api/v1/cases/JL-2/deliveries":
		writeJSON(w, 200, map[string]any{"case_no": "JL-2", "deliveries": []map[string]any{
			{"department": "taxation", "due_date": "2026-03-04", "overdue": true}, {"department": "market", "due_date": "2026-03-06"}}})
	case r.URL.Path == "/api/v1/departments":
		writeJSON(w, 200, map[string]any{"departments": []map[string]any{{"id": "market", "name": "市场监督管理局", "kind": "webhook"},
			{"id": "taxation", "name": "税务局", "kind": "s3"}}})
	case r.URL.Path == "/readyz":
		writeJSON(w, 200, map[string]string{"redis": "ok", "minio": "ok", "ocr": "ok"})
	case r.URL.Path == "/metrics":
		_, _ = io.WriteString(w, "# HELP x\nonewindow_queue_depth{queue=\"ocr\"} 7\nonewindow_queue_depth_more 1\nonewindow_batches_total{status=\"failed\"} 2\n"+
			"onewindow_build_info{goversion=\"go1.26.8\",revision=\"0123abc\",version=\"v1.2.0\"} 1\n")
	default:
		writeJSON(w, 404, map[string]any{"error": map[string]string{"code": "not_found", "message": "No such API call."}})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type harness struct {
	t    *testing.T
	api  *fakeAPI
	h    http.Handler
	now  time.Time
	jar  map[string]string
	lang string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens.json")
	entries := `[{"name": "viewer-1", "role": "viewer", "sha256": "` + auth.HashToken("viewer-token") + `"},
	             {"name": "arch", "role": "archivist", "sha256": "` + auth.HashToken("archivist-token") + `"}]`
	if err := os.WriteFile(path, []byte(entries), 0o600); err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.LoadTokens(path, adminToken)
	if err != nil {
		t.Fatal(err)
	}
	hs := &harness{t: t, api: &fakeAPI{t: t}, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), jar: map[string]string{}}
	hs.api.batch = map[string]any{"id": "b-1", "status": "processing", "pages_total": 4, "pages_done": 1, "documents": []any{}}
	hs.h, err = New(Options{API: hs.api, Tokens: tokens, SessionKey: bytes.Repeat([]byte("k"), 32),
		Clock: clock.New(nil, func() time.Time { return hs.now }), PollEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

// do sends a request with the harness's cookies and keeps the cookies it sets.
func (hs *harness) do(method, target string, body io.Reader, contentType string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, body)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if hs.lang != "" {
		r.Header.Set("Accept-Language", hs.lang)
	}
	for k, v := range hs.jar {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(hs.jar, c.Name)
		} else {
			hs.jar[c.Name] = c.Value
		}
	}
	return w
}

func (hs *harness) get(target string) *httptest.ResponseRecorder {
	return hs.do("GET", target, nil, "")
}

func (hs *harness) post(target string, form url.Values) *httptest.ResponseRecorder {
	return hs.do("POST", target, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the token a page's form carries.
func (hs *harness) csrf(page string) string {
	hs.t.Helper()
	m := csrfInput.FindStringSubmatch(hs.get(page).Body.String())
	if m == nil {
		hs.t.Fatalf("%s has no CSRF field", page)
	}
	return m[1]
}

func (hs *harness) signIn(user, password string) *httptest.ResponseRecorder {
	return hs.post("/signin", url.Values{"csrf": {hs.csrf("/")}, "user": {user}, "password": {password}})
}

func TestSignInWithTokenShowsRoleDesks(t *testing.T) {
	hs := newHarness(t)
	page := hs.get("/")
	if page.Code != 200 || !strings.Contains(page.Body.String(), `type="password"`) || !strings.Contains(page.Body.String(), "登录") {
		t.Fatalf("sign-in page: %d %s", page.Code, page.Body)
	}
	if w := hs.signIn("", "wrong-token"); w.Code != 401 || !strings.Contains(w.Body.String(), "用户名、密码或令牌不正确") {
		t.Errorf("wrong token: %d", w.Code)
	}
	if w := hs.signIn("", adminToken); w.Code != 303 {
		t.Fatalf("sign-in: %d %s", w.Code, w.Body)
	}
	home := hs.get("/").Body.String()
	for _, want := range []string{`href="/scan"`, `href="/search"`, `href="/ops"`, "扫描上传", "档案检索", "admin · 管理员"} {
		if !strings.Contains(home, want) {
			t.Errorf("admin start page lacks %q", want)
		}
	}
	hs2 := newHarness(t)
	hs2.signIn("", "viewer-token")
	if home := hs2.get("/").Body.String(); strings.Contains(home, `href="/scan"`) || strings.Contains(home, `href="/search"`) {
		t.Errorf("a viewer is offered desks it cannot use")
	}
}

func TestSessionCookie(t *testing.T) {
	k := deriveKeys(bytes.Repeat([]byte("s"), 32))
	now := time.Unix(1_800_000_000, 0)
	value, _, err := k.newSession(auth.Principal{Name: "a", Role: auth.RoleArchivist}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	read := func(v string, at time.Time) error {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: v})
		_, err := k.readSession(r, at)
		return err
	}
	payload, sig, _ := strings.Cut(value, ".")
	forged, _ := k.sign(session{P: auth.Principal{Name: "a", Role: auth.RoleAdmin}, Expires: now.Add(time.Hour).Unix(), Nonce: "n"})
	forgedPayload, _, _ := strings.Cut(forged, ".")
	other := deriveKeys(bytes.Repeat([]byte("x"), 32))
	foreign, _, _ := other.newSession(auth.Principal{Name: "a", Role: auth.RoleAdmin}, now, time.Hour)
	tests := []struct {
		name  string
		value string
		at    time.Time
		want  error
	}{
		{"fresh", value, now.Add(59 * time.Minute), nil},
		{"expired", value, now.Add(time.Hour), errExpired},
		{"role swapped in", forgedPayload + "." + sig, now, errForged},
		{"payload alone", payload, now, errForged},
		{"another key", foreign, now, errForged},
		{"empty", "", now, errNoSession},
	}
	for _, tt := range tests {
		if err := read(tt.value, tt.at); err != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if !k.checkCSRF("n1", k.csrfToken("n1")) || k.checkCSRF("n2", k.csrfToken("n1")) || k.checkCSRF("", k.csrfToken("")) {
		t.Error("CSRF tokens are not bound to their nonce")
	}
}

func TestExpiredSessionReturnsToSignIn(t *testing.T) {
	hs := newHarness(t)
	hs.signIn("", adminToken)
	hs.now = hs.now.Add(13 * time.Hour)
	w := hs.get("/scan")
	if w.Code != 303 || w.Header().Get("Location") != "/?m=expired" {
		t.Fatalf("expired: %d %s", w.Code, w.Header().Get("Location"))
	}
	if page := hs.get("/?m=expired").Body.String(); !strings.Contains(page, "登录已过期") {
		t.Errorf("sign-in page does not say the session expired")
	}
}

// Removing a user from the tokens file (and restarting) ends their open sessions too.
func TestRemovedUsersSessionEnds(t *testing.T) {
	hs := newHarness(t)
	if w := hs.signIn("", "viewer-token"); w.Code != 303 {
		t.Fatalf("sign-in: %d", w.Code)
	}
	if page := hs.get("/").Body.String(); strings.Contains(page, `type="password"`) {
		t.Fatal("signed in, but the start page is the sign-in form")
	}
	var err error
	hs.h, err = New(Options{API: hs.api, Tokens: mustTokens(t), SessionKey: bytes.Repeat([]byte("k"), 32),
		Clock: clock.New(nil, func() time.Time { return hs.now })})
	if err != nil {
		t.Fatal(err)
	}
	if w := hs.get("/scan"); w.Code != 303 || w.Header().Get("Location") != "/?m=expired" {
		t.Fatalf("after removal: %d %s", w.Code, w.Header().Get("Location"))
	}
	if page := hs.get("/").Body.String(); !strings.Contains(page, `type="password"`) {
		t.Error("a removed user's start page is not the sign-in form")
	}
}

func TestForgedCSRFIsRefused(t *testing.T) {
	hs := newHarness(t)
	hs.signIn("", adminToken)
	for _, token := range []string{"", "forged", hs.csrf("/") + "x"} {
		w := hs.post("/documents/b-1-001/type", url.Values{"csrf": {token}, "type": {"id_card"}})
		if w.Code != 403 || !strings.Contains(w.Body.String(), "bad_csrf") {
			t.Errorf("token %q: %d", token, w.Code)
		}
	}
	if len(hs.api.calls) != 0 {
		t.Errorf("a forged form reached the API: %v", hs.api.calls)
	}
	w := hs.post("/documents/b-1-001/type", url.Values{"csrf": {hs.csrf("/")}, "type": {"id_card"}, "batch": {"b-1"}})
	if w.Code != 303 || w.Header().Get("Location") != "/batches/b-1?m=retyped" {
		t.Errorf("good token: %d %s %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	// the sign-in form needs its own token too
	if w := hs.post("/signin", url.Values{"password": {adminToken}}); w.Code != 403 {
		t.Errorf("sign-in without CSRF: %d", w.Code)
	}
}

func multipartBody(t *testing.T, fields [][2]string, files map[string]string) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	for name, content := range files {
		w, _ := mw.CreateFormFile("file", name)
		_, _ = io.WriteString(w, content)
	}
	_ = mw.Close()
	return &b, mw.FormDataContentType()
}

func TestScanUploadIsForwardedPartByPart(t *testing.T) {
	hs := newHarness(t)
	hs.signIn("", adminToken)
	token := hs.csrf("/scan")
	body, ct := multipartBody(t, [][2]string{{"csrf", token}, {"idem", "form-123"}, {"case_no", "JL-9"}, {"station", "room-2"}},
		map[string]string{"scan.pdf": "%PDF-1.7 pages"})
	w := hs.do("POST", "/scan", body, ct)
	if w.Code != 303 || w.Header().Get("Location") != "/batches/b-1" {
		t.Fatalf("upload: %d %s", w.Code, w.Body)
	}
	got := hs.api.uploads[0]
	if got["case_no:"] != "JL-9" || got["station:"] != "room-2" || got["file:scan.pdf"] != "%PDF-1.7 pages" {
		t.Errorf("forwarded parts: %v", got)
	}
	if _, leaked := got["csrf:"]; leaked || hs.api.idem[0] != "form-123" {
		t.Errorf("csrf forwarded or idempotency key lost: %v %v", got, hs.api.idem)
	}

	// a file of the wrong type: the API's refusal in words, the form filled in again; the
	// server's English sentence stays off the Chinese page
	body, ct = multipartBody(t, [][2]string{{"csrf", token}, {"case_no", "JL-9"}}, map[string]string{"notes.txt": "plain text"})
	w = hs.do("POST", "/scan", body, ct)
	page := w.Body.String()
	if w.Code != 415 || !strings.Contains(page, "不支持的文件类型") || !strings.Contains(page, "unsupported_media_type") ||
		strings.Contains(page, "The bytes are not PDF") || !strings.Contains(page, `value="JL-9"`) {
		t.Errorf("wrong type: %d %s", w.Code, page)
	}

	// a forged token is refused before any byte reaches the API
	before := len(hs.api.uploads)
	body, ct = multipartBody(t, [][2]string{{"csrf", "forged"}}, map[string]string{"scan.pdf": "%PDF"})
	if w := hs.do("POST", "/scan", body, ct); w.Code != 403 || len(hs.api.uploads) != before {
		t.Errorf("forged upload: %d, %d uploads", w.Code, len(hs.api.uploads))
	}
}

func TestBatchProgressStreamsUntilDone(t *testing.T) {
	hs := newHarness(t)
	hs.signIn("", adminToken)
	hs.api.batch = map[string]any{"id": "b-1", "status": "failed", "pages_total": 4, "pages_done": 2,
		"error": map[string]string{"code": "corrupt_file", "message": "page 3 is damaged"}, "documents": []any{}}
	r := httptest.NewRequest("GET", "/batches/b-1/progress", nil)
	for k, v := range hs.jar {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, r)
	out := w.Body.String()
	if w.Header().Get("Content-Type") != "text/event-stream" || !strings.Contains(out, "event: progress") ||
		!strings.Contains(out, `"final":true`) || !strings.Contains(out, "文件已损坏") {
		t.Errorf("progress stream: %s", out)
	}
	if strings.Contains(out, "(corrupt_file)") || !strings.Contains(out, `"code":"corrupt_file"`) {
		t.Errorf("progress stream puts the code in the words, not apart for the small print: %s", out)
	}
	// The failure in the page's language: the code's words, the code in small print, and the
	// server's English sentence on the English page only.
	page := hs.get("/batches/b-1").Body.String()
	if !strings.Contains(page, "处理失败") || !strings.Contains(page, "文件已损坏") || strings.Contains(page, "page 3 is damaged") ||
		!strings.Contains(page, "<code>corrupt_file</code>") {
		t.Errorf("failed batch page in Chinese: %s", page)
	}
	hs.lang = "en"
	if page := hs.get("/batches/b-1").Body.String(); !strings.Contains(page, "page 3 is damaged") || !strings.Contains(page, "<code>corrupt_file</code>") {
		t.Errorf("failed batch page in English: %s", page)
	}
	hs.lang = ""
	// A code the pages do not know: a sentence saying what to do, and the code in small print.
	hs.api.batch["error"] = map[string]string{"code": "brand_new_failure", "message": "Something new went wrong."}
	page = hs.get("/batches/b-1").Body.String()
	if !strings.Contains(page, "请把下方的错误代码告诉运维人员") || !strings.Contains(page, "<code>brand_new_failure</code>") ||
		strings.Contains(page, "Something new went wrong") {
		t.Errorf("failed batch page with an unknown code: %s", page)
	}
}

func TestPagesRenderForTheirRoles(t *testing.T) {
	hs := newHarness(t)
	hs.signIn("", adminToken)
	hs.api.batch = map[string]any{"id": "b-1", "status": "done", "pages_total": 2, "pages_done": 2,
		"documents": []map[string]any{
			{"id": "b-1-002", "type": "other", "confidence": 0.9, "pages": []int{1}},
			{"id": "b-1-001", "type": "id_card", "confidence": 0.4, "needs_review": true, "pages": []int{0}, "fields": map[string][]string{"id_numbers": {"220102199003072247"}}},
		}, "dropped_pages": []map[string]any{{"index": 2, "reason": "blank"}}}
	tests := []struct {
		path  string
		code  int
		wants []string
	}{
		{"/scan", 200, []string{`type="file"`, `name="case_no"`, "multiple", "最近的批次", `href="/batches/b-9"`, "失败", "税务局（部门结果）"}},
		{"/batches/b-1", 200, []string{"身份证", "待复核", "40%", "类型正确", "空白页"}},
		{"/search", 200, []string{`type="search"`}},
		{"/search?q=授权", 200, []string{"<mark>授权</mark>委托书 &lt;script&gt;", "共 1 条结果", "授权委托书"}},
		{"/documents/b-1-001", 200, []string{"220102********2247", "归档", `href="/documents/b-1-001/pdf"`}},
		{"/ops", 200, []string{"正常", "ocr", "7", "v1.2.0 0123abc", `href="/batches/b-9"`, "文件已损坏", `action="/ops/batches/b-9/retry"`}},
		{"/cases", 200, []string{"尚未启用"}},
		{"/cases/JL-2", 200, []string{"<td>税务局</td>", "2026-03-04 <span class=\"tag bad\">已逾期</span>", "<td>市场监督管理局</td>"}},
		{"/mail", 200, []string{`name="waybill"`, "尚未启用"}},
		{"/department", 200, []string{"尚未启用"}},
		{"/review", 200, []string{"共 1 份待复核", "41%", "1, 2", `href="/batches/b-1"`}},
		{"/report?case_no=JL-1", 200, []string{"有未通过项", "真实性", "未通过", "警告", "format=pdf"}},
		{"/documents/missing/pdf", 404, []string{"没有找到", "not_found"}},
		{"/nowhere", 404, []string{"没有这个页面"}},
		{"/documents/missing", 404, []string{"not_found"}},
	}
	for _, tt := range tests {
		w := hs.get(tt.path)
		body := w.Body.String()
		if w.Code != tt.code {
			t.Errorf("%s: %d, want %d: %s", tt.path, w.Code, tt.code, body)
		}
		for _, want := range tt.wants {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", tt.path, want)
			}
		}
		if strings.Contains(body, "<script>alert") {
			t.Errorf("%s lets markup through", tt.path)
		}
	}
	if i, j := strings.Index(hs.get("/batches/b-1").Body.String(), "b-1-001"), strings.Index(hs.get("/batches/b-1").Body.String(), "b-1-002"); i > j {
		t.Error("needs_review documents are not first")
	}
	pdf := hs.get("/documents/b-1-001/pdf")
	if pdf.Header().Get("Content-Type") != "application/pdf" || pdf.Header().Get("Content-Disposition") != "inline" || pdf.Body.String() != "%PDF-1.7 fake" {
		t.Errorf("pdf: %v %q", pdf.Header(), pdf.Body)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} {
		if pdf.Header().Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
}

func TestTheAPIDecidesWhatAViewerSees(t *testing.T) {
	hs := newHarness(t)
	hs.signIn("", "viewer-token")
	if w := hs.get("/search?q=x"); w.Code != 403 {
		t.Errorf("viewer search: %d", w.Code)
	}
	hs2 := newHarness(t)
	hs2.signIn("", "archivist-token")
	w := hs2.get("/search?q=x&purpose=审计抽查")
	if w.Code != 200 || !strings.Contains(strings.Join(hs2.api.calls, "\n"), "GET /api/v1/search?q=x as archivist") {
		t.Errorf("archivist search: %d %v", w.Code, hs2.api.calls)
	}
}

func TestLanguageSwitch(t *testing.T) {
	hs := newHarness(t)
	hs.lang = "en-GB,en;q=0.9"
	if !strings.Contains(hs.get("/").Body.String(), "Sign in") {
		t.Error("Accept-Language en does not give English")
	}
	hs.lang = ""
	w := hs.post("/lang", url.Values{"csrf": {hs.csrf("/")}, "lang": {"en"}, "back": {"//evil.example/"}})
	if w.Code != 303 || w.Header().Get("Location") != "/" {
		t.Errorf("switch: %d %s", w.Code, w.Header().Get("Location"))
	}
	if page := hs.get("/").Body.String(); !strings.Contains(page, "User name") || !strings.Contains(page, `lang="en"`) {
		t.Error("language cookie not honoured")
	}
}

// Every message has both languages, and every key a template or handler names exists.
func TestCatalogueIsComplete(t *testing.T) {
	for k, m := range catalogue {
		if (m[zh] == "" || m[en] == "") && k != "status." {
			t.Errorf("%s lacks a language", k)
		}
	}
	used := regexp.MustCompile(`T "([a-zA-Z_.]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, goFiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range used.FindAllSubmatch(b, -1) {
			if _, ok := catalogue[string(m[1])]; !ok {
				t.Errorf("%s uses %q, which is not in the catalogue", f, m[1])
			}
		}
	}
	for _, n := range navigation {
		for _, k := range []string{n.Key, n.Key + ".about"} {
			if _, ok := catalogue[k]; !ok {
				t.Errorf("navigation key %q missing", k)
			}
		}
	}
	for _, typ := range docTypes {
		if _, ok := catalogue["type."+typ]; !ok {
			t.Errorf("type %s has no name", typ)
		}
	}
	for _, role := range auth.Roles {
		if (lang{"zh"}).Role(role) == role || (lang{"en"}).Role(role) == "" {
			t.Errorf("role %s has no name", role)
		}
	}
}

func TestHighlightAllowsOnlyMarks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<mark>授权</mark>委托书", "<mark>授权</mark>委托书"},
		{"a &lt;b&gt; <mark>c</mark>", "a &lt;b&gt; <mark>c</mark>"},
		{`<mark onclick="x">c</mark>`, `&lt;mark onclick=&#34;x&#34;&gt;c&lt;/mark&gt;`},
		{"<mark>open", "<mark>open</mark>"},
		{"</mark>x<script>", "&lt;/mark&gt;x&lt;script&gt;"},
		{"AT&amp;T", "AT&amp;T"},
	}
	for _, tt := range tests {
		if got := string(highlight(tt.in)); got != tt.want {
			t.Errorf("highlight(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParsePageList(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		ok   bool
	}{
		{"1, 2", []int{0, 1}, true},
		{"3-5", []int{2, 3, 4}, true},
		{"1，4、6", []int{0, 3, 5}, true},
		{"0", nil, false},
		{"5-3", nil, false},
		{"x", nil, false},
	}
	for _, tt := range tests {
		got, ok := parsePageList(tt.in)
		if ok != tt.ok || (ok && !equalInts(got, tt.want)) {
			t.Errorf("parsePageList(%q) = %v, %v", tt.in, got, ok)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestScrapeQueueDepth(t *testing.T) {
	text := []byte("onewindow_queue_depth{queue=\"ocr\"} 7\nonewindow_queue_depth{queue=\"assemble\"} 0\nonewindow_queue_depth_x 3\n")
	got := scrape(text, "onewindow_queue_depth")
	if len(got) != 2 || got[0].label("queue") != "assemble" || got[1].value != "7" {
		t.Errorf("scrape: %+v", got)
	}
}

func TestOpsShowsTheWatchedFolder(t *testing.T) {
	hs := newHarness(t)
	var err error
	hs.h, err = New(Options{API: hs.api, Tokens: mustTokens(t), SessionKey: bytes.Repeat([]byte("k"), 32),
		Clock: clock.New(nil, func() time.Time { return hs.now }),
		WatchStatus: func(context.Context) (WatchStatus, error) {
			return WatchStatus{Dir: "/srv/scans", Waiting: 2, Recent: []WatchEntry{
				{Name: "a.pdf", At: hs.now, BatchID: "b-1"},
				{Name: "b.txt", At: hs.now, Code: "unsupported_media_type", Message: "not a scan"}}}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	hs.signIn("", adminToken)
	page := hs.get("/ops").Body.String()
	for _, want := range []string{"/srv/scans", "2 个文件等待中", `href="/batches/b-1"`, "不支持的文件类型"} {
		if !strings.Contains(page, want) {
			t.Errorf("ops page lacks %q", want)
		}
	}
	if strings.Contains(page, "not a scan") {
		t.Error("the Chinese ops page shows the server's English sentence")
	}
}

func mustTokens(t *testing.T) *auth.Tokens {
	tokens, err := auth.LoadTokens("", adminToken)
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

func TestRegroupSendsTheWholeGrouping(t *testing.T) {
	hs := newHarness(t)
	hs.signIn("", adminToken)
	token := hs.csrf("/")
	// Pages 1-2 stay together as an ID card, page 3 is split off and classified again, the
	// second row is emptied (merged away).
	w := hs.post("/batches/b-1/regroup", url.Values{"csrf": {token}, "rows": {"3"}, "reason": {"拆分"},
		"pages_0": {"1-2"}, "type_0": {"id_card"}, "pages_1": {""}, "type_1": {"other"}, "pages_2": {"3"}, "type_2": {""}})
	if w.Code != 303 || w.Header().Get("Location") != "/batches/b-1?m=regrouped" {
		t.Fatalf("regroup: %d %s", w.Code, w.Body)
	}
	if want := "[{[0 1] id_card} {[2] }] 拆分"; hs.api.regrouped != want {
		t.Errorf("correction sent: %q, want %q", hs.api.regrouped, want)
	}
	w = hs.post("/batches/b-1/regroup", url.Values{"csrf": {token}, "rows": {"1"}, "pages_0": {"2-1"}})
	if w.Code != 400 || !strings.Contains(w.Body.String(), "页码格式不对") {
		t.Errorf("a bad page list: %d", w.Code)
	}
}
