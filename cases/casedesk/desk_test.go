package casedesk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/cases/notice"
	"onewindow/internal/auth"
	"onewindow/internal/clock"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

const idZhang = "220102199003070013"

var cst = clock.Clock{}.Location() // the hall's zone

// testAuthz takes "Bearer role:name" as the principal: the token check is api's business.
func testAuthz(c auth.Cap, h httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		role, name, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), ":")
		p := auth.Principal{Role: role, Name: name, Department: r.Header.Get("X-Department")}
		if !auth.Can(p.Role, c) {
			httpx.WriteError(w, r, nil, errs.E("test", errs.Forbidden, "forbidden", "no", nil))
			return
		}
		if err := h(w, r, p); err != nil {
			httpx.WriteError(w, r, nil, err)
		}
	})
}

type env struct {
	t     testing.TB
	desk  *casedesk.Desk
	store *storage.CaseStore
	state *storage.State
	srv   *httptest.Server
	now   atomic.Pointer[time.Time]
}

func newEnv(t testing.TB, notifier casedesk.Notifier, hook ...casedesk.AfterEvent) *env {
	t.Helper()
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	e := &env{t: t, state: st, store: storage.NewCaseStore(testenv.Blobs(t, svc), st)}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	e.now.Store(&start)
	r, err := notice.New(notice.Options{Hall: "长春市政务服务中心"})
	if err != nil {
		t.Fatal(err)
	}
	var store casedesk.Store = e.store
	for _, h := range hook {
		store = casedesk.WithAfterEvent(store, h)
	}
	e.desk, err = casedesk.New(casedesk.Options{Store: store, Notices: r, Notifier: notifier,
		Clock: clock.New(cst, func() time.Time { return *e.now.Load() }), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.desk.Routes(mux, testAuthz)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) at(t time.Time) { e.now.Store(&t) }

// do sends a request and decodes a JSON answer into out (when not nil); it returns the status.
func (e *env) do(method, path, who string, body any, header map[string]string, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+who)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if p, ok := out.(*[]byte); ok {
			*p = data
		} else if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode
}

type caseJSON struct {
	CaseNo  string `json:"case_no"`
	State   string `json:"state"`
	Version int    `json:"version"`
	DueDate string `json:"due_date"`
	Check   struct {
		Complete bool `json:"complete"`
		Items    []struct {
			Type, Status string
			Documents    []string
		} `json:"items"`
		Inconsistencies []struct{ Code, Message string } `json:"inconsistencies"`
		Proposed        string                           `json:"proposed_decision"`
	} `json:"check"`
	Notices   []struct{ ID, Kind string } `json:"notices"`
	Events    []struct{ Type, By string } `json:"events"`
	Documents []string                    `json:"documents"`
	Applicant struct {
		IDNumber string `json:"id_number"`
	} `json:"applicant"`
	Deliveries []any                  `json:"deliveries"`
	Error      *struct{ Code string } `json:"error"`
}

func (c caseJSON) status(typ string) string {
	for _, it := range c.Check.Items {
		if it.Type == typ {
			return it.Status
		}
	}
	return ""
}

func (c caseJSON) lastNotice() (string, string) {
	if len(c.Notices) == 0 {
		return "", ""
	}
	n := c.Notices[len(c.Notices)-1]
	return n.ID, n.Kind
}

// TestMailedApplication walks a mailed application from the courier's log through the
// automatic check (one item missing, one 容缺 item), the one-time notice, the supplements,
// to the acceptance notice.
func TestMailedApplication(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	var mail cases.MailItem
	status := e.do("POST", "/api/v1/mail", "courier:李收发", map[string]any{
		"carrier": "EMS", "waybill": "1180123456789", "sender": map[string]string{"name": "张三", "phone": "13804311234", "address": "长春市南关区"},
		"signed_by": "李收发", "pieces": 1,
		"open_case": map[string]any{"matter": "JL-SC-002", "applicant": map[string]string{"name": "张三", "id_number": idZhang, "phone": "13804311234"}},
	}, nil, &mail)
	if status != 201 || mail.CaseNo != "20260302-00001" || mail.ID == "" {
		t.Fatalf("POST /mail = %d %+v", status, mail)
	}
	var c caseJSON
	e.do("GET", "/api/v1/cases/"+mail.CaseNo, "window:赵窗口", nil, nil, &c)
	if c.State != cases.StatePreAccepted || len(c.Notices) != 1 || c.Notices[0].Kind != "mail_receipt" {
		t.Fatalf("mailed case = %+v", c)
	}
	// Scanned: the form and the premises proof; the ID card (required) is missing.
	if err := e.desk.BatchDone(ctx, mail.CaseNo, "b1", []cases.DocumentFacts{{ID: "b1-001", Type: "application_form", IDNumbers: []string{idZhang}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.desk.BatchDone(ctx, mail.CaseNo, "b1", []cases.DocumentFacts{{ID: "b1-001", Type: "application_form", IDNumbers: []string{idZhang}}}); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/cases/"+mail.CaseNo, "window:赵窗口", nil, nil, &c)
	if c.Version != 4 || c.status("id_card") != "missing" || c.status("property_certificate") != "deferrable_missing" || c.Check.Proposed != "correction_required" {
		t.Fatalf("after the first batch (BatchDone twice): %+v", c)
	}
	status = e.do("POST", "/api/v1/cases/"+mail.CaseNo+"/decision", "window:赵窗口", map[string]string{"decision": "correction_required"},
		map[string]string{"If-Match": fmt.Sprintf(`"%d"`, c.Version)}, &c)
	if id, kind := c.lastNotice(); status != 200 || c.State != "correction_required" || kind != "correction" {
		t.Fatalf("correction: %d %+v", status, c)
	} else {
		var pdf []byte
		e.do("GET", "/api/v1/notices/"+id+"/pdf", "window:赵窗口", nil, nil, &pdf)
		text := pdfText(t, pdf)
		for _, want := range []string{"张三", mail.CaseNo, "经营者身份证件", "经营场所使用证明"} {
			if !strings.Contains(text, want) {
				t.Errorf("correction notice lacks %q:\n%s", want, text)
			}
		}
	}
	// The ID card arrives: only the deferrable item is missing.
	e.at(time.Date(2026, 3, 3, 10, 0, 0, 0, cst))
	if err := e.desk.BatchDone(ctx, mail.CaseNo, "b2", []cases.DocumentFacts{{ID: "b2-001", Type: "id_card", IDNumbers: []string{idZhang}}}); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/cases/"+mail.CaseNo, "window:赵窗口", nil, nil, &c)
	if c.Check.Proposed != "accept_with_deficiencies" {
		t.Fatalf("after the ID card: %+v", c.Check)
	}
	status = e.do("POST", "/api/v1/cases/"+mail.CaseNo+"/decision", "window:赵窗口", map[string]string{"decision": "accept_with_deficiencies"},
		map[string]string{"If-Match": fmt.Sprint(c.Version)}, &c)
	if _, kind := c.lastNotice(); status != 200 || c.State != "accepted_with_deficiencies" || kind != "deferred_acceptance" {
		t.Fatalf("deferred acceptance: %d %+v", status, c)
	}
	// Past the supplement's due date (5 working days: 10 March) it is listed as overdue.
	e.at(time.Date(2026, 3, 11, 9, 0, 0, 0, cst))
	var list struct {
		Total int `json:"total"`
		Cases []struct {
			CaseNo string `json:"case_no"`
		} `json:"cases"`
	}
	e.do("GET", "/api/v1/supplements/overdue", "window:赵窗口", nil, nil, &list)
	if list.Total != 1 || list.Cases[0].CaseNo != mail.CaseNo {
		t.Errorf("overdue supplements = %+v", list)
	}
	if n, err := e.desk.OverdueSupplements(ctx); n != 1 || err != nil {
		t.Errorf("OverdueSupplements = %d, %v", n, err)
	}
	if err := e.desk.BatchDone(ctx, mail.CaseNo, "b3", []cases.DocumentFacts{{ID: "b3-001", Type: "property_certificate"}}); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/supplements/overdue", "window:赵窗口", nil, nil, &list)
	if list.Total != 0 {
		t.Errorf("supplied but still overdue: %+v", list)
	}
	e.do("GET", "/api/v1/cases/"+mail.CaseNo, "window:赵窗口", nil, nil, &c)
	status = e.do("POST", "/api/v1/cases/"+mail.CaseNo+"/decision", "window:赵窗口", map[string]string{"decision": "accept"},
		map[string]string{"If-Match": fmt.Sprint(c.Version)}, &c)
	if id, kind := c.lastNotice(); status != 200 || c.State != "accepted" || kind != "acceptance" || !c.Check.Complete {
		t.Fatalf("acceptance: %d %+v", status, c)
	} else {
		var pdf []byte
		e.do("GET", "/api/v1/notices/"+id+"/pdf", "viewer:v", nil, nil, &pdf)
		if text := pdfText(t, pdf); !strings.Contains(text, "张三") || !strings.Contains(text, "受理通知书") {
			t.Errorf("acceptance notice:\n%s", text)
		}
	}
	// An accepted case cannot go back to correction_required.
	var bad caseJSON
	if status := e.do("POST", "/api/v1/cases/"+mail.CaseNo+"/decision", "window:赵窗口", map[string]string{"decision": "correction_required", "reason": "x"},
		map[string]string{"If-Match": fmt.Sprint(c.Version)}, &bad); status != 409 || bad.Error.Code != "illegal_transition" {
		t.Errorf("accepted -> correction: %d %+v", status, bad.Error)
	}
	// A viewer sees the ID number masked; the timeline names who did what.
	e.do("GET", "/api/v1/cases/"+mail.CaseNo, "viewer:v", nil, nil, &c)
	if c.Applicant.IDNumber == idZhang || !strings.Contains(c.Applicant.IDNumber, "*") {
		t.Errorf("viewer sees %s", c.Applicant.IDNumber)
	}
	if c.Events[0].Type != "opened" || c.Events[0].By != "李收发" || c.Deliveries == nil {
		t.Errorf("timeline %+v", c.Events)
	}
	// The courier's register.
	var reg struct {
		Count int              `json:"count"`
		Mail  []cases.MailItem `json:"mail"`
	}
	e.do("GET", "/api/v1/mail?date=2026-03-02", "courier:李收发", nil, nil, &reg)
	if reg.Count != 1 || reg.Mail[0].CaseNo != mail.CaseNo {
		t.Errorf("register = %+v", reg)
	}
	var pdf []byte
	if status := e.do("GET", "/api/v1/mail/register.pdf?date=2026-03-02", "courier:李收发", nil, nil, &pdf); status != 200 || !strings.Contains(pdfText(t, pdf), "1180123456789") {
		t.Errorf("register PDF: %d", status)
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.200s", pdf)
	}
	path := filepath.Join(t.TempDir(), "n.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestConcurrentDecisions: two windows decide the same version at once; one wins, the other
// gets version_conflict, and no event is lost.
func TestConcurrentDecisions(t *testing.T) {
	e := newEnv(t, nil)
	var c caseJSON
	if status := e.do("POST", "/api/v1/cases", "window:w1", map[string]any{"matter": "JL-RS-001",
		"applicant": map[string]string{"name": "王五", "id_number": idZhang}}, nil, &c); status != 201 {
		t.Fatalf("open: %d %+v", status, c)
	}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	answers := make([]caseJSON, 2)
	for i, decision := range []string{"correction_required", "reject"} {
		wg.Go(func() {
			codes[i] = e.do("POST", "/api/v1/cases/"+c.CaseNo+"/decision", fmt.Sprintf("window:w%d", i), map[string]any{"decision": decision, "reason": "理由", "refusals": []string{"card_already_valid"}},
				map[string]string{"If-Match": fmt.Sprint(c.Version)}, &answers[i])
		})
	}
	wg.Wait()
	won := 0
	for i := range codes {
		switch {
		case codes[i] == 200:
			won++
		case codes[i] != 409 || answers[i].Error.Code != "version_conflict":
			t.Errorf("loser answered %d %+v", codes[i], answers[i].Error)
		}
	}
	if won != 1 {
		t.Fatalf("%d decisions won: %v", won, codes)
	}
	e.do("GET", "/api/v1/cases/"+c.CaseNo, "window:w1", nil, nil, &c)
	if c.Version != 3 || len(c.Events) != 3 || len(c.Notices) != 1 {
		t.Errorf("after the race: version %d, events %+v, notices %+v", c.Version, c.Events, c.Notices)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t, nil)
	var out struct{ Error struct{ Code string } }
	tests := []struct {
		path   string
		body   any
		status int
		code   string
	}{
		{"/api/v1/mail", map[string]any{"carrier": "SF", "waybill": "1180123456789", "sender": map[string]string{"name": "张三", "phone": "13804311234"}, "signed_by": "x"}, 422, "bad_waybill"},
		{"/api/v1/mail", map[string]any{"carrier": "EMS", "waybill": "1180123456789", "sender": map[string]string{"name": "张三", "phone": "13804311234"}, "signed_by": "x",
			"open_case": map[string]any{"matter": "JL-SC-002", "applicant": map[string]string{"name": "张三", "id_number": "220102199003070012"}}}, 422, "bad_id_number"},
		{"/api/v1/mail", map[string]any{"carrier": "EMS", "waybill": "1180123456789", "sender": map[string]string{"name": "张三", "phone": "13804311234"}, "signed_by": "x", "case_no": "NOPE-1"}, 404, "case_not_found"},
		{"/api/v1/cases", map[string]any{"matter": "NOPE", "applicant": map[string]string{"name": "张三", "id_number": idZhang}}, 422, "unknown_matter"},
		{"/api/v1/cases", map[string]any{"matter": "JL-SC-001", "applicant": map[string]string{"name": "某公司", "uscc": "912201011234567885"}}, 422, "bad_uscc"},
		{"/api/v1/cases", map[string]any{"matter": "JL-SC-001", "applicant": map[string]string{"name": "某公司"}, "extra": 1}, 400, "bad_json"},
	}
	for _, tt := range tests {
		if status := e.do("POST", tt.path, "courier:c", tt.body, nil, &out); status != tt.status || out.Error.Code != tt.code {
			t.Errorf("POST %s %v = %d %s, want %d %s", tt.path, tt.body, status, out.Error.Code, tt.status, tt.code)
		}
	}
	var reg struct{ Count int }
	e.do("GET", "/api/v1/mail?date=2026-03-02", "courier:c", nil, nil, &reg)
	var list struct{ Total int }
	e.do("GET", "/api/v1/cases", "window:w", nil, nil, &list)
	if reg.Count != 0 || list.Total != 0 {
		t.Errorf("bad input stored something: %d mail, %d cases", reg.Count, list.Total)
	}
	if status := e.do("GET", "/api/v1/cases/NOPE-1", "window:w", nil, nil, &out); status != 404 || out.Error.Code != "case_not_found" {
		t.Errorf("unknown case: %d %s", status, out.Error.Code)
	}
	if status := e.do("GET", "/api/v1/notices/NOPE-1.n3/pdf", "window:w", nil, nil, &out); status != 404 {
		t.Errorf("unknown notice: %d", status)
	}
	if status := e.do("POST", "/api/v1/cases", "scanner:s", map[string]any{}, nil, &out); status != 403 {
		t.Errorf("scanner opened a case: %d", status)
	}
}

func TestListsAndRebuild(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	var nos []string
	for i, m := range []string{"JL-RS-001", "JL-RS-001", "JL-GA-001"} {
		e.at(time.Date(2026, 3, 2+i, 9, 0, 0, 0, cst))
		c, err := e.desk.Open(ctx, casedesk.OpenInput{Matter: m, Applicant: cases.Party{Name: "王五", IDNumber: idZhang}})
		if err != nil {
			t.Fatal(err)
		}
		nos = append(nos, c.CaseNo)
	}
	e.at(time.Date(2026, 3, 2, 9, 0, 0, 0, cst))
	docs := []cases.DocumentFacts{{ID: "d1", Type: "application_form"}, {ID: "d2", Type: "id_card", IDNumbers: []string{idZhang}}}
	if err := e.desk.BatchDone(ctx, nos[0], "b1", docs); err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.Decide(ctx, nos[0], 0, casedesk.DecideInput{Decision: "accept"}, cases.Actor{Name: "w"}); err != nil {
		t.Fatal(err)
	}
	type listJSON struct {
		Total int
		Cases []struct {
			CaseNo  string `json:"case_no"`
			Overdue bool
		}
	}
	checkAs := func(who, dept, query string, want ...string) {
		t.Helper()
		var l listJSON
		e.do("GET", "/api/v1/cases"+query, who, nil, map[string]string{"X-Department": dept}, &l)
		var got []string
		for _, c := range l.Cases {
			got = append(got, c.CaseNo)
		}
		if l.Total != len(want) || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("GET /cases%s as %s %s = %d %v, want %v", query, who, dept, l.Total, got, want)
		}
	}
	check := func(query string, want ...string) { t.Helper(); checkAs("window:w", "", query, want...) }
	check("", nos[0], nos[1], nos[2])
	check("?state=submitted", nos[1], nos[2])
	check("?matter=JL-RS-001", nos[0], nos[1])
	check("?state=submitted&matter=JL-GA-001", nos[2])
	check("?due_within=0", nos[0]) // 即办: due the day it was accepted
	check("?overdue=true")
	// A department sees the cases of its matters only.
	checkAs("department:d", "public-security", "", nos[2])
	checkAs("department:d", "human-resources-social-security", "", nos[0], nos[1])
	checkAs("department:d", "human-resources-social-security", "?state=accepted", nos[0])
	checkAs("department:d", "human-resources-social-security", "?due_within=0", nos[0])
	checkAs("department:d", "transport", "")
	var page listJSON
	e.do("GET", "/api/v1/cases?per_page=1&page=2", "window:w", nil, nil, &page)
	if page.Total != 3 || len(page.Cases) != 1 || page.Cases[0].CaseNo != nos[1] {
		t.Errorf("page 2 = %+v", page)
	}
	e.at(time.Date(2026, 3, 9, 9, 0, 0, 0, cst))
	check("?overdue=true", nos[0])
	// Redis loses everything: reads replay from the archive, lists come back with Reindex.
	if err := e.state.Redis().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	var c caseJSON
	if status := e.do("GET", "/api/v1/cases/"+nos[0], "window:w", nil, nil, &c); status != 200 || c.State != "accepted" {
		t.Errorf("after losing Redis: %d %+v", status, c)
	}
	if n, err := e.desk.Reindex(ctx); err != nil || n != 3 {
		t.Fatalf("Reindex = %d, %v", n, err)
	}
	check("?state=submitted", nos[1], nos[2])
	// The sequence restarts after the loss, and skips the numbers the archive has.
	c2, err := e.desk.Open(ctx, casedesk.OpenInput{Matter: "JL-RS-001", Applicant: cases.Party{Name: "王五", IDNumber: idZhang}})
	if err != nil || c2.CaseNo != "20260309-00001" {
		t.Errorf("open after the loss = %v, %v", c2, err)
	}
}

func TestNotifyMail(t *testing.T) {
	var calls atomic.Int32
	var got casedesk.Notification
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		if !strings.HasPrefix(r.Header.Get("X-Onewindow-Signature"), "sha256=") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
	}))
	defer gw.Close()
	e := newEnv(t, &casedesk.WebhookNotifier{URL: gw.URL, Secret: "s", Backoff: 10 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	var mail cases.MailItem
	e.do("POST", "/api/v1/mail", "courier:c", map[string]any{
		"carrier": "SF", "waybill": "SF1234567890123", "sender": map[string]string{"name": "张三", "phone": "13804311234"}, "signed_by": "c",
		"open_case": map[string]any{"matter": "JL-SC-002", "applicant": map[string]string{"name": "张三", "id_number": idZhang, "phone": "13904319999"}},
	}, nil, &mail)
	e.do("PATCH", "/api/v1/mail/"+mail.ID, "courier:c", map[string]string{"routed_to": "综合窗口3", "received_by": "赵窗口", "pre_acceptance": "pre_accepted"}, nil, &mail)
	if status := e.do("POST", "/api/v1/mail/"+mail.ID+"/notify", "courier:c", nil, nil, &mail); status != 200 || !mail.ApplicantNotified {
		t.Fatalf("notify: %d %+v", status, mail)
	}
	if calls.Load() != 2 || got.Phone != "13904319999" || !strings.Contains(got.Message, mail.CaseNo) {
		t.Errorf("gateway saw %d calls, %+v", calls.Load(), got)
	}
	var c caseJSON
	e.do("GET", "/api/v1/cases/"+mail.CaseNo, "window:w", nil, nil, &c)
	if last := c.Events[len(c.Events)-1]; last.Type != "applicant_notified" {
		t.Errorf("last event %+v", last)
	}
}

// TestAfterEventHook: the hook other desks hang on sees every filed event once, in order.
func TestAfterEventHook(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	e := newEnv(t, nil, func(_ context.Context, caseNo string, ev cases.Event) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%s/%d/%s", caseNo, ev.Seq, ev.Type))
	})
	ctx := context.Background()
	c, err := e.desk.Open(ctx, casedesk.OpenInput{Matter: "JL-RS-001", Applicant: cases.Party{Name: "王五", IDNumber: idZhang}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.Decide(ctx, c.CaseNo, 1, casedesk.DecideInput{Decision: "correction_required"}, cases.Actor{Name: "w"}); err != nil {
		t.Fatal(err)
	}
	want := []string{c.CaseNo + "/1/opened", c.CaseNo + "/2/decided", c.CaseNo + "/3/notice_filed"}
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("hook saw %v, want %v", seen, want)
	}
}

// BenchmarkBatchDone is the desk's share of the wait from upload to check result: recording a
// finished batch of eight documents on a mailed case (four events) and recomputing its check.
func BenchmarkBatchDone(b *testing.B) {
	e := newEnv(b, nil)
	ctx := context.Background()
	docs := []cases.DocumentFacts{{ID: "b-001", Type: "application_form", IDNumbers: []string{idZhang}}, {ID: "b-002", Type: "id_card", IDNumbers: []string{idZhang}},
		{ID: "b-003", Type: "property_certificate"}, {ID: "b-004", Type: "other"}, {ID: "b-005", Type: "other"}, {ID: "b-006", Type: "other"},
		{ID: "b-007", Type: "other"}, {ID: "b-008", Type: "other"}}
	for b.Loop() {
		b.StopTimer()
		mi, err := e.desk.LogMail(ctx, casedesk.MailInput{Carrier: "EMS", Waybill: "1180123456789", Sender: cases.Sender{Name: "张三", Phone: "13804311234"},
			SignedBy: "c", OpenCase: &casedesk.OpenInput{Matter: "JL-SC-002", Applicant: cases.Party{Name: "张三", IDNumber: idZhang}}}, cases.Actor{Name: "c"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := e.desk.BatchDone(ctx, mi.CaseNo, "b", docs); err != nil {
			b.Fatal(err)
		}
	}
}

// noticeOutage fails the first notice put, as storage going away between a decision and its
// notice would.
type noticeOutage struct {
	casedesk.Store
	failed atomic.Bool
}

func (s *noticeOutage) PutNotice(ctx context.Context, caseNo, id string, pdf []byte) error {
	if s.failed.CompareAndSwap(false, true) {
		return errs.E("test", errs.Unavailable, "storage_unavailable", "MinIO is down.", nil)
	}
	return s.Store.PutNotice(ctx, caseNo, id, pdf)
}

// TestDecisionRetryFilesTheMissingNotice: a decision filed whose notice failed is not lost to
// the window's retry, which would otherwise meet the version the decision moved on.
func TestDecisionRetryFilesTheMissingNotice(t *testing.T) {
	e := newEnv(t, nil)
	outage := &noticeOutage{Store: e.store}
	r, err := notice.New(notice.Options{Hall: "长春市政务服务中心"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := casedesk.New(casedesk.Options{Store: outage, Notices: r, Clock: clock.New(cst, nil), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	d.Routes(mux, testAuthz)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)

	var c caseJSON
	if status := e.do("POST", "/api/v1/cases", "window:w1", map[string]any{"matter": "JL-RS-001",
		"applicant": map[string]string{"name": "王五", "id_number": idZhang}}, nil, &c); status != 201 {
		t.Fatalf("open: %d %+v", status, c)
	}
	decide := func(decision string) (int, caseJSON) {
		var got caseJSON
		status := e.do("POST", "/api/v1/cases/"+c.CaseNo+"/decision", "window:w1", map[string]string{"decision": decision, "reason": "材料不全"},
			map[string]string{"If-Match": fmt.Sprint(c.Version)}, &got)
		return status, got
	}
	if status, got := decide("correction_required"); status != 503 {
		t.Fatalf("decision while the notice cannot be filed: %d %+v", status, got)
	}
	if status, got := decide("reject"); status != 409 || got.Error.Code != "version_conflict" {
		t.Errorf("another decision on the old version: %d %+v", status, got.Error)
	}
	status, got := decide("correction_required")
	if id, kind := got.lastNotice(); status != 200 || got.State != cases.StateCorrectionRequired || kind != "correction" || len(got.Notices) != 1 {
		t.Fatalf("the retry: %d %s %s %+v", status, got.State, id, got.Notices)
	}
	if status, again := decide("correction_required"); status != 409 || len(again.Notices) != 0 {
		t.Errorf("a retry once the notice is filed: %d %+v", status, again)
	}
}
