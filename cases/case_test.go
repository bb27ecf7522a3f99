package cases

import (
	"encoding/json"
	"testing"
	"time"

	"onewindow/internal/errs"
)

// build opens a case and applies the events made by steps, failing on any error.
func build(t *testing.T, m Matter, channel string, steps ...func(c *Case) (Event, error)) (*Case, []Event) {
	t.Helper()
	cal := DefaultCalendar()
	e, err := Open(m, cal, OpenInput{CaseNo: "20260302-00001", Applicant: Applicant{Name: "张三", IDNumber: idZhang, Phone: "138 0431 1234"},
		Channel: channel, By: window, At: day("2026-03-02")})
	if err != nil {
		t.Fatal(err)
	}
	c := &Case{}
	if err := c.Apply(e); err != nil {
		t.Fatal(err)
	}
	events := []Event{e}
	for _, step := range steps {
		e, err := step(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Apply(e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	return c, events
}

func docsStep(m Matter, batch string, docs ...DocumentFacts) func(c *Case) (Event, error) {
	return func(c *Case) (Event, error) {
		e, _, err := BatchDone(c, m, DefaultCalendar(), batch, docs, Actor{Name: "worker"}, day("2026-03-02"))
		return e, err
	}
}

func decideStep(m Matter, decision, reason string, refusals ...string) func(c *Case) (Event, error) {
	return func(c *Case) (Event, error) {
		return Decide(c, m, DefaultCalendar(), DecisionInput{Decision: decision, Reason: reason, Refusals: refusals, By: window, At: day("2026-03-03")})
	}
}

func TestOpenValidates(t *testing.T) {
	m := matter(t, "JL-ZR-001") // for persons and organisations
	cal := DefaultCalendar()
	tests := []struct {
		name string
		in   OpenInput
		code string
	}{
		{"bad id", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "张三", IDNumber: "220102199003070012"}}, "bad_id_number"},
		{"bad uscc", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "某公司", USCC: "912201011234567885"}}, "bad_uscc"},
		{"bad phone", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "张三", IDNumber: idZhang, Phone: "12345"}}, "bad_phone"},
		{"no name", OpenInput{CaseNo: "A1", Applicant: Applicant{IDNumber: idZhang}}, "missing_name"},
		{"no id", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "张三"}}, "missing_id_number"},
		{"bad channel", OpenInput{CaseNo: "A1", Channel: "fax", Applicant: Applicant{Name: "张三", IDNumber: idZhang}}, "bad_channel"},
		{"bad case no", OpenInput{CaseNo: "../x", Applicant: Applicant{Name: "张三", IDNumber: idZhang}}, "bad_case_no"},
		{"bad submitter", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "张三", IDNumber: idZhang}, Submitter: &Party{Name: "李四", IDNumber: "1"}}, "bad_id_number"},
		{"ok", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "张三", IDNumber: "220102199003070013", Phone: "+86 138-0431-1234"}}, ""},
		{"organisation", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "某公司", USCC: usccShop, Phone: "0431-88881234"}}, ""},
		{"wrong kind", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "某公司", USCC: usccShop}}, "wrong_applicant_kind"},
		{"representative", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "某公司", USCC: usccShop}, Representative: &Party{Name: "王法人", Phone: "13904310000"}}, ""},
		{"representative of a person", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "张三", IDNumber: idZhang}, Representative: &Party{Name: "王法人"}}, "representative_for_person"},
		{"representative's bad id", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "某公司", USCC: usccShop}, Representative: &Party{Name: "王法人", IDNumber: "1"}}, "bad_id_number"},
		{"representative without a name", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "某公司", USCC: usccShop}, Representative: &Party{Phone: "13904310000"}}, "missing_name"},
		{"empty representative", OpenInput{CaseNo: "A1", Applicant: Applicant{Name: "张三", IDNumber: idZhang}, Representative: &Party{}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.At = day("2026-03-02")
			m := m
			if tt.name == "wrong kind" {
				m = matter(t, "JL-SC-002") // 个体工商户: a person
			}
			_, err := Open(m, cal, tt.in)
			if got := ""; err != nil {
				got = errs.CodeOf(err)
				if got != tt.code {
					t.Errorf("code = %s (%v), want %s", got, err, tt.code)
				}
			} else if tt.code != "" {
				t.Errorf("no error, want %s", tt.code)
			}
		})
	}
}

