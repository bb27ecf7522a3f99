// Package stats computes the figures the hall's management reads (DB22/T 2871.2 §6.1.2,
// §6.3.4; ratings §8): intake per day, decisions, acceptance at the first visit, 容缺
// materials supplied on time, departments' on-time rates, workload per matter, window and
// clerk, overdue cases and ratings, for a range of the hall's days. It counts from the filed
// events and ratings in MinIO, the record, keeping each case's facts in memory until the case
// has a new event, so nothing needs rebuilding after a loss but this process's memory.
package stats

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"sync"
	"time"

	"onewindow/cases"
	"onewindow/internal/clock"
	"onewindow/internal/errs"
	"onewindow/internal/metrics"
)

// Cases reads the filed case events (storage.CaseStore): how many were filed (a count that
// moves with every event), every case's version, and a case's events.
type Cases interface {
	EventsFiled(ctx context.Context) (int64, error)
	CaseVersions(ctx context.Context) (map[string]int, error)
	Events(ctx context.Context, caseNo string) ([][]byte, error)
}

// Summaries keeps each case's folded facts with the version they were folded at
// (storage.CaseStore, in Redis), so that a process that starts folds only the cases that
// moved since, and the cases' current versions as their cached views say.
type Summaries interface {
	Summaries(ctx context.Context) (map[string][]byte, error)
	PutSummary(ctx context.Context, caseNo string, version int, data []byte) error
	DropSummaries(ctx context.Context) error
	CachedVersions(ctx context.Context) (map[string]int, error)
}

// Ratings reads every filed rating and follow-up outcome (storage.RatingStore).
type Ratings interface {
	Ratings(ctx context.Context) (ratings [][]byte, outcomes map[string][]byte, err error)
}

// Options configure the figures.
type Options struct {
	Cases     Cases
	Ratings   Ratings
	FollowUps FollowUps // where outcomes of follow-ups are filed; nil: not recorded here
	Catalogue func() *cases.Catalogue
	// DepartmentName names a department (the departments file); "" falls back to the
	// catalogue's names, then the id.
	DepartmentName func(id string) string
	Calendar       *cases.Calendar // nil: the bundled one
	Clock          clock.Clock     // the hall's days; zero: the system's clock in clock.DefaultZone
	// MaxAge is how long the facts kept count while the filed-events count has not moved
	// (a year of a busy hall is a million event keys to list); past it they are checked
	// against the archive all the same, in case the count was lost with Redis. 0: 5 minutes;
	// negative: list on every report.
	MaxAge time.Duration
	// Pages counts the pages digitised (nil: not counted); Queues reads the queues' backlog
	// (asynq's inspector; nil: not shown). Both are the hall's, whatever a filter narrows.
	Pages  PageCounts
	Queues metrics.QueueStatsFunc
	// Summaries, when set, keeps the facts across restarts and gives the cases' versions from
	// Redis; the event keys in MinIO are then listed only every ListEvery (0: an hour), as the
	// check that does not trust Redis.
	Summaries Summaries
	ListEvery time.Duration
	// FontPath is the CJK font the PDF report embeds ("" for the notices' default).
	FontPath string
	Log      *slog.Logger
}

// Stats computes the figures.
type Stats struct {
	o Options

	mu        sync.Mutex
	facts     map[string]*facts // by case number, at the version it was folded
	seeded    bool              // the kept summaries were read into facts
	checkedAt time.Time         // when the versions were last compared
	listedAt  time.Time         // when the event keys in MinIO were last listed
	filed     int64             // the filed-events count then
	observing chan struct{}     // bounds the folds Observe runs at once
}

