package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/api"
	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/cases/notice"
	"onewindow/delivery/deliverydesk"
	"onewindow/internal/auth"
	"onewindow/internal/clock"
	"onewindow/internal/config"
	"onewindow/internal/metrics"
	"onewindow/internal/tasks"
	"onewindow/internal/testenv"
)

const hallToken = "hall-clock-admin-token-0123456789"

// TestOneHallDay runs the front desk, the department desk, the notices and the pages, wired
// as serve wires them, on a server kept on UTC just before and just after midnight in the
// hall: every one of them works in the hall's day, never the server's.
func TestOneHallDay(t *testing.T) {
	for _, tool := range []string{"pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (poppler-utils) is not installed", tool)
		}
	}
	if _, err := os.Stat(notice.DefaultFontPath); err != nil {
		t.Skip("fonts-wqy-zenhei is not installed (scripts/setup.sh installs it)")
	}
	local := time.Local
	time.Local = time.UTC // the server's zone: nothing in the hall may follow it
	t.Cleanup(func() { time.Local = local })

	for _, tc := range []struct {
		name    string
		at      time.Time // the case is opened, accepted and sent then
		day     string    // the hall's day at that moment
		shown   string    // how pages show that moment
		due     string    // one working day later (JL-SC-002)
		chinese string    // the day as notices write it
		before  string    // the day before, which nothing may show
	}{
		{"23:30 in the hall", time.Date(2026, 12, 7, 15, 30, 0, 0, time.UTC), "2026-12-07", "2026-12-07 23:30", "2026-12-08", "2026年12月7日", "2026年12月6日"},
		{"00:30 in the hall", time.Date(2026, 12, 7, 16, 30, 0, 0, time.UTC), "2026-12-08", "2026-12-08 00:30", "2026-12-09", "2026年12月8日", "2026年12月7日"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var now atomic.Pointer[time.Time]
			now.Store(&tc.at)
			h := newHallHarness(t, clock.New(nil, func() time.Time { return *now.Load() }))
			ctx := context.Background()
			window := cases.Actor{Name: "综合窗口1", Role: auth.RoleWindow}

			c, err := h.cases.Open(ctx, casedesk.OpenInput{Matter: "JL-SC-002", Applicant: cases.Party{Kind: cases.KindPerson, Name: "杨佳",
				IDNumber: "220103198909195957"}, By: window})
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.ReplaceAll(tc.day, "-", "") + "-"; !strings.HasPrefix(c.CaseNo, want) {
				t.Errorf("case number %s, want the hall's day %s…", c.CaseNo, want)
			}
			if c, err = h.cases.Decide(ctx, c.CaseNo, 0, casedesk.DecideInput{Decision: cases.DecisionAccept, Reason: "材料齐全"}, window); err != nil {
				t.Fatal(err)
			}
			if c.DueDate != tc.due {
				t.Errorf("due date %s, want %s: one working day after %s", c.DueDate, tc.due, tc.day)
			}

			// The acceptance notice: submitted and issued on the hall's day.
			pdf, err := h.cases.NoticePDF(ctx, c.Notices[len(c.Notices)-1].ID)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(pdfText(t, pdf)), "")
			if n := strings.Count(text, tc.chinese); n < 2 || strings.Contains(text, tc.before) {
				t.Errorf("the notice names %s %d times (want submitted and issued) and %s %v times:\n%s", tc.chinese, n, tc.before,
					strings.Count(text, tc.before), text)
			}

			// The department's package, and the pages showing when it and the case moved.
			if _, err := h.delivery.Plan(ctx, c.CaseNo, 0); err != nil {
				t.Fatal(err)
			}
			for _, page := range []string{"/department", "/cases/" + c.CaseNo} {
				body := h.page(t, page)
				if utc := tc.at.UTC().Format("2006-01-02 15:04"); !strings.Contains(body, tc.shown) || strings.Contains(body, utc) {
					t.Errorf("%s does not show %s (the hall's time), or shows %s (the server's)", page, tc.shown, utc)
				}
			}

			// Judged late from the first minute of the day after the due date, everywhere.
			for _, judged := range []struct {
				days int
				late bool
			}{{0, false}, {1, true}} {
				due, _ := h.hall.ParseDate(tc.due)
				at := due.AddDate(0, 0, judged.days).Add(tc.at.Sub(h.hall.StartOfDay(tc.at)))
				now.Store(&at)
				var dl struct {
					Deliveries []struct{ Overdue bool } `json:"deliveries"`
				}
				h.api(t, "/api/v1/cases/"+c.CaseNo+"/deliveries", &dl)
				var list struct {
					Cases []struct{ Overdue bool } `json:"cases"`
				}
				h.api(t, "/api/v1/cases", &list)
				h.signIn(t)                                                                // days later: yesterday's session has expired
				page := strings.Contains(h.page(t, "/cases/"+c.CaseNo), `class="tag bad"`) // 已逾期
				if len(dl.Deliveries) != 1 || dl.Deliveries[0].Overdue != judged.late || len(list.Cases) != 1 || list.Cases[0].Overdue != judged.late || page != judged.late {
					t.Errorf("at %s (hall): deliveries %+v, cases %+v, page says overdue %v; want overdue %v", h.hall.Minutes(at), dl.Deliveries,
						list.Cases, page, judged.late)
				}
			}
		})
	}
}

