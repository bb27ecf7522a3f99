package stats_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"onewindow/cases"
	"onewindow/internal/clock"
	"onewindow/stats"
)

// yearOfCases is a busy hall's year in memory: n cases over 365 days, ten events each (open,
// three scans, decision, notice, review, department answer, result, hand-out), made when read
// so that a million events need no memory of their own.
type yearOfCases struct {
	n      int
	start  time.Time
	reads  int
	filed  int64
	moving bool // every report finds the filed-events count moved
}

func (y *yearOfCases) EventsFiled(context.Context) (int64, error) {
	if y.moving {
		y.filed++
	}
	return y.filed, nil
}

func (y *yearOfCases) CaseVersions(context.Context) (map[string]int, error) {
	out := make(map[string]int, y.n)
	for i := range y.n {
		out[fmt.Sprintf("JL%07d", i)] = 10
	}
	return out, nil
}

func (y *yearOfCases) Events(_ context.Context, caseNo string) ([][]byte, error) {
	y.reads++
	var i int
	fmt.Sscanf(caseNo, "JL%07d", &i)
	at := y.start.AddDate(0, 0, i%365).Add(time.Duration(i%480) * time.Minute)
	decision, state := cases.DecisionAccept, cases.StateAccepted
	if i%5 == 0 {
		decision, state = cases.DecisionCorrection, cases.StateCorrectionRequired
	}
	channel := cases.ChannelCounter
	if i%7 == 0 {
		channel = cases.ChannelMail
	}
	ev := func(seq int, typ string, after time.Duration, data any) []byte {
		raw, _ := json.Marshal(data)
		b, _ := json.Marshal(cases.Event{Seq: seq, Type: typ, At: at.Add(after), By: fmt.Sprintf("clerk-%d", i%12), Desk: fmt.Sprintf("window-%d", i%6), Data: raw})
		return b
	}
	due := at.AddDate(0, 0, 3).Format(time.DateOnly)
	evs := [][]byte{
		ev(1, cases.EvOpened, 0, cases.OpenedData{Opening: cases.Opening{CaseNo: caseNo, Matter: "JL-SC-002", MatterName: "个体工商户登记", Channel: channel,
			Applicant: cases.Party{Kind: cases.KindPerson, Name: "张三", IDNumber: "220102199003070013"}}, DueDate: due}),
		ev(2, cases.EvBatchDone, time.Minute, cases.BatchDoneData{Batch: caseNo + "-b1"}),
		ev(3, cases.EvBatchDone, 2*time.Minute, cases.BatchDoneData{Batch: caseNo + "-b2"}),
		ev(4, cases.EvBatchDone, 3*time.Minute, cases.BatchDoneData{Batch: caseNo + "-b3"}),
		ev(5, cases.EvDecided, 10*time.Minute, cases.DecidedData{Decision: decision, State: state, DueDate: due}),
		ev(6, cases.EvNoticeFiled, 11*time.Minute, cases.NoticeRef{ID: caseNo + ".n5", Kind: cases.NoticeFor(decision)}),
	}
	if state == cases.StateAccepted {
		evs = append(evs,
			ev(7, cases.EvStateChanged, time.Hour, cases.StateChangedData{From: state, To: cases.StateInReview}),
			ev(8, cases.EvDelivery, 30*time.Hour, cases.Delivery{Department: "market-regulation", State: "answered"}),
			ev(9, cases.EvStateChanged, 31*time.Hour, cases.StateChangedData{From: cases.StateInReview, To: cases.StateResultReady}),
			ev(10, cases.EvStateChanged, 50*time.Hour, cases.StateChangedData{From: cases.StateResultReady, To: cases.StateDelivered}))
	} else {
		for seq := 7; seq <= 10; seq++ {
			evs = append(evs, ev(seq, cases.EvApplicantNotified, time.Duration(seq)*time.Hour, cases.NotifiedData{Channel: "sms", What: "correction"}))
		}
	}
	return evs, nil
}

// BenchmarkYearReport: a year's figures of a hall with 100,000 cases and 1,000,000 events,
// once every case's facts are kept (after the first report of a process): when no event was
// filed since the last report, and when one was (every event key is listed again, the
// unchanged cases not reread).
func BenchmarkYearReport(b *testing.B) {
	if testing.Short() {
		b.Skip("folds a million events first")
	}
	zone := clock.Clock{}.Location()
	y := &yearOfCases{n: 100_000, start: time.Date(2025, 1, 1, 9, 0, 0, 0, zone)}
	s := stats.New(stats.Options{Cases: y, Catalogue: cases.DefaultCatalogue, Clock: clock.Fixed(zone, time.Date(2026, 1, 5, 9, 0, 0, 0, zone))})
	from, to, err := s.ParseRange("2025-01-01", "2025-12-31")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	cold := time.Now()
	r, err := s.Report(ctx, from, to, stats.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first report, folding %d events: %s", y.n*10, time.Since(cold).Round(time.Millisecond))
	if r.CasesOpened != y.n || r.Decisions[cases.DecisionAccept] != 80_000 {
		b.Fatalf("opened %d, accepted %d", r.CasesOpened, r.Decisions[cases.DecisionAccept])
	}
	for _, moving := range []bool{false, true} {
		name := map[bool]string{false: "no-new-event", true: "new-event"}[moving]
		b.Run(name, func(b *testing.B) {
			y.moving = moving
			reads := y.reads
			for b.Loop() {
				if _, err := s.Report(ctx, from, to, stats.Filter{}); err != nil {
					b.Fatal(err)
				}
			}
			if y.reads != reads {
				b.Errorf("a report without a changed case reread %d cases", y.reads-reads)
			}
		})
	}
}
