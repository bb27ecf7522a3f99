package deliverydesk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/archive"
	"onewindow/cases"
	"onewindow/delivery"
	"onewindow/delivery/deliverydesk"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/internal/tasks"
	"onewindow/internal/testenv"
	"onewindow/internal/testfixtures"
	"onewindow/storage"
)

const applicantID = "220103198909195957"

// memCases is the case desk as the delivery desk sees it, on the pure rules of package cases.
type memCases struct {
	mu  sync.Mutex
	cat *cases.Catalogue
	m   map[string]*cases.Case
}

func (mc *memCases) Case(ctx context.Context, no string) (*cases.Case, error) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	c, ok := mc.m[no]
	if !ok {
		return nil, errs.Errorf("memCases", errs.NotFound, "case_not_found", "There is no case %s.", no)
	}
	raw, _ := json.Marshal(c)
	var cp cases.Case
	return &cp, json.Unmarshal(raw, &cp)
}

func (mc *memCases) Catalogue() *cases.Catalogue { return mc.cat }

func (mc *memCases) apply(no string, mk func(c *cases.Case) (cases.Event, error)) (*cases.Case, error) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	c := mc.m[no]
	if c == nil {
		c = &cases.Case{}
		mc.m[no] = c
	}
	e, err := mk(c)
	if err != nil {
		return nil, err
	}
	return c, c.Apply(e)
}

func (mc *memCases) RecordDelivery(ctx context.Context, no string, dl cases.Delivery) error {
	_, err := mc.apply(no, func(c *cases.Case) (cases.Event, error) {
		return cases.RecordDelivery(c, dl, cases.Actor{Name: "delivery"}, time.Now())
	})
	return err
}

func (mc *memCases) Advance(ctx context.Context, no string, version int, to, reason string, by cases.Actor) (*cases.Case, error) {
	return mc.apply(no, func(c *cases.Case) (cases.Event, error) { return cases.Advance(c, to, reason, by, time.Now()) })
}

const mattersYAML = `matters:
  - code: JOINT
    name: a joint matter
    departments: [ok, flaky, hang]
    time_limit_days: 5
    materials:
      - {type: id_card, name: ID card, required: true}
  - code: PULLED
    name: a matter of a department that pulls
    departments: [puller]
    time_limit_days: 5
    materials:
      - {type: id_card, name: ID card, required: true}
  - code: DEFER
    name: a matter with an item that may come later
    departments: [ok]
    time_limit_days: 5
    materials:
      - {type: id_card, name: ID card, required: true}
      - {type: property_certificate, name: deed, required: true, deferrable: true, defer_days: 5}
  - code: REFUSED
    name: a matter of a department that refuses
    departments: [refuser]
    time_limit_days: 5
    materials:
      - {type: id_card, name: ID card, required: true}
`

// receiver is a department's endpoint: it checks signatures, answers as told, and handles
// each idempotency key once, as docs/DELIVERY.md tells integrators to.
type receiver struct {
	secret string
	answer func(n int) int // status of request n (1-based)
	delay  time.Duration

	mu       sync.Mutex
	requests int
	handled  map[string]int // idempotency key -> times handled
	bodies   [][]byte
	events   []string
	lastOK   time.Time
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := delivery.Verify(delivery.AlgSHA256, []byte(rc.secret), r.Header.Get(delivery.HeaderTimestamp),
		r.Header.Get(delivery.HeaderSignature), body, time.Now(), 0); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	rc.requests++
	n, answer, delay := rc.requests, rc.answer, rc.delay
	rc.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	status := http.StatusOK
	if answer != nil {
		status = answer(n)
	}
	if status < 300 {
		rc.mu.Lock()
		key := r.Header.Get(delivery.HeaderIdempotencyKey)
		if rc.handled[key] == 0 {
			if ev := r.Header.Get(deliverydesk.HeaderEvent); ev != "" {
				rc.events = append(rc.events, ev)
			} else {
				rc.bodies = append(rc.bodies, body)
			}
		}
		rc.handled[key]++
		rc.lastOK = time.Now()
		rc.mu.Unlock()
	}
	w.WriteHeader(status)
}

