package stats

import (
	"context"
	"time"
)

// PageCounts reads the pages of the batches done in a span of time (storage.State): counted
// once per batch when it is done, by UTC quarter hour, and rebuilt by the reindex from the
// batches' manifests.
type PageCounts interface {
	PagesDigitised(ctx context.Context, from, to time.Time) (map[time.Time]int, error)
}

// Backlog is the work the queues hold at the time of the report (asynq's inspector).
type Backlog struct {
	At     time.Time      `json:"at"`
	Total  int            `json:"total"` // pending, active, scheduled and retrying, every queue
	Queues []QueueBacklog `json:"queues"`
}

// QueueBacklog is one queue's tasks by state; Latency is how long its oldest pending task
// has waited, in seconds.
type QueueBacklog struct {
	Queue     string  `json:"queue"`
	Pending   int     `json:"pending"`
	Active    int     `json:"active"`
	Scheduled int     `json:"scheduled"`
	Retry     int     `json:"retry"`
	Latency   float64 `json:"latency_seconds"`
}

// pages adds the pages digitised on each day of r.Intake, the hall's days, and their total.
func (s *Stats) pages(ctx context.Context, r *Report, from, to time.Time) error {
	if s.o.Pages == nil {
		return nil
	}
	counts, err := s.o.Pages.PagesDigitised(ctx, from, to.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	byDay := make(map[string]*DayIntake, len(r.Intake))
	for i := range r.Intake {
		byDay[r.Intake[i].Date] = &r.Intake[i]
	}
	for t, n := range counts {
		if d := byDay[s.o.Clock.In(t).Format(time.DateOnly)]; d != nil {
			d.Pages += n
			r.PagesDigitised += n
		}
	}
	return nil
}

// backlog reads the queues now; a queue Redis cannot tell about leaves the report without
// a backlog rather than failing it (the figures from the archive still stand).
func (s *Stats) backlog(ctx context.Context) *Backlog {
	if s.o.Queues == nil {
		return nil
	}
	qs, err := s.o.Queues(ctx)
	if err != nil {
		s.o.Log.WarnContext(ctx, "queue backlog not read; the report goes without it", "err", err)
		return nil
	}
	b := &Backlog{At: s.o.Clock.Now().UTC(), Queues: []QueueBacklog{}}
	for _, q := range qs {
		b.Queues = append(b.Queues, QueueBacklog{Queue: q.Queue, Pending: q.Pending, Active: q.Active, Scheduled: q.Scheduled,
			Retry: q.Retry, Latency: q.Latency.Seconds()})
		b.Total += q.Pending + q.Active + q.Scheduled + q.Retry
	}
	return b
}