// hallHarness is serve's front desk, department desk, API and pages over real Redis and
// MinIO, on a hall clock the test sets.
type hallHarness struct {
	hall     clock.Clock
	cases    *casedesk.Desk
	delivery *deliverydesk.Desk
	srv      *httptest.Server
	client   *http.Client
}

func newHallHarness(t *testing.T, hall clock.Clock) *hallHarness {
	t.Helper()
	svc := testenv.Services(t)
	dir := t.TempDir()
	cfg := config.Default()
	cfg.AdminToken, cfg.DataDir = hallToken, dir
	cfg.DepartmentsFile = filepath.Join(dir, "departments.yaml")
	if err := os.WriteFile(cfg.DepartmentsFile, []byte("departments:\n  - id: market-regulation\n    name: 市场监督管理局\n    pull: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	state := testenv.State(t, svc)
	client := asynq.NewClientFromRedisClient(state.Redis())
	t.Cleanup(func() { client.Close() })
	d := &deps{cfg: cfg, log: slog.New(slog.DiscardHandler), hall: hall, blobs: testenv.Blobs(t, svc), state: state, client: client,
		queue: &tasks.Queue{Client: client, Limits: tasks.DefaultLimits(cfg.MaxRetry, cfg.TaskTimeout)}, metrics: metrics.New()}
	cd, err := d.caseDesk()
	if err != nil {
		t.Fatal(err)
	}
	dd, err := d.wireDelivery(nil, cd)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.LoadTokens("", hallToken)
	if err != nil {
		t.Fatal(err)
	}
	s := &api.Server{Config: cfg, Blobs: d.blobs, State: d.state, Queue: d.queue, Tokens: tokens, Log: d.log, Metrics: d.metrics, Clock: hall}
	s.Extra = append(s.Extra, cd.Routes, dd.Routes)
	handler, err := d.withPages(s.Handler(), tokens)
	if err != nil {
		t.Fatal(err)
	}
	h := &hallHarness{hall: hall, cases: cd, delivery: dd, srv: httptest.NewServer(handler)}
	t.Cleanup(h.srv.Close)
	h.signIn(t)
	return h
}

// signIn signs the pages' client in with the admin token.
func (h *hallHarness) signIn(t *testing.T) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	h.client = &http.Client{Jar: jar}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(h.page(t, "/"))
	if m == nil {
		t.Fatal("the sign-in page has no CSRF field")
	}
	resp, err := h.client.PostForm(h.srv.URL+"/signin", url.Values{"csrf": {m[1]}, "password": {hallToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func (h *hallHarness) page(t *testing.T, path string) string {
	t.Helper()
	resp, err := h.client.Get(h.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}

func (h *hallHarness) api(t *testing.T, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+hallToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
