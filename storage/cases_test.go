package storage_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"onewindow/internal/errs"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

func TestCaseStore(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	blobs := testenv.Blobs(t, svc)
	cs := storage.NewCaseStore(blobs, testenv.State(t, svc))

	t.Run("retained like filed documents", func(t *testing.T) {
		rs := cs.Retain(yearsRetainer(1))
		if err := rs.AppendEvent(ctx, "R1", 1, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		mode, until, err := blobs.Client().GetObjectRetention(ctx, blobs.Name(storage.Archive), storage.CaseEventKey("R1", 1), "")
		if err != nil || mode == nil || string(*mode) != "GOVERNANCE" || until.Before(time.Now().AddDate(0, 11, 0)) {
			t.Fatalf("retention = %v %v %v", mode, until, err)
		}
		// A retained mail record still takes new versions (routing, notification).
		if err := rs.PutMail(ctx, "20260101-0000ff", []byte(`{"v":1}`), true); err != nil {
			t.Fatal(err)
		}
		if err := rs.PutMail(ctx, "20260101-0000ff", []byte(`{"v":2}`), false); err != nil {
			t.Fatal(err)
		}
		if got, _ := rs.Mail(ctx, "20260101-0000ff"); string(got) != `{"v":2}` {
			t.Errorf("mail = %s", got)
		}
	})

	t.Run("events are write-once and one of two writers wins", func(t *testing.T) {
		if err := cs.AppendEvent(ctx, "C1", 1, []byte(`{"seq":1}`)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i := range results {
			wg.Go(func() { results[i] = cs.AppendEvent(ctx, "C1", 2, fmt.Appendf(nil, `{"seq":2,"desk":%d}`, i)) })
		}
		wg.Wait()
		won, lost := 0, 0
		for _, err := range results {
			switch {
			case err == nil:
				won++
			case errs.CodeOf(err) == "version_conflict" && errs.HTTPStatus(err) == 409:
				lost++
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("won %d lost %d", won, lost)
		}
		evs, err := cs.Events(ctx, "C1")
		if err != nil || len(evs) != 2 || string(evs[0]) != `{"seq":1}` {
			t.Fatalf("Events = %q, %v", evs, err)
		}
		if _, err := cs.Events(ctx, "C404"); errs.CodeOf(err) != "case_not_found" {
			t.Errorf("unknown case: %v", err)
		}
		nos, err := cs.CaseNos(ctx)
		if err != nil || !slices.Equal(nos, []string{"C1", "R1"}) {
			t.Errorf("CaseNos = %v, %v", nos, err)
		}
	})

	t.Run("views keep the latest version and indexes follow the state", func(t *testing.T) {
		due := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
		ix := storage.CaseIndex{CaseNo: "V1", Version: 2, State: "submitted", Matter: "M1", Due: due, Departments: []string{"market-regulation"}}
		if ok, err := cs.PutView(ctx, ix, []byte(`{"v":2}`)); !ok || err != nil {
			t.Fatal(ok, err)
		}
		old := ix
		old.Version = 1
		if ok, err := cs.PutView(ctx, old, []byte(`{"v":1}`)); ok || err != nil {
			t.Fatalf("an older view replaced a newer one: %v %v", ok, err)
		}
		ix.Version, ix.State, ix.Open = 3, "accepted", true
		if ok, err := cs.PutView(ctx, ix, []byte(`{"v":3}`)); !ok || err != nil {
			t.Fatal(ok, err)
		}
		view, v, err := cs.View(ctx, "V1")
		if err != nil || v != 3 || string(view) != `{"v":3}` {
			t.Fatalf("View = %s %d %v", view, v, err)
		}
		if view, v, err := cs.View(ctx, "V404"); view != nil || v != 0 || err != nil {
			t.Errorf("missing view = %s %d %v", view, v, err)
		}
		for _, q := range []storage.CaseQuery{{State: "submitted"}, {State: "accepted", Matter: "M2"}, {Department: "taxation"}} {
			if got, n, _ := cs.ListCases(ctx, q); len(got) != 0 || n != 0 {
				t.Errorf("ListCases(%+v) = %v %d", q, got, n)
			}
		}
		for _, q := range []storage.CaseQuery{{State: "accepted"}, {State: "accepted", Matter: "M1"}, {Matter: "M1"}, {Open: true, DueTo: due}, {}, {Department: "market-regulation"}} {
			if got, n, _ := cs.ListCases(ctx, q); !slices.Equal(got, []string{"V1"}) || n != 1 {
				t.Errorf("ListCases(%+v) = %v %d", q, got, n)
			}
		}
		if got, _, _ := cs.ListCases(ctx, storage.CaseQuery{Open: true, DueTo: due.AddDate(0, 0, -1)}); len(got) != 0 {
			t.Errorf("due before its due date: %v", got)
		}
		views, err := cs.Views(ctx, []string{"V1", "V404"})
		if err != nil || string(views[0]) != `{"v":3}` || views[1] != nil {
			t.Errorf("Views = %q %v", views, err)
		}
	})

	t.Run("listing pages by due date", func(t *testing.T) {
		base := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 30; i++ {
			ix := storage.CaseIndex{CaseNo: fmt.Sprintf("L%02d", i), Version: 1, State: "in_review", Matter: "M9", Due: base.AddDate(0, 0, 29-i)}
			if _, err := cs.PutView(ctx, ix, []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
		}
		got, n, err := cs.ListCases(ctx, storage.CaseQuery{State: "in_review", Offset: 10, Limit: 5})
		if err != nil || n != 30 || !slices.Equal(got, []string{"L19", "L18", "L17", "L16", "L15"}) {
			t.Errorf("page = %v of %d, %v", got, n, err)
		}
		got, n, _ = cs.ListCases(ctx, storage.CaseQuery{State: "in_review", DueFrom: base, DueTo: base.AddDate(0, 0, 2)})
		if n != 3 || !slices.Equal(got, []string{"L29", "L28", "L27"}) {
			t.Errorf("due within = %v of %d", got, n)
		}
	})

	t.Run("sequence, notices, mail", func(t *testing.T) {
		a, _ := cs.NextCaseSeq(ctx, "20260302")
		b, _ := cs.NextCaseSeq(ctx, "20260302")
		if a != 1 || b != 2 {
			t.Errorf("seq %d %d", a, b)
		}
		if err := cs.PutNotice(ctx, "C1", "C1.3", []byte("%PDF-1.4")); err != nil {
			t.Fatal(err)
		}
		if err := cs.PutNotice(ctx, "C1", "C1.3", []byte("%PDF-1.4")); err != nil {
			t.Errorf("filing a notice twice: %v", err)
		}
		if pdf, err := cs.Notice(ctx, "C1", "C1.3"); err != nil || string(pdf) != "%PDF-1.4" {
			t.Errorf("Notice = %q %v", pdf, err)
		}
		if _, err := cs.Notice(ctx, "C1", "C1.9"); errs.CodeOf(err) != "notice_not_found" {
			t.Errorf("missing notice: %v", err)
		}
		if err := cs.PutMail(ctx, "20260302-0912ab", []byte(`{"id":1}`), true); err != nil {
			t.Fatal(err)
		}
		if err := cs.PutMail(ctx, "20260302-0912ab", []byte(`{"id":1}`), true); errs.CodeOf(err) != "mail_exists" {
			t.Errorf("same mail twice: %v", err)
		}
		if err := cs.PutMail(ctx, "20260302-0915cd", []byte(`{"id":2}`), true); err != nil {
			t.Fatal(err)
		}
		if err := cs.PutMail(ctx, "20260302-0912ab", []byte(`{"id":1,"routed":true}`), false); err != nil {
			t.Fatal(err)
		}
		if err := cs.PutMail(ctx, "../x", nil, true); errs.CodeOf(err) != "bad_mail_id" {
			t.Errorf("bad id: %v", err)
		}
		day, err := cs.MailOfDay(ctx, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
		if err != nil || len(day) != 2 || string(day[0]) != `{"id":1,"routed":true}` {
			t.Errorf("MailOfDay = %q %v", day, err)
		}
		if _, err := cs.Mail(ctx, "20260303-0000aa"); errs.CodeOf(err) != "mail_not_found" {
			t.Errorf("missing mail: %v", err)
		}
	})
}

// BenchmarkListCases lists one page of 50 of 10,000 cases by state and due date, with their
// views, as GET /api/v1/cases does.
func BenchmarkListCases(b *testing.B) {
	svc := testenv.Services(b)
	ctx := context.Background()
	cs := storage.NewCaseStore(testenv.Blobs(b, svc), testenv.State(b, svc))
	states := []string{"submitted", "accepted", "in_review", "closed"}
	base := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	view := make([]byte, 2048) // about a real case view's size
	for i := range view {
		view[i] = 'x'
	}
	view = fmt.Appendf(nil, `{"pad":"%s"}`, view)
	for i := 0; i < 10000; i++ {
		ix := storage.CaseIndex{CaseNo: fmt.Sprintf("20260302-%05d", i), Version: 1, State: states[i%len(states)],
			Matter: fmt.Sprintf("M%d", i%8), Due: base.AddDate(0, 0, i%60)}
		if _, err := cs.PutView(ctx, ix, view); err != nil {
			b.Fatal(err)
		}
	}
	q := storage.CaseQuery{State: "accepted", DueFrom: base.AddDate(0, 0, 10), DueTo: base.AddDate(0, 0, 40), Offset: 100, Limit: 50}
	for b.Loop() {
		nos, total, err := cs.ListCases(ctx, q)
		if err != nil || len(nos) != 50 || total == 0 {
			b.Fatal(len(nos), total, err)
		}
		if _, err := cs.Views(ctx, nos); err != nil {
			b.Fatal(err)
		}
	}
}

// yearsRetainer keeps everything for years, GOVERNANCE: the store's part of a schedule.
type yearsRetainer int

func (y yearsRetainer) Until(_, _ string, now time.Time) storage.Lock {
	return storage.Lock{Mode: "GOVERNANCE", Until: now.AddDate(int(y), 0, 0)}
}
