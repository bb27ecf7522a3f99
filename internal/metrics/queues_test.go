package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// gathered is every sample of the registry whose family is in names, as "name{labels} value".
func gathered(t *testing.T, m *Metrics, names ...string) map[string]float64 {
	t.Helper()
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]float64{}
	for _, f := range fams {
		if !want[f.GetName()] {
			continue
		}
		for _, s := range f.GetMetric() {
			key := f.GetName() + "{"
			for i, l := range s.GetLabel() {
				if i > 0 {
					key += ","
				}
				key += l.GetName() + "=" + l.GetValue()
			}
			key += "}"
			switch {
			case s.Gauge != nil:
				out[key] = s.GetGauge().GetValue()
			case s.Counter != nil:
				out[key] = s.GetCounter().GetValue()
			case s.Histogram != nil:
				out[key] = float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// Queue numbers come from Redis at each scrape; a Redis that errs or hangs leaves them out of
// that scrape (onewindow_queue_up 0) instead of failing or stalling it.
func TestWatchQueues(t *testing.T) {
	stats := []QueueStats{{Queue: "pages", Pending: 3, Active: 2, Scheduled: 1, Retry: 1, Archived: 4,
		Latency: 1500 * time.Millisecond, Processed: 40, Failed: 2}}
	down := map[string]float64{"onewindow_queue_up{}": 0}
	tests := []struct {
		name string
		read QueueStatsFunc
		want map[string]float64
	}{
		{"answers", func(context.Context) ([]QueueStats, error) { return stats, nil }, map[string]float64{
			"onewindow_queue_up{}":                               1,
			"onewindow_queue_depth{queue=pages}":                 7,
			"onewindow_queue_latency_seconds{queue=pages}":       1.5,
			"onewindow_queue_tasks{queue=pages,state=pending}":   3,
			"onewindow_queue_tasks{queue=pages,state=active}":    2,
			"onewindow_queue_tasks{queue=pages,state=scheduled}": 1,
			"onewindow_queue_tasks{queue=pages,state=retry}":     1,
			"onewindow_queue_tasks{queue=pages,state=archived}":  4,
			"onewindow_queue_processed_total{queue=pages}":       40,
			"onewindow_queue_failed_total{queue=pages}":          2,
		}},
		{"redis down", func(context.Context) ([]QueueStats, error) { return nil, errors.New("dial tcp: connection refused") }, down},
		{"redis hangs", func(context.Context) ([]QueueStats, error) { time.Sleep(2 * time.Second); return stats, nil }, down},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			m.WatchQueues(200*time.Millisecond, tt.read)
			start := time.Now()
			got := gathered(t, m, "onewindow_queue_up", "onewindow_queue_depth", "onewindow_queue_tasks",
				"onewindow_queue_latency_seconds", "onewindow_queue_processed_total", "onewindow_queue_failed_total")
			if took := time.Since(start); took > time.Second {
				t.Errorf("the scrape took %v", took)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("queue series (-want +got):\n%s", d)
			}
			// The rest of the registry still answers, with the zero series made at start.
			if got := gathered(t, m, "onewindow_batches_total"); len(got) != 2 {
				t.Errorf("onewindow_batches_total: %v", got)
			}
		})
	}
}

func TestObserveStage(t *testing.T) {
	m := New()
	m.ObserveStage("ocr", 1500*time.Millisecond)
	m.ObserveStage("ocr", 500*time.Millisecond)
	m.ObserveStage("split", time.Millisecond)
	want := map[string]float64{"onewindow_stage_seconds{stage=ocr}": 2, "onewindow_stage_seconds{stage=split}": 1}
	if d := cmp.Diff(want, gathered(t, m, "onewindow_stage_seconds")); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
