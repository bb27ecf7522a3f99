// Package metrics declares the Prometheus metrics of the daemon in one place.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the daemon's instruments, registered on their own registry.
type Metrics struct {
	Registry       *prometheus.Registry
	PagesProcessed *prometheus.CounterVec // by result: ocr, blank, separator
	OCRSeconds     prometheus.Histogram
	Failures       *prometheus.CounterVec // by error code
	Batches        *prometheus.CounterVec // by final status
	Uploads        *prometheus.CounterVec // by answer code
	Documents      *prometheus.CounterVec // by type
	FixityChecked  *prometheus.CounterVec // by result: ok, mismatch, missing
}

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
	}
	r.MustRegister(m.PagesProcessed, m.OCRSeconds, m.Failures, m.Batches, m.Uploads, m.Documents, m.FixityChecked,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
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

// WatchQueues exports onewindow_queue_depth{queue} from depth, called at each scrape.
func (m *Metrics) WatchQueues(depth func() map[string]int) {
	m.Registry.MustRegister(queueDepth{
		desc:  prometheus.NewDesc("onewindow_queue_depth", "Tasks pending, scheduled or being retried, by queue.", []string{"queue"}, nil),
		depth: depth,
	})
}

// WatchCases exports onewindow_cases{kind} (overdue, due_within_2_days, supplements_overdue)
// from counts, called at each scrape.
func (m *Metrics) WatchCases(counts func() map[string]int) {
	m.Registry.MustRegister(queueDepth{
		desc:  prometheus.NewDesc("onewindow_cases", "Open cases past or near their committed time limit, and cases whose deferred materials are late.", []string{"kind"}, nil),
		depth: counts,
	})
}
