package public_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/cases/notice"
	"onewindow/internal/clock"
	"onewindow/internal/httpx"
	"onewindow/internal/testenv"
	"onewindow/public"
	"onewindow/storage"
)

const (
	idZhang    = "220102199003070013"
	phoneZhang = "13912345678"
)

var hallZone = clock.Clock{}.Location()

// env is the public desk over real Redis and MinIO, with a case desk to make cases with.
type env struct {
	t        testing.TB
	srv      *httptest.Server
	desk     *casedesk.Desk
	blobs    *storage.Blobs
	handouts *storage.DeliveryStore
	mu       sync.Mutex
	audited  []string // action object remote of each audited wrong try
}

func newEnv(t testing.TB) *env {
	t.Helper()
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	blobs := testenv.Blobs(t, svc)
	store := storage.NewCaseStore(blobs, st)
	hall := clock.New(hallZone, func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, hallZone) })
	notices, err := notice.New(notice.Options{Hall: "长春市政务服务中心"})
	if err != nil {
		t.Fatal(err)
	}
	dk, err := casedesk.New(casedesk.Options{Store: store, Notices: notices, Clock: hall, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, desk: dk, blobs: blobs, handouts: storage.NewDeliveryStore(blobs, st)}
	pub, err := public.New(public.Options{Catalogue: dk.Catalogue, Events: store, Ratings: storage.NewRatingStore(blobs, nil),
		Handouts: e.handouts, Clock: hall, WrongTries: httpx.NewLimiter(0.0001, 5),
		Audit: func(_ context.Context, action, object, remote string) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.audited = append(e.audited, action+" "+object+" "+remote)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	pub.Routes(mux, nil)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// open opens a case of JL-SC-002 for 张三, who gave his phone.
func (e *env) open() string {
	e.t.Helper()
	c, err := e.desk.Open(context.Background(), casedesk.OpenInput{Matter: "JL-SC-002", Window: "window-1",
		Applicant: cases.Party{Name: "张三", IDNumber: idZhang, Phone: phoneZhang}, By: cases.Actor{Name: "clerk-1", Role: "window", Desk: "window-1"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return c.CaseNo
}

func (e *env) move(no string, to ...string) {
	e.t.Helper()
	for _, s := range to {
		if _, err := e.desk.Advance(context.Background(), no, 0, s, "", cases.Actor{Name: "clerk-1", Role: "window"}); err != nil {
			e.t.Fatalf("advance to %s: %v", s, err)
		}
	}
}

// refusals is a refusal's catalogue reason (JL-SC-002's), which a refusal must name.
func refusals(decision string) []string {
	if decision == cases.DecisionReject {
		return []string{"not_our_competence"}
	}
	return nil
}

func (e *env) decide(no, decision string) {
	e.t.Helper()
	if _, err := e.desk.Decide(context.Background(), no, 0, casedesk.DecideInput{Decision: decision, Reason: "测试", Refusals: refusals(decision)}, cases.Actor{Name: "clerk-1", Role: "window"}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) call(method, path string, body any) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func errorCode(t *testing.T, body string) string {
	t.Helper()
	var b httpx.ErrorBody
	if err := json.Unmarshal([]byte(body), &b); err != nil || b.Error.Message == "" {
		t.Fatalf("not the contract's error body: %s", body)
	}
	return b.Error.Code
}

func TestLookup(t *testing.T) {
	e := newEnv(t)
	no := e.open()
	e.decide(no, cases.DecisionCorrection)

	for _, check := range []string{phoneZhang[7:], idZhang[14:]} {
		code, body := e.call("GET", "/api/v1/public/cases/"+no+"?check="+check, nil)
		if code != 200 {
			t.Fatalf("check %s: %d %s", check, code, body)
		}
		var p public.Progress
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		if p.CaseNo != no || p.State != cases.StateCorrectionRequired || p.StateText == "" || len(p.Events) < 2 || len(p.Missing) == 0 {
			t.Errorf("progress = %+v", p)
		}
		if !strings.HasSuffix(p.Events[0].At, "+08:00") || p.Events[0].Text != "窗口已收件，办件已登记" || p.Missing[0].Name == "" {
			t.Errorf("events in the hall's time and plain words, missing items named: %+v", p)
		}
		for _, secret := range []string{idZhang, phoneZhang, "张三", "clerk-1"} {
			if strings.Contains(body, secret) {
				t.Errorf("the answer carries %s: %s", secret, body)
			}
		}
	}

	// An unknown case and a wrong check answer alike.
	_, wrong := e.call("GET", "/api/v1/public/cases/"+no+"?check=9876", nil)
	_, unknown := e.call("GET", "/api/v1/public/cases/JL-NOPE-1?check=5678", nil)
	if wrong != unknown || errorCode(t, wrong) != "not_found" {
		t.Errorf("wrong check %s, unknown case %s: want the same 404", wrong, unknown)
	}
	if len(e.audited) != 2 || !strings.HasPrefix(e.audited[0], "public_lookup_refused "+no+" addr:") || strings.Contains(e.audited[0], "9876") {
		t.Errorf("audited = %q", e.audited)
	}

	for _, tt := range []struct{ path, code string }{
		{"/api/v1/public/cases/" + no + "?check=12", "bad_check"},
		{"/api/v1/public/cases/" + no + "?check=12%2B4", "bad_check"},
		{"/api/v1/public/cases/" + no, "bad_check"},
		{"/api/v1/public/cases/bad%20no?check=5678", "bad_case_no"},
		{"/api/v1/public/cases/" + no + "?check=5678&id=1", "unknown_parameter"},
	} {
		if code, body := e.call("GET", tt.path, nil); code != 400 || errorCode(t, body) != tt.code {
			t.Errorf("%s: %d %s, want 400 %s", tt.path, code, body, tt.code)
		}
	}

	// Five wrong tries from one address are allowed (this test's limit), then 429 before
	// any case is read, the right check too.
	for range 3 {
		e.call("GET", "/api/v1/public/cases/"+no+"?check=0000", nil)
	}
	code, body := e.call("GET", "/api/v1/public/cases/"+no+"?check=5678", nil)
	if code != 429 || errorCode(t, body) != "rate_limited" {
		t.Errorf("after 5 wrong tries: %d %s", code, body)
	}
}

func TestRating(t *testing.T) {
	e := newEnv(t)
	no := e.open()
	rate := func(in map[string]any) (int, string) {
		return e.call("POST", "/api/v1/public/cases/"+no+"/rating", in)
	}
	if code, body := rate(map[string]any{"check": "5678", "score": 5}); code != 409 || errorCode(t, body) != "not_handed_out" {
		t.Errorf("before hand-out: %d %s", code, body)
	}
	e.decide(no, cases.DecisionAccept)
	e.move(no, cases.StateInReview, cases.StateResultReady)
	if code, body := rate(map[string]any{"check": "5678", "score": 5}); code != 409 || errorCode(t, body) != "not_handed_out" {
		t.Errorf("result ready, not handed out: %d %s", code, body)
	}
	e.move(no, cases.StateDelivered)
	for _, tt := range []struct {
		in   map[string]any
		code int
		err  string
	}{
		{map[string]any{"check": "5678", "score": 0}, 400, "bad_score"},
		{map[string]any{"check": "5678", "score": 6}, 400, "bad_score"},
		{map[string]any{"check": "5678", "score": "5"}, 400, "bad_json"},
		{map[string]any{"check": "5678", "score": 3, "comment": strings.Repeat("长", 501)}, 400, "comment_too_long"},
		{map[string]any{"check": "0000", "score": 3}, 404, "not_found"},
		{map[string]any{"check": "56", "score": 3}, 400, "bad_check"},
	} {
		if code, body := rate(tt.in); code != tt.code || errorCode(t, body) != tt.err {
			t.Errorf("%v: %d %s, want %d %s", tt.in, code, body, tt.code, tt.err)
		}
	}
	code, body := rate(map[string]any{"check": "0013", "score": 2, "reasons": []string{"等候时间长"}, "comment": "排队太久"})
	if code != 201 {
		t.Fatalf("rating: %d %s", code, body)
	}
	var a public.RatingAnswer
	_ = json.Unmarshal([]byte(body), &a)
	if a.Score != 2 || a.FollowUp == nil || a.FollowUp.DueDate != "2026-03-09" {
		t.Errorf("a low rating opens a follow-up due in 5 working days: %s", body)
	}
	if code, body := rate(map[string]any{"check": "5678", "score": 5}); code != 409 || errorCode(t, body) != "already_rated" {
		t.Errorf("second rating: %d %s", code, body)
	}
	raw, err := e.blobs.Get(context.Background(), storage.Archive, storage.RatingKey(no))
	var filed cases.Rating
	if err != nil || json.Unmarshal(raw, &filed) != nil || filed.Score != 2 || filed.Comment != "排队太久" || filed.Window != "window-1" {
		t.Errorf("filed rating %s, %v", raw, err)
	}
	if _, body := e.call("GET", "/api/v1/public/cases/"+no+"?check=5678", nil); !strings.Contains(body, `"rated":true`) || !strings.Contains(body, `"can_rate":false`) {
		t.Errorf("lookup after rating: %s", body)
	}
}

// The pages an applicant uses in a browser: the guides, the progress form and the rating.
func TestPages(t *testing.T) {
	e := newEnv(t)
	get := func(path string) (int, string) { return e.call("GET", path, nil) }
	code, body := get("/guide/")
	if code != 200 || !strings.Contains(body, `href="/guide/JL-SC-001"`) || !strings.Contains(body, "企业设立登记") {
		t.Errorf("guide list: %d", code)
	}
	code, body = get("/guide/JL-SC-001")
	m, _ := cases.DefaultCatalogue().Matter("JL-SC-001")
	if code != 200 || !strings.Contains(body, m.Name) || !strings.Contains(body, "<svg") || !strings.Contains(body, "市场监督管理局") ||
		!strings.Contains(body, "受理后 5 个工作日内补交") || !strings.Contains(body, "复印件") || !strings.Contains(body, "3 个工作日") {
		t.Errorf("guide: %d\n%s", code, body)
	}
	for _, mt := range m.Materials {
		if !strings.Contains(body, mt.Name) {
			t.Errorf("the guide lacks material %s", mt.Name)
		}
	}
	if strings.Contains(body, "http://") && !strings.Contains(body, e.srv.URL) || strings.Contains(body, "https://") {
		t.Errorf("the guide links outside the installation")
	}
	if code, _ := get("/guide/NOPE"); code != 404 {
		t.Errorf("unknown matter: %d", code)
	}
	if resp, err := http.Get(e.srv.URL + "/guide/JL-SC-001/qr.svg"); err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("QR code: %v %v", resp, err)
	}
	if code, body := get("/public/static/public.css"); code != 200 || !strings.Contains(body, "@media print") {
		t.Errorf("stylesheet: %d", code)
	}

	no := e.open()
	form := func(path string, v url.Values) (int, string) {
		resp, err := http.PostForm(e.srv.URL+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := form("/progress", url.Values{"case_no": {no}, "check": {"5678"}}); code != 200 || !strings.Contains(body, "已收件，等待窗口受理") {
		t.Errorf("progress: %d %s", code, body)
	}
	if code, body := form("/progress", url.Values{"case_no": {no}, "check": {"9999"}}); code != 404 || !strings.Contains(body, "没有找到") {
		t.Errorf("progress, wrong check: %d", code)
	}
	e.decide(no, cases.DecisionAccept)
	e.move(no, cases.StateInReview, cases.StateResultReady, cases.StateDelivered)
	if _, body := form("/progress", url.Values{"case_no": {no}, "check": {"5678"}}); !strings.Contains(body, "/rate?case_no="+no) {
		t.Errorf("a handed-out case's progress links the rating page")
	}
	if code, body := form("/rate", url.Values{"case_no": {no}, "check": {"5678"}, "score": {"5"}, "reasons": {"一次办成"}}); code != 201 || !strings.Contains(body, "谢谢您的评价") {
		t.Errorf("rate: %d %s", code, body)
	}
	if code, body := form("/rate", url.Values{"case_no": {no}, "check": {"5678"}, "score": {"5"}}); code != 409 || !strings.Contains(body, "已经评价过") {
		t.Errorf("rate again: %d", code)
	}
}

// A handout closes the case (delivery/deliverydesk): closed after a filed handout may be rated,
// closed after a refusal may not.
func TestRatingAfterHandout(t *testing.T) {
	e := newEnv(t)
	handed := e.open()
	e.decide(handed, cases.DecisionAccept)
	e.move(handed, cases.StateInReview, cases.StateResultReady, cases.StateDelivered, cases.StateClosed)
	if err := e.handouts.PutOnce(context.Background(), storage.HandoutKey(handed), []byte(`{"case_no":"`+handed+`","method":"mail","collector_id":"220102199003070013"}`)); err != nil {
		t.Fatal(err)
	}
	code, body := e.call("GET", "/api/v1/public/cases/"+handed+"?check=5678", nil)
	if code != 200 || !strings.Contains(body, `"handout":"mail"`) || !strings.Contains(body, `"can_rate":true`) || strings.Contains(body, "220102199003070013") {
		t.Errorf("handed out by mail: %d %s", code, body)
	}
	if code, body := e.call("POST", "/api/v1/public/cases/"+handed+"/rating", map[string]any{"check": "5678", "score": 5}); code != 201 {
		t.Errorf("rating a closed, handed-out case: %d %s", code, body)
	}
	refused := e.open()
	e.decide(refused, cases.DecisionReject)
	e.move(refused, cases.StateClosed)
	if code, body := e.call("POST", "/api/v1/public/cases/"+refused+"/rating", map[string]any{"check": "5678", "score": 1}); code != 409 || errorCode(t, body) != "not_handed_out" {
		t.Errorf("rating a refused case: %d %s", code, body)
	}
}