func TestCounterCaseLife(t *testing.T) {
	m := matter(t, "JL-SC-002") // 个体工商户登记: form, ID card, premises (deferrable 5 days)
	c, events := build(t, m, ChannelCounter)
	if c.State != StateSubmitted || c.Version != 1 || c.DueDate != "2026-03-03" {
		t.Fatalf("opened: state %s version %d due %s", c.State, c.Version, c.DueDate)
	}
	if c.Applicant.Phone != "13804311234" || c.Applicant.Kind != KindPerson {
		t.Errorf("applicant not normalised: %+v", c.Applicant)
	}
	c, events = build(t, m, ChannelCounter,
		docsStep(m, "b1", DocumentFacts{ID: "b1-001", Type: "application_form", IDNumbers: []string{idZhang}},
			DocumentFacts{ID: "b1-002", Type: "id_card", IDNumbers: []string{idZhang}}),
		decideStep(m, DecisionAcceptDeferred, ""),
		docsStep(m, "b2", DocumentFacts{ID: "b2-001", Type: "property_certificate"}),
		decideStep(m, DecisionAccept, ""),
		func(c *Case) (Event, error) { return Advance(c, StateInReview, "", window, day("2026-03-04")) },
		func(c *Case) (Event, error) { return Advance(c, StateResultReady, "", window, day("2026-03-05")) },
		func(c *Case) (Event, error) { return Advance(c, StateDelivered, "", window, day("2026-03-05")) },
		func(c *Case) (Event, error) { return Advance(c, StateClosed, "", window, day("2026-03-06")) },
	)
	if c.State != StateClosed || c.Version != 9 || len(c.Events) != 9 {
		t.Fatalf("state %s version %d events %d", c.State, c.Version, len(c.Events))
	}
	if len(c.Deferred) != 0 || c.DueDate != "2026-03-04" {
		t.Errorf("after accept: deferred %+v due %s", c.Deferred, c.DueDate)
	}
	// Replaying the events through JSON gives the same case.
	raw, _ := json.Marshal(events)
	var back []Event
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	r, err := Replay(back)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(c)
	b, _ := json.Marshal(r)
	if string(a) != string(b) {
		t.Errorf("replay differs:\n%s\n%s", a, b)
	}
}

func TestDeferredSupplements(t *testing.T) {
	m := matter(t, "JL-SC-002")
	c, _ := build(t, m, ChannelMail,
		docsStep(m, "b1", DocumentFacts{ID: "b1-001", Type: "application_form"}, DocumentFacts{ID: "b1-002", Type: "id_card", IDNumbers: []string{idZhang}}),
		decideStep(m, DecisionAcceptDeferred, ""))
	if c.State != StateAcceptedWithDeficiencies || len(c.Deferred) != 1 || c.Deferred[0].DueDate != "2026-03-10" {
		t.Fatalf("state %s deferred %+v", c.State, c.Deferred)
	}
	if got := c.OverdueSupplements(day("2026-03-10")); len(got) != 0 {
		t.Errorf("overdue on the due date: %+v", got)
	}
	if got := c.OverdueSupplements(day("2026-03-11")); len(got) != 1 {
		t.Errorf("not overdue the day after: %+v", got)
	}
	e, ok, err := BatchDone(c, m, DefaultCalendar(), "b2", []DocumentFacts{{ID: "b2-001", Type: "property_certificate"}}, window, day("2026-03-05"))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := c.Apply(e); err != nil {
		t.Fatal(err)
	}
	if !c.Deferred[0].Supplied || c.OverdueSupplements(day("2026-04-01")) != nil || !c.Check.Complete {
		t.Errorf("supplement not counted: %+v, check %+v", c.Deferred, c.Check)
	}
	// The same batch again changes nothing.
	if _, ok, err := BatchDone(c, m, DefaultCalendar(), "b2", []DocumentFacts{{ID: "b2-001", Type: "property_certificate"}}, window, day("2026-03-06")); ok || err != nil {
		t.Errorf("BatchDone twice: ok %v err %v", ok, err)
	}
}

