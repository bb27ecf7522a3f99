package stats_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"onewindow/cases"
	"onewindow/internal/clock"
	"onewindow/internal/testenv"
	"onewindow/stats"
	"onewindow/storage"
)

// summarisedYear is the busy hall's year with its case summaries and cached views in a real
// Redis; the events themselves are made in memory (a million MinIO objects would take the
// benchmark's hour to write), so a fold's reads from MinIO are not in these figures.
type summarisedYear struct {
	*yearOfCases
	*storage.CaseStore
}

func (y summarisedYear) Events(ctx context.Context, caseNo string) ([][]byte, error) {
	return y.yearOfCases.Events(ctx, caseNo)
}
func (y summarisedYear) EventsFiled(ctx context.Context) (int64, error) {
	return y.yearOfCases.EventsFiled(ctx)
}
func (y summarisedYear) CaseVersions(ctx context.Context) (map[string]int, error) {
	return y.yearOfCases.CaseVersions(ctx)
}

// BenchmarkYearReportSummaries: a year of a busy hall (100,000 cases, 1,000,000 events) with
// the case summaries kept in Redis: the first report of a process that starts (cold), later
// reports when an event was filed since and when none was (warm), and what keeping one case's
// summary current costs per event (fold of its ten events and the write to Redis).
func BenchmarkYearReportSummaries(b *testing.B) {
	if testing.Short() {
		b.Skip("writes 100,000 views and summaries to Redis first")
	}
	ctx := context.Background()
	svc := testenv.Services(b)
	store := storage.NewCaseStore(testenv.Blobs(b, svc), testenv.State(b, svc))
	zone := clock.Clock{}.Location()
	y := summarisedYear{&yearOfCases{n: 100_000, start: time.Date(2025, 1, 1, 9, 0, 0, 0, zone)}, store}
	for i := range y.n {
		if _, err := store.PutView(ctx, storage.CaseIndex{CaseNo: fmt.Sprintf("JL%07d", i), Version: 10, State: cases.StateDelivered, Matter: "JL-SC-002"}, []byte("{}")); err != nil {
			b.Fatal(err)
		}
	}
	hall := clock.Fixed(zone, time.Date(2026, 1, 5, 9, 0, 0, 0, zone))
	process := func() *stats.Stats {
		return stats.New(stats.Options{Cases: y, Summaries: y, Catalogue: cases.DefaultCatalogue, Clock: hall})
	}
	s := process()
	from, to, err := s.ParseRange("2025-01-01", "2025-12-31")
	if err != nil {
		b.Fatal(err)
	}
	report := func(s *stats.Stats) time.Duration {
		t0 := time.Now()
		r, err := s.Report(ctx, from, to, stats.Filter{})
		if err != nil {
			b.Fatal(err)
		}
		if r.CasesOpened != y.n {
			b.Fatalf("opened %d", r.CasesOpened)
		}
		return time.Since(t0)
	}
	b.Logf("first report ever, folding %d events and keeping %d summaries: %s", y.n*10, y.n, report(s).Round(time.Millisecond))

	pct := func(ds []time.Duration) (time.Duration, time.Duration) {
		slices.Sort(ds)
		return ds[len(ds)/2], ds[(len(ds)*95+99)/100-1]
	}
	for b.Loop() {
		var cold []time.Duration
		reads := y.reads
		for range 10 {
			cold = append(cold, report(process()))
		}
		if y.reads != reads {
			b.Errorf("cold reports folded %d cases", y.reads-reads)
		}
		p50, p95 := pct(cold)
		b.Logf("cold (a process's first report, from the summaries): p50 %s p95 %s over %d", p50.Round(time.Millisecond), p95.Round(time.Millisecond), len(cold))
		b.ReportMetric(float64(p95.Milliseconds()), "cold-p95-ms")

		warm := process()
		report(warm)
		for _, moving := range []bool{false, true} {
			y.moving = moving
			var ds []time.Duration
			for range 20 {
				ds = append(ds, report(warm))
			}
			p50, p95 := pct(ds)
			name := map[bool]string{false: "warm, no event since", true: "warm, an event filed since"}[moving]
			b.Logf("%s: p50 %s p95 %s over %d", name, p50.Round(time.Millisecond), p95.Round(time.Millisecond), len(ds))
			b.ReportMetric(float64(p95.Microseconds())/1000, map[bool]string{false: "warm-p95-ms", true: "warm-moved-p95-ms"}[moving])
		}
		y.moving = false

		var per []time.Duration
		for i := range 2000 {
			t0 := time.Now()
			if err := warm.Refold(ctx, fmt.Sprintf("JL%07d", i*47%y.n)); err != nil {
				b.Fatal(err)
			}
			per = append(per, time.Since(t0))
		}
		p50, p95 = pct(per)
		b.Logf("keeping a summary current, per event (fold of 10 events + Redis write): p50 %s p95 %s over %d", p50, p95, len(per))
		b.ReportMetric(float64(p95.Microseconds()), "per-event-p95-us")
	}
}