// New builds the statistics desk.
func New(o Options) *Stats {
	if o.Calendar == nil {
		o.Calendar = cases.DefaultCalendar()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.MaxAge == 0 {
		o.MaxAge = 5 * time.Minute
	}
	if o.ListEvery == 0 {
		o.ListEvery = time.Hour
	}
	s := &Stats{o: o, facts: map[string]*facts{}, observing: make(chan struct{}, 4)}
	if o.Summaries != nil {
		s.listedAt = time.Now() // the cached versions serve until the first check against MinIO
	}
	return s
}

// current brings every case's facts up to its filed version. While no event was filed since
// the last time (the count in Redis says so), the facts kept are current; else the versions
// (the cached views', or one listing of the event keys in MinIO) say which cases moved, and
// only those are read again, eight at a time. A process that starts reads the summaries kept
// in Redis first, so it folds only what moved since they were written.
func (s *Stats) current(ctx context.Context) (map[string]*facts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	filed, ferr := s.o.Cases.EventsFiled(ctx)
	if ferr == nil && filed == s.filed && !s.checkedAt.IsZero() && time.Since(s.checkedAt) < s.o.MaxAge {
		return maps.Clone(s.facts), nil
	}
	checked := time.Now()
	if s.o.Summaries != nil && !s.seeded {
		s.seed(ctx)
	}
	var versions map[string]int
	if s.o.Summaries != nil && time.Since(s.listedAt) < s.o.ListEvery {
		v, err := s.o.Summaries.CachedVersions(ctx)
		switch {
		case err != nil:
			s.o.Log.WarnContext(ctx, "cached case versions not read; listing the archive", "err", err)
		case len(v) > 0: // none: a Redis just emptied, or a hall without cases; the archive says which
			versions = v
		}
	}
	if versions == nil {
		v, err := s.o.Cases.CaseVersions(ctx)
		if err != nil {
			return nil, err
		}
		versions, s.listedAt = v, checked
	}
	var stale []string
	for no, v := range versions {
		if f, ok := s.facts[no]; !ok || f.Version != v {
			stale = append(stale, no)
		}
	}
	for no := range s.facts {
		if _, ok := versions[no]; !ok {
			delete(s.facts, no)
		}
	}
	if err := s.foldAll(ctx, stale); err != nil {
		return nil, err
	}
	// Events filed while comparing moved the count past filed: the next report looks again.
	s.checkedAt, s.filed = checked, filed
	return maps.Clone(s.facts), nil // a fact is never changed once kept, only replaced
}

// foldAll folds the cases named, eight at a time, keeps their facts and, with Summaries,
// their summaries.
func (s *Stats) foldAll(ctx context.Context, stale []string) error {
	depts := s.matterDepts()
	type result struct {
		no  string
		f   *facts
		err error
	}
	out := make(chan result)
	sem := make(chan struct{}, 8)
	go func() {
		var wg sync.WaitGroup
		for _, no := range stale {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				f, err := s.fold(ctx, no, depts)
				out <- result{no, f, err}
			})
		}
		wg.Wait()
		close(out)
	}()
	var first error
	for r := range out {
		switch {
		case r.err != nil && first == nil:
			first = r.err
		case r.err == nil:
			s.facts[r.no] = r.f
			s.keep(ctx, r.no, r.f)
		}
	}
	return first
}

// matterDepts names the departments of a matter in the catalogue in force.
func (s *Stats) matterDepts() func(string) []string {
	cat := s.o.Catalogue()
	return func(code string) []string {
		m, _ := cat.Matter(code)
		return m.Departments
	}
}

func (s *Stats) fold(ctx context.Context, caseNo string, depts func(string) []string) (*facts, error) {
	raws, err := s.o.Cases.Events(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	evs := make([]cases.Event, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &evs[i]); err != nil {
			return nil, errs.E("stats.fold", errs.Internal, "bad_event", "A case event does not decode.", err)
		}
	}
	return foldFacts(evs, depts, s.o.Clock, s.o.Calendar)
}

// Reset forgets every case's facts and the summaries kept, so the figures are counted from
// MinIO afresh and the summaries written again (the reindex's part of the statistics). It
// answers how many cases it folded.
func (s *Stats) Reset(ctx context.Context) (int, error) {
	s.mu.Lock()
	if s.o.Summaries != nil {
		if err := s.o.Summaries.DropSummaries(ctx); err != nil {
			s.mu.Unlock()
			return 0, err
		}
	}
	s.facts, s.seeded, s.checkedAt, s.listedAt = map[string]*facts{}, true, time.Time{}, time.Time{}
	s.mu.Unlock()
	f, err := s.current(ctx)
	return len(f), err
}
