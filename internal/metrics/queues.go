package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueStats is one task queue as the queue's inspector sees it at a scrape.
type QueueStats struct {
	Queue string
	// Tasks by state: pending, active, scheduled, retry, archived (asynq's states).
	Pending, Active, Scheduled, Retry, Archived int
	// Latency is how long the oldest pending task has waited.
	Latency time.Duration
	// Processed and Failed count the queue's tasks since Redis was created.
	Processed, Failed int
}

// QueueStatsFunc reads every queue's stats; an error means none could be read.
type QueueStatsFunc func(ctx context.Context) ([]QueueStats, error)

// queueCollector asks for the queues' stats at each scrape, within timeout. When Redis does
// not answer in time the queue series are left out of that scrape (and onewindow_queue_up
// says 0), so the scrape itself still answers with every other metric.
type queueCollector struct {
	stats   QueueStatsFunc
	timeout time.Duration

	up, depth, tasks, latency, processed, failed *prometheus.Desc
}

// WatchQueues exports the task queues at each scrape: onewindow_queue_tasks{queue,state},
// onewindow_queue_latency_seconds{queue}, onewindow_queue_depth{queue} (pending, scheduled,
// retry and active together), onewindow_queue_processed_total{queue},
// onewindow_queue_failed_total{queue} and onewindow_queue_up. stats gets at most timeout.
func (m *Metrics) WatchQueues(timeout time.Duration, stats QueueStatsFunc) {
	q := []string{"queue"}
	m.Registry.MustRegister(&queueCollector{stats: stats, timeout: timeout,
		up:        prometheus.NewDesc("onewindow_queue_up", "1 if the task queues could be read at this scrape, else 0 (and no other queue series).", nil, nil),
		depth:     prometheus.NewDesc("onewindow_queue_depth", "Tasks pending, scheduled, being retried or running, by queue.", q, nil),
		tasks:     prometheus.NewDesc("onewindow_queue_tasks", "Tasks in the queue, by queue and state (pending, active, scheduled, retry, archived).", []string{"queue", "state"}, nil),
		latency:   prometheus.NewDesc("onewindow_queue_latency_seconds", "How long the oldest pending task of the queue has waited.", q, nil),
		processed: prometheus.NewDesc("onewindow_queue_processed_total", "Tasks of the queue processed, succeeded or failed, since Redis was created.", q, nil),
		failed:    prometheus.NewDesc("onewindow_queue_failed_total", "Tasks of the queue whose run failed, since Redis was created.", q, nil),
	})
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.depth, c.tasks, c.latency, c.processed, c.failed} {
		ch <- d
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	type answer struct {
		stats []QueueStats
		err   error
	}
	// The inspector's calls take no context: wait for it in a goroutine and give up at the
	// deadline (the call itself ends with the Redis client's own timeouts).
	done := make(chan answer, 1)
	go func() {
		s, err := c.stats(ctx)
		done <- answer{s, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		a.err = ctx.Err()
	}
	if a.err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, s := range a.stats {
		gauge := func(d *prometheus.Desc, v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
		}
		gauge(c.depth, float64(s.Pending+s.Scheduled+s.Retry+s.Active), s.Queue)
		gauge(c.latency, s.Latency.Seconds(), s.Queue)
		for state, n := range map[string]int{"pending": s.Pending, "active": s.Active, "scheduled": s.Scheduled, "retry": s.Retry, "archived": s.Archived} {
			gauge(c.tasks, float64(n), s.Queue, state)
		}
		ch <- prometheus.MustNewConstMetric(c.processed, prometheus.CounterValue, float64(s.Processed), s.Queue)
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.CounterValue, float64(s.Failed), s.Queue)
	}
}