func (rc *receiver) stats() (requests int, handled map[string]int, bodies [][]byte, events []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	h := map[string]int{}
	for k, v := range rc.handled {
		h[k] = v
	}
	return rc.requests, h, append([][]byte(nil), rc.bodies...), append([]string(nil), rc.events...)
}

type fixture struct {
	d      *deliverydesk.Desk
	cases  *memCases
	blobs  *storage.Blobs
	state  *storage.State
	recv   map[string]*receiver
	routes http.Handler
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	svc := testenv.Services(t)
	f := &fixture{blobs: testenv.Blobs(t, svc), state: testenv.State(t, svc), recv: map[string]*receiver{}}
	cat, err := cases.LoadCatalogue(strings.NewReader(mattersYAML), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	f.cases = &memCases{cat: cat, m: map[string]*cases.Case{}}

	var depts []*delivery.Department
	for _, id := range []string{"ok", "flaky", "hang", "refuser"} {
		rc := &receiver{secret: "secret-of-" + id, handled: map[string]int{}}
		f.recv[id] = rc
		srv := httptest.NewServer(rc)
		t.Cleanup(srv.Close)
		timeout := 5 * time.Second
		if id == "hang" {
			timeout = time.Second
		}
		depts = append(depts, &delivery.Department{ID: id, Kind: delivery.KindWebhook,
			Webhook: &delivery.Webhook{URL: srv.URL + "/in", Secret: delivery.Secret(rc.secret), Timeout: timeout, Concurrency: 2}})
	}
	depts = append(depts, &delivery.Department{ID: "puller", Kind: delivery.KindPull})
	f.recv["flaky"].answer = func(n int) int { // down for its first three requests
		if n <= 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	f.recv["hang"].delay = time.Hour
	refusing := true
	f.recv["refuser"].answer = func(int) int {
		if refusing {
			return http.StatusForbidden
		}
		return http.StatusOK
	}
	t.Cleanup(func() { refusing = false })
	set, err := delivery.NewSet(depts...)
	if err != nil {
		t.Fatal(err)
	}

	client := asynq.NewClientFromRedisClient(f.state.Redis())
	t.Cleanup(func() { client.Close() })
	q := &tasks.Queue{Client: client, Limits: tasks.DefaultLimits(3, time.Minute).With(delivery.QueuePolicy(), tasks.TypeDeliver, tasks.TypeNotify)}
	f.d, err = deliverydesk.New(deliverydesk.Options{Cases: f.cases, Registry: delivery.StaticRegistry(set), Blobs: f.blobs, State: f.state, Queue: q})
	if err != nil {
		t.Fatal(err)
	}
	srv := asynq.NewServerFromRedisClient(f.state.Redis(), asynq.Config{Concurrency: 6, Queues: tasks.Queues,
		RetryDelayFunc: func(n int, err error, t *asynq.Task) time.Duration {
			return 200 * time.Millisecond // the day-long policy, compressed
		},
		LogLevel: asynq.ErrorLevel})
	mux := asynq.NewServeMux()
	f.d.Register(mux)
	mux.HandleFunc(tasks.TypePrepare, func(context.Context, *asynq.Task) error { return nil }) // the pipeline is not under test
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)

	mux2 := http.NewServeMux()
	f.d.Routes(mux2, func(c auth.Cap, h httpx.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := auth.Principal{Name: "tester", Role: r.Header.Get("X-Role"), Department: r.Header.Get("X-Department")}
			if !auth.Can(p.Role, c) {
				httpx.WriteError(w, r, nil, errs.E("authz", errs.Forbidden, "forbidden", "No.", nil))
				return
			}
			if err := h(w, r, p); err != nil {
				httpx.WriteError(w, r, nil, err)
			}
		})
	})
	f.routes = mux2
	return f
}

