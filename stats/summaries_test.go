package stats_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/internal/auth"
	"onewindow/internal/clock"
	"onewindow/stats"
	"onewindow/storage"
)

// countingCases counts the cases whose events a Stats reads from the archive.
type countingCases struct {
	*storage.CaseStore
	reads  atomic.Int64
	listed atomic.Int64
}

func (c *countingCases) Events(ctx context.Context, caseNo string) ([][]byte, error) {
	c.reads.Add(1)
	return c.CaseStore.Events(ctx, caseNo)
}

func (c *countingCases) CaseVersions(ctx context.Context) (map[string]int, error) {
	c.listed.Add(1)
	return c.CaseStore.CaseVersions(ctx)
}

// TestSummariesSpareTheArchive: a process that starts after another kept the case summaries
// reads no case's events and lists no event keys for its first report, with the same figures;
// an event observed keeps its case's summary current; the reindex's Reset drops and refolds
// them from the archive.
func TestSummariesSpareTheArchive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.dayOfCases(time.Date(2026, 3, 2, 0, 0, 0, 0, hallZone))
	e.at(time.Date(2026, 3, 3, 9, 0, 0, 0, hallZone))
	process := func() (*stats.Stats, *countingCases) {
		c := &countingCases{CaseStore: e.store}
		return stats.New(stats.Options{Cases: c, Summaries: e.store, Ratings: e.ratings, Catalogue: e.desk.Catalogue, Clock: clock.New(hallZone, func() time.Time { return *e.now.Load() })}), c
	}
	from, to, _ := e.stats.ParseRange("2026-03-01", "2026-03-03")
	report := func(s *stats.Stats) *stats.Report {
		t.Helper()
		r, err := s.Report(ctx, from, to, stats.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first, c1 := process()
	want := report(first)
	opened, _, _ := e.independent("2026-03-02")
	if want.CasesOpened != opened || c1.reads.Load() != int64(opened) {
		t.Fatalf("first process: %d opened (want %d), %d cases read", want.CasesOpened, opened, c1.reads.Load())
	}

	second, c2 := process()
	got := report(second)
	if c2.reads.Load() != 0 || c2.listed.Load() != 0 {
		t.Errorf("a restarted process read %d cases and listed the archive %d times", c2.reads.Load(), c2.listed.Load())
	}
	if got.CasesOpened != want.CasesOpened || got.AcceptedFirstVisit != want.AcceptedFirstVisit || got.Decided != want.Decided ||
		got.Decisions[cases.DecisionAccept] != want.Decisions[cases.DecisionAccept] {
		t.Errorf("from summaries %+v, from the archive %+v", got, want)
	}

	// One more decision, observed as the case desk's hook does it: its summary moves, so the
	// next process still reads nothing.
	no, err := e.desk.Open(ctx, casedesk.OpenInput{Matter: "JL-SC-002", Channel: cases.ChannelCounter, Window: "window-1",
		By:        cases.Actor{Name: "clerk-1", Role: auth.RoleWindow, Desk: "window-1"},
		Applicant: cases.Party{Name: "李四", IDNumber: "220102199003070013", Phone: "13912345678"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Refold(ctx, no.CaseNo); err != nil {
		t.Fatal(err)
	}
	third, c3 := process()
	if r := report(third); r.CasesOpened != want.CasesOpened+1 || c3.reads.Load() != 0 {
		t.Errorf("after an observed event: %d opened (want %d), %d cases read", r.CasesOpened, want.CasesOpened+1, c3.reads.Load())
	}

	// The reindex: summaries dropped and folded from the archive again.
	n, err := third.Reset(ctx)
	if err != nil || n != opened+1 || c3.listed.Load() != 1 || c3.reads.Load() != int64(opened+1) {
		t.Errorf("Reset: %d cases, %v; listed %d, read %d", n, err, c3.listed.Load(), c3.reads.Load())
	}
}