func TestDecideRules(t *testing.T) {
	m := matter(t, "JL-SC-002")
	complete := docsStep(m, "b1", DocumentFacts{ID: "1", Type: "application_form"}, DocumentFacts{ID: "2", Type: "id_card", IDNumbers: []string{idZhang}},
		DocumentFacts{ID: "3", Type: "property_certificate"})
	missingCard := docsStep(m, "b1", DocumentFacts{ID: "1", Type: "application_form"})
	tests := []struct {
		name     string
		steps    []func(*Case) (Event, error)
		decision string
		reason   string
		refusals []string
		code     string // "" for success
	}{
		{"accept complete", []func(*Case) (Event, error){complete}, DecisionAccept, "", nil, ""},
		{"accept incomplete needs reason", []func(*Case) (Event, error){missingCard}, DecisionAccept, "", nil, "reason_required"},
		{"accept incomplete with reason", []func(*Case) (Event, error){missingCard}, DecisionAccept, "原件已核验", nil, ""},
		{"defer a non-deferrable item", []func(*Case) (Event, error){missingCard}, DecisionAcceptDeferred, "申请人承诺", nil, "not_deferrable"},
		{"defer nothing", []func(*Case) (Event, error){complete}, DecisionAcceptDeferred, "x", nil, "nothing_deferred"},
		{"correction lists", []func(*Case) (Event, error){missingCard}, DecisionCorrection, "", nil, ""},
		{"accepted cannot go back", []func(*Case) (Event, error){complete, decideStep(m, DecisionAccept, "")}, DecisionCorrection, "补正", nil, "illegal_transition"},
		{"accepted cannot be re-decided", []func(*Case) (Event, error){complete, decideStep(m, DecisionAccept, "")}, DecisionAccept, "", nil, "illegal_transition"},
		{"correction decided again", []func(*Case) (Event, error){missingCard, decideStep(m, DecisionCorrection, ""), complete}, DecisionAccept, "", nil, ""},
		{"rejected is final", []func(*Case) (Event, error){missingCard, decideStep(m, DecisionReject, "不属于本机关", "not_our_competence")}, DecisionAccept, "x", nil, "illegal_transition"},
		{"reject by code", []func(*Case) (Event, error){complete}, DecisionReject, "", []string{"prohibited_business"}, ""},
		{"the page's reject needs a catalogue reason", []func(*Case) (Event, error){complete}, DecisionReject, "经营项目不符", []string{}, "refusal_reason_required"},
		{"the contract's reject states its reason", []func(*Case) (Event, error){complete}, DecisionReject, "经营项目不符", nil, ""},
		{"a reject with no reason at all", []func(*Case) (Event, error){complete}, DecisionReject, " ", nil, "reason_required"},
		{"reject unknown code", []func(*Case) (Event, error){complete}, DecisionReject, "", []string{"no_such"}, "unknown_refusal"},
		{"unknown decision", nil, "maybe", "", nil, "bad_decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := build(t, m, ChannelCounter, tt.steps...)
			e, err := Decide(c, m, DefaultCalendar(), DecisionInput{Decision: tt.decision, Reason: tt.reason, Refusals: tt.refusals, By: window, At: day("2026-03-03")})
			if tt.code != "" {
				if errs.CodeOf(err) != tt.code {
					t.Fatalf("err = %v, want code %s", err, tt.code)
				}
				if tt.code == "illegal_transition" && errs.HTTPStatus(err) != 409 {
					t.Errorf("illegal transition answers %d", errs.HTTPStatus(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Seq != c.Version+1 || e.Type != EvDecided || e.By != window.Name {
				t.Errorf("event %+v", e)
			}
			if err := c.Apply(e); err != nil {
				t.Fatal(err)
			}
			if c.State != decisionState[tt.decision] {
				t.Errorf("state %s", c.State)
			}
		})
	}
}

func TestApplyOutOfSequence(t *testing.T) {
	m := matter(t, "JL-SC-002")
	c, events := build(t, m, ChannelCounter)
	e := events[0]
	e.Seq = 3
	if err := c.Apply(e); errs.CodeOf(err) != "version_conflict" {
		t.Errorf("err = %v", err)
	}
	if _, err := Replay(nil); errs.KindOf(err) != errs.NotFound {
		t.Errorf("empty replay: %v", err)
	}
}

func TestAdvanceRules(t *testing.T) {
	m := matter(t, "JL-SC-002")
	c, _ := build(t, m, ChannelCounter)
	if _, err := Advance(c, StateInReview, "", window, day("2026-03-03")); errs.CodeOf(err) != "illegal_transition" {
		t.Errorf("undecided case moved to review: %v", err)
	}
	if _, err := Advance(c, StateAccepted, "", window, day("2026-03-03")); errs.CodeOf(err) != "bad_state" {
		t.Errorf("Advance to accepted: %v", err)
	}
}

func TestFormatCaseNo(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		pattern string
		seq     int64
		want    string
		ok      bool
	}{
		{DefaultCaseNoPattern, 42, "20260302-00042", true},
		{"JL{yyyy}-{seq:06}", 7, "JL2026-000007", true},
		{"CC{yy}{mm}{dd}{seq}", 123456, "CC260302123456", true},
		{"{yyyy}{mm}", 1, "", false},       // no seq
		{"{yyyy}{hh}-{seq}", 1, "", false}, // unknown placeholder
		{"{mm:02}-{seq}", 1, "", false},    // width on a date
		{"长春{seq}", 1, "", false},          // not safe in keys
	}
	for _, tt := range tests {
		got, err := FormatCaseNo(tt.pattern, now, tt.seq)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("FormatCaseNo(%q, %d) = %q, %v", tt.pattern, tt.seq, got, err)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"13804311234": "13804311234", "+86 138 0431 1234": "13804311234", "138-0431-1234": "13804311234",
		"0431-88881234": "0431-88881234", "043188881234": "043188881234", "12345": "", "23804311234": "",
	} {
		if got := NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestJointMatterDepartmentDueDates: a department of a joint matter with its own time limit
// owes its result by its own date, the others by the case's, and a later acceptance (once
// the deficiencies are made good) counts both again from that day.
func TestJointMatterDepartmentDueDates(t *testing.T) {
	m := matter(t, "JL-SC-002")
	m.Departments = []string{"market-regulation", "taxation"}
	m.TimeLimitDays, m.DepartmentDays = 3, map[string]int{"taxation": 1}
	delivered := func(dept string) func(c *Case) (Event, error) {
		return func(c *Case) (Event, error) {
			return RecordDelivery(c, Delivery{Department: dept, State: "delivered", Attempts: 1}, Actor{Name: "delivery"}, day("2026-03-03"))
		}
	}
	c, _ := build(t, m, ChannelCounter,
		docsStep(m, "b1", DocumentFacts{ID: "b1-001", Type: "application_form", IDNumbers: []string{idZhang}},
			DocumentFacts{ID: "b1-002", Type: "id_card", IDNumbers: []string{idZhang}}),
		decideStep(m, DecisionAcceptDeferred, ""), // Tuesday 2026-03-03
		delivered("market-regulation"), delivered("taxation"))
	if c.DueDate != "2026-03-06" || c.DueFor("taxation") != "2026-03-04" || c.DueFor("market-regulation") != "2026-03-06" {
		t.Fatalf("due %s, taxation %s, market %s", c.DueDate, c.DueFor("taxation"), c.DueFor("market-regulation"))
	}
	for _, d := range c.Deliveries {
		if d.DueDate != c.DueFor(d.Department) {
			t.Errorf("delivery %+v, want due %s", d, c.DueFor(d.Department))
		}
	}
	c, _ = build(t, m, ChannelCounter,
		docsStep(m, "b1", DocumentFacts{ID: "b1-001", Type: "application_form", IDNumbers: []string{idZhang}},
			DocumentFacts{ID: "b1-002", Type: "id_card", IDNumbers: []string{idZhang}}),
		decideStep(m, DecisionAcceptDeferred, ""),
		delivered("taxation"),
		docsStep(m, "b2", DocumentFacts{ID: "b2-001", Type: "property_certificate"}),
		func(c *Case) (Event, error) { // accepted the next Monday
			return Decide(c, m, DefaultCalendar(), DecisionInput{Decision: DecisionAccept, By: window, At: day("2026-03-09")})
		})
	if c.DueDate != "2026-03-12" || len(c.Deliveries) != 1 || c.Deliveries[0].DueDate != "2026-03-10" {
		t.Errorf("after the later acceptance: due %s, deliveries %+v", c.DueDate, c.Deliveries)
	}
	if one := matter(t, "JL-SC-002"); one.DepartmentDays != nil {
		t.Errorf("a single-department matter has department days %v", one.DepartmentDays)
	}
}