// openAccepted opens an accepted case of matter with one filed document.
func (f *fixture) openAccepted(t testing.TB, no, matter string) {
	t.Helper()
	m, _ := f.cases.cat.Matter(matter)
	cal := cases.DefaultCalendar()
	now := time.Now()
	f.fileDocument(t, no, no+"-doc1", "b-"+no)
	steps := []func(c *cases.Case) (cases.Event, error){
		func(c *cases.Case) (cases.Event, error) {
			return cases.Open(m, cal, cases.OpenInput{CaseNo: no, Applicant: cases.Party{Name: "杨佳", IDNumber: applicantID}, At: now})
		},
		func(c *cases.Case) (cases.Event, error) {
			e, _, err := cases.BatchDone(c, m, cal, "b-"+no, []cases.DocumentFacts{{ID: no + "-doc1", Type: "id_card", IDNumbers: []string{applicantID}}}, cases.Actor{}, now)
			return e, err
		},
		func(c *cases.Case) (cases.Event, error) {
			return cases.Decide(c, m, cal, cases.DecisionInput{Decision: cases.DecisionAccept, Reason: "complete", At: now})
		},
		decisionNotice,
	}
	for _, s := range steps {
		if _, err := f.cases.apply(no, s); err != nil {
			t.Fatal(err)
		}
	}
}

// decisionNotice files the notice of the decision just made, as the case desk does before a
// plan may send the package.
func decisionNotice(c *cases.Case) (cases.Event, error) {
	return cases.AddNotice(c, cases.NoticeID(c.CaseNo, c.Version), "acceptance", cases.Actor{Name: "window"}, time.Now())
}

func (f *fixture) fileDocument(t testing.TB, no, id, batch string) {
	t.Helper()
	ctx := context.Background()
	pdf := testfixtures.ScanPDF(t, testfixtures.BlankPage(1))
	dg, _ := archive.DigestOf(bytes.NewReader(pdf))
	if _, err := f.blobs.PutBytes(ctx, storage.Archive, storage.DocumentPDFKey(id), pdf, storage.PutOptions{ContentType: "application/pdf"}); err != nil {
		t.Fatal(err)
	}
	if err := f.state.PutDocument(ctx, &storage.Document{ID: id, BatchID: batch, CaseNo: no, Type: "id_card", Pages: []int{0},
		Fields: map[string][]string{"id_numbers": {applicantID}}, SHA256: dg.SHA256, SM3: dg.SM3, Size: int64(len(pdf))}); err != nil {
		t.Fatal(err)
	}
}

func eventually(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (f *fixture) state_(t *testing.T, no, dept string) delivery.State {
	recs, err := f.d.Tracker().Case(context.Background(), no)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Department == dept {
			return r.State
		}
	}
	return ""
}

