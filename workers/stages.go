package workers

import (
	"context"
	"slices"

	"github.com/hibiken/asynq"

	"onewindow/internal/metrics"
	"onewindow/pipeline"
)

// stage starts timing one step of the pipeline (a pipeline.Stage* name); calling the
// result records it in onewindow_stage_seconds.
func (p *Processor) stage(name string) func() {
	if p.Metrics == nil {
		return func() {}
	}
	return pipeline.Timed(p.Metrics, name)
}

// QueueInspector is the part of asynq's Inspector that queue metrics read.
type QueueInspector interface {
	Queues() ([]string, error)
	GetQueueInfo(queue string) (*asynq.QueueInfo, error)
}

// QueueStats reads queues' sizes, latency and counts for metrics.WatchQueues. A queue no task
// was ever put on is reported as empty; an error (Redis down) fails the whole read, so a
// scrape shows no queue numbers rather than some of them.
func QueueStats(in QueueInspector, queues []string) metrics.QueueStatsFunc {
	return func(ctx context.Context) ([]metrics.QueueStats, error) {
		known, err := in.Queues()
		if err != nil {
			return nil, err
		}
		out := make([]metrics.QueueStats, 0, len(queues))
		for _, q := range queues {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if !slices.Contains(known, q) {
				out = append(out, metrics.QueueStats{Queue: q})
				continue
			}
			info, err := in.GetQueueInfo(q)
			if err != nil {
				return nil, err
			}
			out = append(out, metrics.QueueStats{Queue: q, Pending: info.Pending, Active: info.Active,
				Scheduled: info.Scheduled, Retry: info.Retry, Archived: info.Archived, Latency: info.Latency,
				Processed: info.ProcessedTotal, Failed: info.FailedTotal})
		}
		return out, nil
	}
}
