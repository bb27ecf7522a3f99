// Package metrics declares the Prometheus metrics of the daemon in one place.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the daemon's instruments, registered on their own registry.
type Metrics struct {
	Registry       *prometheus.Registry
	PagesProcessed *prometheus.CounterVec // by result: ocr, blank, separator
	OCRSeconds     prometheus.Histogram
	// OCREngineRestarts counts OCR engine processes replaced after a crash or a hang.
	OCREngineRestarts prometheus.Counter
	Failures          *prometheus.CounterVec // by error code
	Batches           *prometheus.CounterVec // by final status
	Uploads           *prometheus.CounterVec // by answer code
	Documents         *prometheus.CounterVec // by type
	FixityChecked     *prometheus.CounterVec // by result: ok, mismatch, missing
	// StageSeconds times each step of the document pipeline (pipeline.Stage* names),
	// whichever task runs it; ObserveStage feeds it.
	StageSeconds *prometheus.HistogramVec
	// TaskSeconds times every task a worker runs, by task type and outcome (ok, error).
	TaskSeconds *prometheus.HistogramVec
	// BatchSeconds is the time from an upload's acceptance until its batch is done.
	BatchSeconds prometheus.Histogram
	// IndexRepairs counts entries the reconciler found missing or stale in an index and
	// repaired from MinIO, by index (documents, search, batches, cases, deliveries, and the audit
	// chain's head).
	IndexRepairs *prometheus.CounterVec
}

// IndexNames are the indexes the reconciler compares with MinIO and repairs.
var IndexNames = []string{"documents", "search", "batches", "cases", "deliveries", "audit"}

// New registers every metric, plus Go and process collectors.
func New() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		PagesProcessed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onewindow_pages_processed_total", Help: "Pages finished by the page task, by result.",
		}, []string{"result"}),
		OCRSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "onewindow_ocr_seconds", Help: "Time Tesseract spent on one page.",
			Buckets: []float64{0.5, 1, 2, 3, 5, 8, 13, 21, 34},
		}),
		OCREngineRestarts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "onewindow_ocr_engine_restarts_total", Help: "OCR engine processes replaced after they crashed or hung on a page.",
		}),
		Failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onewindow_failures_total", Help: "Failed tasks and refused uploads, by error code.",
		}, []string{"code"}),
		Batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onewindow_batches_total", Help: "Batches that reached a final status.",
		}, []string{"status"}),
		Uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onewindow_uploads_total", Help: "Upload requests, by answer code.",
		}, []string{"code"}),
		Documents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onewindow_documents_filed_total", Help: "Documents filed, by type.",
		}, []string{"type"}),
		FixityChecked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onewindow_fixity_objects_total", Help: "Archived objects re-read by fixity checks, by result.",
		}, []string{"result"}),
		// Stages run from a millisecond (a separator check) to a minute (OCR of a dense page).
		StageSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "onewindow_stage_seconds", Help: "Time one step of the document pipeline took, by stage.",
			Buckets: []float64{0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60},
		}, []string{"stage"}),
		TaskSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "onewindow_task_seconds", Help: "Time a worker spent on one task, by task type and outcome (ok, error).",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"type", "outcome"}),
		BatchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "onewindow_batch_seconds", Help: "Time from an upload's acceptance until its batch was done (every document filed).",
			Buckets: []float64{1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600},
		}),
		IndexRepairs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onewindow_index_repairs_total", Help: "Index entries found missing or stale and repaired from MinIO, by index.",
		}, []string{"index"}),
	}
	// Series that exist from the start, so that dashboards and alerts see a zero rather
	// than no data until the first event.
	for _, s := range []string{"done", "failed"} {
		m.Batches.WithLabelValues(s)
	}
	for _, s := range []string{"ocr", "blank", "separator"} {
		m.PagesProcessed.WithLabelValues(s)
	}
	for _, s := range []string{"ok", "mismatch", "missing"} {
		m.FixityChecked.WithLabelValues(s)
	}
	for _, s := range IndexNames {
		m.IndexRepairs.WithLabelValues(s)
	}
	r.MustRegister(m.PagesProcessed, m.OCRSeconds, m.OCREngineRestarts, m.Failures, m.Batches, m.Uploads, m.Documents, m.FixityChecked,
		m.StageSeconds, m.TaskSeconds, m.BatchSeconds, m.IndexRepairs, buildInfoGauge(Build()),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveStage records that stage took took. Its shape lets the pipeline report stages
// through an interface of its own, without importing Prometheus.
func (m *Metrics) ObserveStage(stage string, took time.Duration) {
	m.StageSeconds.WithLabelValues(stage).Observe(took.Seconds())
}

// queueDepth reports the tasks waiting in each queue when Prometheus scrapes.
type queueDepth struct {
	desc  *prometheus.Desc
	depth func() map[string]int
}

func (q queueDepth) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q queueDepth) Collect(ch chan<- prometheus.Metric) {
	for name, n := range q.depth() {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(n), name)
	}
}

// WatchCases exports onewindow_cases{kind} (overdue, due_within_2_days, supplements_overdue)
// from counts, called at each scrape.
func (m *Metrics) WatchCases(counts func() map[string]int) {
	m.Registry.MustRegister(queueDepth{
		desc:  prometheus.NewDesc("onewindow_cases", "Open cases past or near their committed time limit, and cases whose deferred materials are late.", []string{"kind"}, nil),
		depth: counts,
	})
}
