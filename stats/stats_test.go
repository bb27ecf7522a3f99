package stats_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/cases/notice"
	"onewindow/internal/auth"
	"onewindow/internal/clock"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/internal/testenv"
	"onewindow/stats"
	"onewindow/storage"
)

var hallZone = clock.Clock{}.Location()

// testAuthz takes "Bearer ROLE" as the principal's role: the token check is api's business.
func testAuthz(c auth.Cap, h httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.Principal{Role: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), Name: "t"}
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
	t       *testing.T
	now     atomic.Pointer[time.Time]
	desk    *casedesk.Desk
	store   *storage.CaseStore
	ratings *storage.RatingStore
	stats   *stats.Stats
	srv     *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	blobs := testenv.Blobs(t, svc)
	e := &env{t: t, store: storage.NewCaseStore(blobs, st), ratings: storage.NewRatingStore(blobs, nil)}
	e.at(time.Date(2026, 3, 2, 9, 0, 0, 0, hallZone))
	hall := clock.New(hallZone, func() time.Time { return *e.now.Load() })
	notices, err := notice.New(notice.Options{Hall: "长春市政务服务中心"})
	if err != nil {
		t.Fatal(err)
	}
	if e.desk, err = casedesk.New(casedesk.Options{Store: e.store, Notices: notices, Clock: hall, Log: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	e.stats = stats.New(stats.Options{Cases: e.store, Ratings: e.ratings, FollowUps: e.ratings, Catalogue: e.desk.Catalogue, Clock: hall})
	e.serve()
	return e
}

// serve answers the statistics API of e.stats at e.srv.
func (e *env) serve() {
	mux := http.NewServeMux()
	e.stats.Routes(mux, testAuthz)
	e.srv = httptest.NewServer(mux)
	e.t.Cleanup(e.srv.Close)
}

func (e *env) at(t time.Time) { e.now.Store(&t) }

// dayOfCases files a hall's day: counter and mail cases, each decision, one handed out and
// rated low, one accepted whose department is late.
func (e *env) dayOfCases(day time.Time) {
	e.t.Helper()
	ctx := context.Background()
	clerk := cases.Actor{Name: "clerk-1", Role: "window", Desk: "window-1"}
	open := func(h int, channel string) string {
		e.at(day.Add(time.Duration(h) * time.Hour))
		c, err := e.desk.Open(ctx, casedesk.OpenInput{Matter: "JL-SC-002", Channel: channel, Window: "window-1", By: clerk,
			Applicant: cases.Party{Name: "张三", IDNumber: "220102199003070013", Phone: "13912345678"}})
		if err != nil {
			e.t.Fatal(err)
		}
		return c.CaseNo
	}
	decide := func(no, d string) {
		var refusals []string // a refusal names a catalogue reason of JL-SC-002
		if d == cases.DecisionReject {
			refusals = []string{"not_our_competence"}
		}
		if _, err := e.desk.Decide(ctx, no, 0, casedesk.DecideInput{Decision: d, Reason: "测试", Refusals: refusals}, clerk); err != nil {
			e.t.Fatalf("%s %s: %v", no, d, err)
		}
	}
	move := func(no string, to ...string) {
		for _, s := range to {
			if _, err := e.desk.Advance(ctx, no, 0, s, "", clerk); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	a := open(9, cases.ChannelCounter)
	decide(a, cases.DecisionAccept)
	move(a, cases.StateInReview, cases.StateResultReady, cases.StateDelivered)
	c, _ := e.desk.Case(ctx, a)
	r, err := cases.NewRating(c, cases.DefaultCalendar(), 2, []string{"等候时间长"}, "", *e.now.Load())
	if err != nil {
		e.t.Fatal(err)
	}
	raw, _ := json.Marshal(r)
	if err := e.ratings.PutRating(ctx, a, raw); err != nil {
		e.t.Fatal(err)
	}
	decide(open(10, cases.ChannelCounter), cases.DecisionCorrection)
	decide(open(11, cases.ChannelMail), cases.DecisionReject)
	b := open(14, cases.ChannelCounter)
	decide(b, cases.DecisionAccept)
	move(b, cases.StateInReview)
	open(16, cases.ChannelMail) // not decided
}

// independent counts the figures straight from the filed events, as a check on Report.
func (e *env) independent(day string) (opened int, decisions map[string]int, firstVisit int) {
	e.t.Helper()
	ctx := context.Background()
	nos, err := e.store.CaseNos(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	decisions = map[string]int{}
	for _, no := range nos {
		raws, err := e.store.Events(ctx, no)
		if err != nil {
			e.t.Fatal(err)
		}
		first := true
		for _, raw := range raws {
			var ev struct {
				Type string    `json:"type"`
				At   time.Time `json:"at"`
				Data struct {
					Decision string `json:"decision"`
				} `json:"data"`
			}
			_ = json.Unmarshal(raw, &ev)
			if ev.At.In(hallZone).Format(time.DateOnly) != day {
				continue
			}
			switch ev.Type {
			case "opened":
				opened++
			case "decided":
				decisions[ev.Data.Decision]++
				if first && (ev.Data.Decision == "accept" || ev.Data.Decision == "accept_with_deficiencies") {
					firstVisit++
				}
				first = false
			}
		}
	}
	return opened, decisions, firstVisit
}

func (e *env) get(role, query string) (int, http.Header, []byte) {
	e.t.Helper()
	return e.send(role, "GET", "/api/v1/stats"+query, "")
}

func (e *env) send(role, method, path, body string) (int, http.Header, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+role)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestReportEqualsTheEvents(t *testing.T) {
	e := newEnv(t)
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, hallZone)
	e.dayOfCases(day)
	e.at(time.Date(2026, 3, 3, 9, 0, 0, 0, hallZone))

	code, _, body := e.get(auth.RoleManager, "?from=2026-03-01&to=2026-03-03")
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var r stats.Report
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	opened, decisions, firstVisit := e.independent("2026-03-02")
	if r.CasesOpened != opened || opened != 5 || r.AcceptedFirstVisit != firstVisit || firstVisit != 2 || r.Decided != 4 {
		t.Errorf("opened %d (events say %d), first visit %d (%d), decided %d", r.CasesOpened, opened, r.AcceptedFirstVisit, firstVisit, r.Decided)
	}
	for d, n := range decisions {
		if r.Decisions[d] != n {
			t.Errorf("decisions[%s] = %d, the events say %d", d, r.Decisions[d], n)
		}
	}
	if len(r.Decisions) != 4 || len(r.Intake) != 3 || r.Intake[1] != (stats.DayIntake{Date: "2026-03-02", Counter: 3, Mail: 2}) || r.Intake[0].Counter+r.Intake[0].Mail != 0 {
		t.Errorf("decisions %v, intake %+v", r.Decisions, r.Intake)
	}
	if r.Ratings.Count != 1 || r.Ratings.Mean != 2 || r.Ratings.Low != 1 || r.Ratings.FollowUpsOpen != 1 {
		t.Errorf("ratings %+v", r.Ratings)
	}
	if len(r.ByClerk) != 1 || r.ByClerk[0] != (stats.Count{Key: "clerk-1", Count: 5}) || len(r.ByMatter) != 1 || r.ByMatter[0].Name != "个体工商户登记" {
		t.Errorf("workload: %+v %+v", r.ByClerk, r.ByMatter)
	}
	if len(r.Departments) != 1 || r.Departments[0].Name != "市场监督管理局" || r.Departments[0].Due != 2 || r.Departments[0].OnTime != 1 {
		t.Errorf("departments: %+v", r.Departments)
	}

	// A later day moves the figures; the kept facts of the unchanged cases still count.
	e.dayOfCases(time.Date(2026, 3, 3, 0, 0, 0, 0, hallZone))
	_, _, body = e.get(auth.RoleAdmin, "?from=2026-03-01&to=2026-03-03")
	var r2 stats.Report
	_ = json.Unmarshal(body, &r2)
	if r2.CasesOpened != 10 || r2.Intake[2].Counter != 3 || r2.Ratings.Count != 2 {
		t.Errorf("after a second day: opened %d, intake %+v, ratings %+v", r2.CasesOpened, r2.Intake, r2.Ratings)
	}

	// Narrowed to a clerk nobody is, or to the matter all cases are of.
	_, _, body = e.get(auth.RoleManager, "?from=2026-03-01&to=2026-03-03&clerk=nobody")
	var none stats.Report
	_ = json.Unmarshal(body, &none)
	if none.CasesOpened != 0 || none.Ratings.Count != 0 || none.Filter.Clerk != "nobody" {
		t.Errorf("clerk=nobody: %s", body)
	}
	_, _, body = e.get(auth.RoleManager, "?from=2026-03-01&to=2026-03-03&matter=JL-SC-002&department=market-regulation")
	var same stats.Report
	_ = json.Unmarshal(body, &same)
	if same.CasesOpened != 4 || same.Ratings.Count != 2 {
		t.Errorf("matter and department of the accepted cases: opened %d, ratings %d", same.CasesOpened, same.Ratings.Count)
	}

	// The downloads carry the same figures.
	code, h, data := e.get(auth.RoleManager, "?from=2026-03-01&to=2026-03-03&format=csv")
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if code != 200 || err != nil || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %v %s", code, err, data)
	}
	fig := map[string]string{}
	for _, row := range rows {
		fig[row[0]+"/"+row[1]] = row[3]
	}
	if fig["cases_opened/"] != "10" || fig["decisions/accept"] != "4" || fig["ratings_count/"] != "2" || fig["ratings_mean/"] != "2" {
		t.Errorf("csv figures: %v", fig)
	}
	code, _, data = e.get(auth.RoleManager, "?from=2026-03-01&to=2026-03-03&format=xlsx")
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if code != 200 || err != nil {
		t.Fatalf("xlsx: %d %v", code, err)
	}
	xrows, _ := x.GetRows("figures")
	if len(xrows) != len(rows) || xrows[3][0] != "cases_opened" || xrows[3][3] != "10" {
		t.Errorf("xlsx rows differ from the csv: %v", xrows[:4])
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		role, query string
		status      int
		code        string
	}{
		{auth.RoleWindow, "?from=2026-03-01&to=2026-03-02", 403, "forbidden"},
		{auth.RoleManager, "?from=2026-03-02&to=2026-03-01", 400, "bad_range"},
		{auth.RoleManager, "?from=2025-01-01&to=2026-01-02", 400, "range_too_long"},
		{auth.RoleManager, "?from=2026-3-1&to=2026-03-02", 400, "bad_date"},
		{auth.RoleManager, "?from=2026-03-01&to=2026-03-02&format=docx", 400, "bad_format"},
		{auth.RoleManager, "?from=2026-03-01&to=2026-03-02&matters=x", 400, "unknown_parameter"},
	} {
		code, _, body := e.get(tt.role, tt.query)
		var b httpx.ErrorBody
		_ = json.Unmarshal(body, &b)
		if code != tt.status || b.Error.Code != tt.code {
			t.Errorf("%s %s: %d %s, want %d %s", tt.role, tt.query, code, body, tt.status, tt.code)
		}
	}
	// A leap year's 366 days are one report.
	if code, _, body := e.get(auth.RoleManager, "?from=2024-01-01&to=2024-12-31"); code != 200 {
		t.Errorf("366 days: %d %s", code, body)
	}
}

// A low rating's follow-up is listed until its outcome is recorded, once.
func TestFollowUps(t *testing.T) {
	e := newEnv(t)
	e.dayOfCases(time.Date(2026, 3, 2, 0, 0, 0, 0, hallZone))
	e.at(time.Date(2026, 3, 12, 9, 0, 0, 0, hallZone)) // past the follow-up's 5 working days
	list := func() []stats.RatingEntry {
		code, _, body := e.send(auth.RoleManager, "GET", "/api/v1/ratings?from=2026-03-01&to=2026-03-31&follow_up=open", "")
		var out struct{ Ratings []stats.RatingEntry }
		if code != 200 || json.Unmarshal(body, &out) != nil {
			t.Fatalf("ratings: %d %s", code, body)
		}
		return out.Ratings
	}
	open := list()
	if len(open) != 1 || open[0].Score != 2 || !open[0].Late || open[0].FollowUp == nil {
		t.Fatalf("open follow-ups: %+v", open)
	}
	no := open[0].CaseNo
	for _, tt := range []struct {
		path, body string
		status     int
		code       string
	}{
		{"/api/v1/ratings/" + no + "/outcome", `{"outcome": ""}`, 400, "bad_outcome"},
		{"/api/v1/ratings/JL-NONE/outcome", `{"outcome": "已回访"}`, 404, "rating_not_found"},
		{"/api/v1/ratings/" + no + "/outcome", `{"outcome": "已回访申请人，增开周一上午窗口"}`, 201, ""},
		{"/api/v1/ratings/" + no + "/outcome", `{"outcome": "again"}`, 409, "outcome_recorded"},
	} {
		code, _, body := e.send(auth.RoleManager, "POST", tt.path, tt.body)
		var b httpx.ErrorBody
		_ = json.Unmarshal(body, &b)
		if code != tt.status || b.Error.Code != tt.code {
			t.Errorf("%s %s: %d %s", tt.path, tt.body, code, body)
		}
	}
	if code, _, _ := e.send(auth.RoleWindow, "GET", "/api/v1/ratings", ""); code != 403 {
		t.Errorf("a window reads ratings: %d", code)
	}
	if open := list(); len(open) != 0 {
		t.Errorf("still open after its outcome: %+v", open)
	}
	_, _, body := e.get(auth.RoleManager, "?from=2026-03-01&to=2026-03-31")
	var r stats.Report
	_ = json.Unmarshal(body, &r)
	if r.Ratings.Low != 1 || r.Ratings.FollowUpsOpen != 0 {
		t.Errorf("ratings after the outcome: %+v", r.Ratings)
	}
}
