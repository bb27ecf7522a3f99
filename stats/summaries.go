package stats

import (
	"context"
	"encoding/json"
	"time"

	"onewindow/cases"
)

// seed reads the summaries kept in Redis into the facts, once per process: a restart then
// folds only the cases that moved since. A summary that does not decode is folded again.
func (s *Stats) seed(ctx context.Context) {
	raws, err := s.o.Summaries.Summaries(ctx)
	if err != nil {
		s.o.Log.WarnContext(ctx, "case summaries not read; every case is folded from the archive", "err", err)
		return
	}
	for no, raw := range raws {
		if _, ok := s.facts[no]; ok {
			continue
		}
		var f facts
		if json.Unmarshal(raw, &f) == nil && f.Version > 0 {
			s.facts[no] = &f
		}
	}
	s.seeded = true
}

// keep writes a case's facts as its summary; a failure costs a fold after the next restart.
func (s *Stats) keep(ctx context.Context, caseNo string, f *facts) {
	if s.o.Summaries == nil {
		return
	}
	data, err := json.Marshal(f)
	if err == nil {
		err = s.o.Summaries.PutSummary(ctx, caseNo, f.Version, data)
	}
	if err != nil {
		s.o.Log.WarnContext(ctx, "case summary not kept", "case_no", caseNo, "err", err)
	}
}

// Observe is the case desk's after-event hook (casedesk.WithAfterEvent): it folds the case
// again and keeps its summary, out of the change that filed the event, so the summaries stay
// current event by event. When four folds are running already it leaves the case to the next
// report, which finds its version moved.
func (s *Stats) Observe(ctx context.Context, caseNo string, _ cases.Event) {
	select {
	case s.observing <- struct{}{}:
	default:
		return
	}
	go func() {
		defer func() { <-s.observing }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := s.Refold(ctx, caseNo); err != nil {
			s.o.Log.WarnContext(ctx, "case summary not brought up to date; the next report folds it", "case_no", caseNo, "err", err)
		}
	}()
}

// Refold folds one case from its events and keeps its facts and summary.
func (s *Stats) Refold(ctx context.Context, caseNo string) error {
	f, err := s.fold(ctx, caseNo, s.matterDepts())
	if err != nil {
		return err
	}
	s.keep(ctx, caseNo, f)
	s.mu.Lock()
	if old, ok := s.facts[caseNo]; !ok || old.Version < f.Version {
		s.facts[caseNo] = f
	}
	s.mu.Unlock()
	return nil
}