func (f *fixture) call(t *testing.T, method, path, role, dept string, body io.Reader, ctype string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	req.Header.Set("X-Role", role)
	req.Header.Set("X-Department", dept)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	f.routes.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func code(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func resultForm(t *testing.T) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	w, _ := mw.CreateFormFile("file", "decision.pdf")
	w.Write(testfixtures.ScanPDF(t, testfixtures.TextPage(t, "准予许可决定书", "Decision")))
	mw.WriteField("kind", "decision")
	mw.Close()
	return &b, mw.FormDataContentType()
}

func TestDeliveryToDepartments(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const no = "JL-T-0001"
	f.openAccepted(t, no, "JOINT")
	start := time.Now()
	v, err := f.d.Plan(ctx, no, 0)
	if err != nil || v == nil || v.Version != 1 || len(v.Departments) != 3 {
		t.Fatalf("Plan: %+v, %v", v, err)
	}

	t.Run("a hanging department does not hold up another", func(t *testing.T) {
		eventually(t, 5*time.Second, "ok delivered", func() bool { return f.state_(t, no, "ok") == delivery.StateDelivered })
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("ok took %s while hang hangs", d)
		}
		if f.state_(t, no, "hang") != delivery.StatePending {
			t.Errorf("hang is %s, want pending (retried)", f.state_(t, no, "hang"))
		}
	})

	t.Run("a department down for a while gets its package once, when back", func(t *testing.T) {
		eventually(t, 20*time.Second, "flaky delivered", func() bool { return f.state_(t, no, "flaky") == delivery.StateDelivered })
		time.Sleep(time.Second) // nothing more may come
		requests, handled, bodies, _ := f.recv["flaky"].stats()
		key := delivery.IdempotencyKey(no, "flaky", 1)
		if requests != 4 || handled[key] != 1 || len(handled) != 1 {
			t.Fatalf("flaky saw %d requests, handled %v; want 4 requests, the key once", requests, handled)
		}
		var m delivery.Manifest
		if err := json.Unmarshal(bodies[0], &m); err != nil || m.CaseNo != no || len(m.Documents) != 1 || m.Documents[0].URL == "" {
			t.Fatalf("manifest %s: %v", bodies[0], err)
		}
		if m.Applicant.IDNumber == applicantID || strings.Contains(string(bodies[0]), applicantID) {
			t.Errorf("a department without full_ids got the full ID number")
		}
	})

	t.Run("timeline, review and provenance", func(t *testing.T) {
		c, _ := f.cases.Case(ctx, no)
		if c.State != cases.StateInReview {
			t.Errorf("case is %s, want in_review once a package is delivered", c.State)
		}
		states := map[string]string{}
		for _, d := range c.Deliveries {
			states[d.Department] = d.State
		}
		if states["ok"] != "delivered" || states["flaky"] != "delivered" || states["hang"] != "pending" {
			t.Errorf("case deliveries = %v", states)
		}
		evs, err := archive.LoadEvents(ctx, f.blobs, no+"-doc1")
		if err != nil {
			t.Fatal(err)
		}
		agents := map[string]int{}
		for _, e := range evs {
			if e.Type == "delivered" {
				agents[e.Agent]++
			}
		}
		if agents["department:ok"] != 1 || agents["department:flaky"] != 1 || len(agents) != 2 {
			t.Errorf("delivered events by agent = %v", agents)
		}
	})

	t.Run("a supplement is a new version; planning again without one sends nothing", func(t *testing.T) {
		f.fileDocument(t, no, no+"-doc2", "b2-"+no)
		m, _ := f.cases.cat.Matter("JOINT")
		_, err := f.cases.apply(no, func(c *cases.Case) (cases.Event, error) {
			facts := append(c.Facts, cases.DocumentFacts{ID: no + "-doc2", Type: "id_card"})
			e, _, err := cases.BatchDone(c, m, cases.DefaultCalendar(), "b2-"+no, facts[len(facts)-1:], cases.Actor{}, time.Now())
			return e, err
		})
		if err != nil {
			t.Fatal(err)
		}
		v2, err := f.d.Plan(ctx, no, 0)
		if err != nil || v2.Version != 2 || len(v2.Documents) != 2 {
			t.Fatalf("plan after a supplement: %+v, %v", v2, err)
		}
		again, err := f.d.Plan(ctx, no, 0)
		if err != nil || again.Version != 2 {
			t.Fatalf("plan again: %+v, %v", again, err)
		}
		eventually(t, 10*time.Second, "v2 at ok", func() bool {
			_, handled, _, _ := f.recv["ok"].stats()
			return handled[delivery.IdempotencyKey(no, "ok", 2)] == 1
		})
	})

	t.Run("routes: a department sees its own, acknowledges it; another's is hidden", func(t *testing.T) {
		code200, body := f.call(t, "GET", "/api/v1/deliveries?case_no="+no, auth.RoleDepartment, "ok", nil, "")
		list, _ := body["deliveries"].([]any)
		if code200 != 200 || len(list) != 2 { // v1 and v2 of ok
			t.Fatalf("department list: %d %v", code200, body)
		}
		for _, x := range list {
			if x.(map[string]any)["department"] != "ok" {
				t.Fatalf("department ok sees %v", x)
			}
		}
		flakyKey := delivery.IdempotencyKey(no, "flaky", 1)
		if st, b := f.call(t, "POST", "/api/v1/deliveries/"+flakyKey+"/ack", auth.RoleDepartment, "ok", nil, ""); st != 404 {
			t.Errorf("ok acknowledging flaky's package: %d %v", st, b)
		}
		if st, b := f.call(t, "POST", "/api/v1/deliveries/"+flakyKey+"/ack", auth.RoleDepartment, "flaky", nil, ""); st != 200 || b["state"] != "acknowledged" {
			t.Errorf("flaky acknowledging: %d %v", st, b)
		}
		if st, b := f.call(t, "GET", "/api/v1/deliveries", auth.RoleDepartment, "nobody", nil, ""); st != 403 || code(b) != "unknown_department" {
			t.Errorf("unknown department: %d %v", st, b)
		}
		st, b := f.call(t, "GET", "/api/v1/deliveries/"+delivery.IdempotencyKey(no, "ok", 1)+"/manifest", auth.RoleDepartment, "ok", nil, "")
		if st != 200 || b["case_no"] != no {
			t.Errorf("manifest: %d %v", st, b)
		}
	})

	t.Run("results: the wrong department is refused; all answered makes result_ready", func(t *testing.T) {
		body, ct := resultForm(t)
		if st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/results", auth.RoleDepartment, "refuser", body, ct); st != 403 || code(b) != "not_your_case" {
			t.Fatalf("refuser answering a JOINT case: %d %v", st, b)
		}
		for i, dept := range []string{"ok", "flaky", "hang"} {
			body, ct := resultForm(t)
			st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/results", auth.RoleDepartment, dept, body, ct)
			if st != 201 {
				t.Fatalf("%s result: %d %v", dept, st, b)
			}
			want := cases.StateInReview
			if i == 2 {
				want = cases.StateResultReady
			}
			if b["state"] != want {
				t.Errorf("after %s's result the case is %v, want %s", dept, b["state"], want)
			}
		}
		body, ct = resultForm(t)
		if st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/results", auth.RoleDepartment, "ok", body, ct); st != 409 || code(b) != "case_not_in_review" {
			t.Errorf("a result for a case no longer in review: %d %v", st, b)
		}
		// A result is no supplement: planning after it sends nothing new.
		if v, err := f.d.Plan(ctx, no, 0); err != nil || v != nil {
			t.Errorf("plan after results: %+v %v", v, err)
		}
	})

	t.Run("handout: a stranger is refused; the applicant closes the case and departments are told", func(t *testing.T) {
		js := func(s string) io.Reader { return strings.NewReader(s) }
		if st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/handout", auth.RoleWindow, "", js(`{"method":"pickup","collector":{"name":"王五","id_number":"11010519491231002X"}}`), "application/json"); st != 403 || code(b) != "collector_not_authorised" {
			t.Fatalf("stranger: %d %v", st, b)
		}
		if st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/handout", auth.RoleWindow, "", js(`{"method":"mail","carrier":"SF","waybill":"12"}`), "application/json"); st != 422 || code(b) != "bad_waybill" {
			t.Fatalf("bad waybill: %d %v", st, b)
		}
		st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/handout", auth.RoleWindow, "", js(`{"method":"pickup","collector":{"name":"杨佳","id_number":"`+applicantID+`"}}`), "application/json")
		if st != 200 || b["authority"] != "applicant" {
			t.Fatalf("applicant pickup: %d %v", st, b)
		}
		if c, _ := f.cases.Case(ctx, no); c.State != cases.StateClosed {
			t.Errorf("case is %s after handout", c.State)
		}
		eventually(t, 10*time.Second, "ok told of the handout", func() bool {
			_, _, _, evs := f.recv["ok"].stats()
			return len(evs) == 1 && evs[0] == "handout"
		})
	})
}

func TestRefusedPackageIsDeadLetteredAndRepushed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const no = "JL-T-0002"
	f.openAccepted(t, no, "REFUSED")
	if _, err := f.d.Plan(ctx, no, 0); err != nil {
		t.Fatal(err)
	}
	key := delivery.IdempotencyKey(no, "refuser", 1)
	eventually(t, 5*time.Second, "refused package failed", func() bool { return f.state_(t, no, "refuser") == delivery.StateFailed })
	if requests, _, _, _ := f.recv["refuser"].stats(); requests != 1 {
		t.Errorf("a 403 was tried %d times, want once", requests)
	}
	st, b := f.call(t, "GET", "/api/v1/deliveries/dead", auth.RoleOperator, "", nil, "")
	list, _ := b["deliveries"].([]any)
	if st != 200 || len(list) != 1 || list[0].(map[string]any)["key"] != key {
		t.Fatalf("dead letters: %d %v", st, b)
	}
	if st, b := f.call(t, "POST", "/api/v1/deliveries/"+key+"/repush", auth.RoleDepartment, "refuser", nil, ""); st != 403 {
		t.Errorf("a department re-pushing: %d %v", st, b)
	}
	f.recv["refuser"].mu.Lock()
	f.recv["refuser"].answer = nil // the department fixed its side
	f.recv["refuser"].mu.Unlock()
	if st, b := f.call(t, "POST", "/api/v1/deliveries/"+key+"/repush", auth.RoleWindow, "", nil, ""); st != 202 {
		t.Fatalf("repush: %d %v", st, b)
	}
	eventually(t, 5*time.Second, "re-pushed package delivered", func() bool { return f.state_(t, no, "refuser") == delivery.StateDelivered })
	_, handled, _, _ := f.recv["refuser"].stats()
	if handled[key] != 1 {
		t.Errorf("handled = %v, want the same key once", handled)
	}
	if _, b := f.call(t, "GET", "/api/v1/deliveries/dead", auth.RoleWindow, "", nil, ""); b["count"] != float64(0) {
		t.Errorf("dead letters after the re-push: %v", b)
	}
}

// The queue's one policy table gives packages and department events delivery's day-long
// back-off, every other task 2^n s, and a task whose worker died no wait at all.
func TestRetryDelayDispatchesOnTaskType(t *testing.T) {
	limits := tasks.DefaultLimits(8, time.Minute).With(delivery.QueuePolicy(), tasks.TypeDeliver, tasks.TypeNotify)
	for _, tc := range []struct {
		typ    string
		n      int
		lo, hi time.Duration
	}{
		{tasks.TypeDeliver, 0, 30 * time.Second, 34 * time.Second},
		{tasks.TypeDeliver, 10, time.Hour, 67 * time.Minute},
		{tasks.TypeNotify, 1, time.Minute, 67 * time.Second},
		{tasks.TypePage, 0, time.Second, time.Second},
		{tasks.TypePage, 20, 256 * time.Second, 256 * time.Second}, // 2^8 s: the cap of the shift, as before
	} {
		got := limits.RetryDelay(tc.n, errs.E("t", errs.Unavailable, "down", "", nil), asynq.NewTask(tc.typ, nil))
		if got < tc.lo || got > tc.hi {
			t.Errorf("RetryDelay(%d) of %s = %s, want %s..%s", tc.n, tc.typ, got, tc.lo, tc.hi)
		}
	}
	if got := limits.RetryDelay(3, asynq.ErrLeaseExpired, asynq.NewTask(tasks.TypePage, nil)); got != 0 {
		t.Errorf("a task whose lease expired waits %s, want none", got)
	}
	if p := limits.For(tasks.TypeDeliver); p.MaxRetry != delivery.MaxRetry || p.Timeout != tasks.DeliverTimeout {
		t.Errorf("package policy %+v", p)
	}
}

func TestPullDepartmentFetchesItsPackage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const no = "JL-T-0003"
	f.openAccepted(t, no, "PULLED")
	if st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/packages", auth.RoleWindow, "", nil, ""); st != 202 || b["version"] != float64(1) {
		t.Fatalf("plan: %d %v", st, b)
	}
	key := delivery.IdempotencyKey(no, "puller", 1)
	eventually(t, 5*time.Second, "the pull task ran", func() bool {
		d, err := f.d.Tracker().Get(ctx, key)
		return err == nil && d.Attempts == 1
	})
	if got := f.state_(t, no, "puller"); got != delivery.StatePending {
		t.Fatalf("a package to pull is %s before it is fetched, want pending", got)
	}
	if st, _ := f.call(t, "GET", "/api/v1/deliveries/"+key+"/manifest", auth.RoleDepartment, "ok", nil, ""); st != 404 {
		t.Errorf("another department fetching it: %d", st)
	}
	st, m := f.call(t, "GET", "/api/v1/deliveries/"+key+"/manifest", auth.RoleDepartment, "puller", nil, "")
	docs, _ := m["documents"].([]any)
	if st != 200 || m["idempotency_key"] != key || len(docs) != 1 || docs[0].(map[string]any)["url"] == "" {
		t.Fatalf("pull: %d %v", st, m)
	}
	if got := f.state_(t, no, "puller"); got != delivery.StateDelivered {
		t.Errorf("after the pull the package is %s", got)
	}
	if c, _ := f.cases.Case(ctx, no); c.State != cases.StateInReview {
		t.Errorf("case is %s after its package was pulled", c.State)
	}
	if st, b := f.call(t, "POST", "/api/v1/deliveries/"+key+"/ack", auth.RoleDepartment, "puller", nil, ""); st != 200 || b["state"] != "acknowledged" {
		t.Errorf("ack: %d %v", st, b)
	}
	if st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/packages", auth.RoleOperator, "", nil, ""); st != 202 || b["version"] != float64(1) {
		t.Errorf("planning again without a change: %d %v", st, b)
	}
	if got := f.state_(t, no, "puller"); got != delivery.StateAcknowledged {
		t.Errorf("planning again changed an acknowledged package to %s", got)
	}
}

func TestDeferredCaseGoesIntoReviewOnceAccepted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const no = "JL-T-0004"
	m, _ := f.cases.cat.Matter("DEFER")
	cal := cases.DefaultCalendar()
	f.fileDocument(t, no, no+"-doc1", "b1")
	for _, step := range []func(c *cases.Case) (cases.Event, error){
		func(c *cases.Case) (cases.Event, error) {
			return cases.Open(m, cal, cases.OpenInput{CaseNo: no, Applicant: cases.Party{Name: "杨佳", IDNumber: applicantID}, At: time.Now()})
		},
		func(c *cases.Case) (cases.Event, error) {
			e, _, err := cases.BatchDone(c, m, cal, "b1", []cases.DocumentFacts{{ID: no + "-doc1", Type: "id_card"}}, cases.Actor{}, time.Now())
			return e, err
		},
		func(c *cases.Case) (cases.Event, error) {
			return cases.Decide(c, m, cal, cases.DecisionInput{Decision: cases.DecisionAcceptDeferred, Reason: "deed owed", At: time.Now()})
		},
		decisionNotice,
	} {
		if _, err := f.cases.apply(no, step); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.d.Plan(ctx, no, 0); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "v1 delivered", func() bool { return f.state_(t, no, "ok") == delivery.StateDelivered })
	body, ct := resultForm(t)
	if st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/results", auth.RoleDepartment, "ok", body, ct); st != 409 || code(b) != "case_not_in_review" {
		t.Fatalf("a result while the deed is owed: %d %v", st, b)
	}
	f.fileDocument(t, no, no+"-doc2", "b2")
	if _, err := f.cases.apply(no, func(c *cases.Case) (cases.Event, error) {
		e, _, err := cases.BatchDone(c, m, cal, "b2", []cases.DocumentFacts{{ID: no + "-doc2", Type: "property_certificate"}}, cases.Actor{}, time.Now())
		return e, err
	}); err != nil {
		t.Fatal(err)
	}
	if v, err := f.d.Plan(ctx, no, 0); err != nil || v.Version != 2 {
		t.Fatalf("plan after the supplement: %+v %v", v, err)
	}
	eventually(t, 5*time.Second, "v2 delivered", func() bool {
		d, err := f.d.Tracker().Get(ctx, delivery.IdempotencyKey(no, "ok", 2))
		return err == nil && d.State == delivery.StateDelivered
	})
	if _, err := f.cases.apply(no, func(c *cases.Case) (cases.Event, error) {
		return cases.Decide(c, m, cal, cases.DecisionInput{Decision: cases.DecisionAccept, Reason: "deed supplied", At: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cases.apply(no, decisionNotice); err != nil {
		t.Fatal(err)
	}
	if v, err := f.d.Plan(ctx, no, 0); err != nil || v.Version != 2 {
		t.Fatalf("plan after the acceptance: %+v %v", v, err)
	}
	if c, _ := f.cases.Case(ctx, no); c.State != cases.StateInReview {
		t.Fatalf("accepted case whose package the department has is %s, want in_review", c.State)
	}
	body, ct = resultForm(t)
	if st, b := f.call(t, "POST", "/api/v1/cases/"+no+"/results", auth.RoleDepartment, "ok", body, ct); st != 201 || b["state"] != cases.StateResultReady {
		t.Fatalf("the result: %d %v", st, b)
	}
}

func TestDepartmentsListedByName(t *testing.T) {
	f := newFixture(t)
	st, b := f.call(t, "GET", "/api/v1/departments", auth.RoleWindow, "", nil, "")
	list, _ := b["departments"].([]any)
	if st != 200 || len(list) != 5 {
		t.Fatalf("departments: %d %v", st, b)
	}
	first := list[0].(map[string]any)
	if first["id"] != "flaky" || first["name"] != "flaky" || first["kind"] != "webhook" || len(first) != 3 {
		t.Errorf("first department %v: want flaky by ID, its name (the ID when the file gives none) and kind, nothing else", first)
	}
	if st, _ := f.call(t, "GET", "/api/v1/departments", auth.RoleScanner, "", nil, ""); st != 403 {
		t.Errorf("a scanner lists the departments: %d", st)
	}
}

// TestAcceptanceNoticeSendsThePackage: the acceptance notice's event plans the package on its
// own, so a package whose decision's plan gave up waiting for a late notice still goes out.
func TestAcceptanceNoticeSendsThePackage(t *testing.T) {
	f := newFixture(t)
	const no = "JL-T-0005"
	f.openAccepted(t, no, "DEFER") // opened, batch, accepted, notice: filed without the hook
	c, err := f.cases.Case(context.Background(), no)
	if err != nil {
		t.Fatal(err)
	}
	notice, _ := json.Marshal(cases.NoticeRef{ID: cases.NoticeID(no, c.Version-1), Kind: cases.NoticeAcceptance})
	f.d.AfterEvent(context.Background(), no, cases.Event{Seq: c.Version, Type: cases.EvNoticeFiled, Data: notice})
	eventually(t, 10*time.Second, "ok delivered", func() bool { return f.state_(t, no, "ok") == delivery.StateDelivered })
}
