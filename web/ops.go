package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

type opsData struct {
	Health       []healthRow
	Queues       []queueRow
	Failed       []batchSummary
	FailedErr    *apiError
	FailedCount  string
	DashboardURL string
	Watch        *WatchStatus
	WatchErr     string
	Evidence     *EvidenceStatus
	EvidenceErr  string
	Build        string // this process's release and commit (onewindow_build_info)
	// Repairs are the index entries the reconciler put back from MinIO since this process
	// started (onewindow_index_repairs_total): anything but zero means Redis or search lost writes.
	Repairs []queueRow
}

// batchList is GET /api/v1/batches: summaries, newest first.
type batchList struct {
	Total   int            `json:"total"`
	Batches []batchSummary `json:"batches"`
}

type batchSummary struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	CaseNo     string `json:"case_no"`
	Station    string `json:"station"`
	PagesTotal int    `json:"pages_total"`
	PagesDone  int    `json:"pages_done"`
	Documents  int    `json:"documents"`
	Error      *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	CreatedAt string `json:"created_at"`
	// StationName is Station in words (a department's name for its uploaded result).
	StationName string `json:"-"`
}

type healthRow struct {
	Name, Status string
	OK           bool
}

type queueRow struct {
	Name  string
	Depth string
}

// ops shows the installation at a glance: /readyz, queue depth from /metrics, failed batches.
func (s *site) ops(w http.ResponseWriter, rq *req) {
	d := opsData{DashboardURL: s.opts.QueueDashboardPath}
	rec := s.call(rq.Request, rq.s.P, http.MethodGet, "/readyz", nil, nil)
	var checks map[string]string
	_ = json.Unmarshal(rec.body.Bytes(), &checks)
	for _, name := range []string{"redis", "minio", "ocr"} {
		st, ok := checks[name]
		if !ok {
			st = "?"
		}
		d.Health = append(d.Health, healthRow{Name: name, Status: st, OK: st == "ok"})
	}
	metrics := s.call(rq.Request, rq.s.P, http.MethodGet, "/metrics", nil, nil)
	for _, m := range scrape(metrics.body.Bytes(), "onewindow_queue_depth") {
		d.Queues = append(d.Queues, queueRow{Name: m.label("queue"), Depth: m.value})
	}
	for _, m := range scrape(metrics.body.Bytes(), "onewindow_index_repairs_total") {
		d.Repairs = append(d.Repairs, queueRow{Name: m.label("index"), Depth: m.value})
	}
	for _, m := range scrape(metrics.body.Bytes(), "onewindow_build_info") {
		d.Build = strings.TrimSpace(m.label("version") + " " + m.label("revision"))
	}
	for _, m := range scrape(metrics.body.Bytes(), "onewindow_batches_total") {
		if m.label("status") == "failed" {
			d.FailedCount = m.value
		}
	}
	var failed batchList
	d.FailedErr = s.getJSON(rq, "/api/v1/batches?status=failed&per_page=50", &failed)
	d.Failed = failed.Batches
	if s.opts.WatchStatus != nil {
		ws, err := s.opts.WatchStatus(rq.Context())
		if err != nil {
			d.WatchErr = err.Error()
		} else {
			d.Watch = &ws
		}
	}
	if s.opts.EvidenceStatus != nil {
		if es, err := s.opts.EvidenceStatus(rq.Context()); err != nil {
			d.EvidenceErr = err.Error()
		} else {
			d.Evidence = &es
		}
	}
	s.render(w, rq, http.StatusOK, "ops.html", "ops.title", d)
}

// retryBatch asks the API to run a failed batch again.
func (s *site) retryBatch(w http.ResponseWriter, rq *req) {
	id := rq.PathValue("id")
	if e := s.sendJSON(rq, http.MethodPost, "/api/v1/batches/"+url.PathEscape(id)+"/retry", nil, nil, nil); e != nil {
		s.renderError(w, rq, e)
		return
	}
	http.Redirect(w, rq.Request, "/batches/"+url.PathEscape(id)+"?m=retried", http.StatusSeeOther)
}

type sample struct {
	labels map[string]string
	value  string
}

func (m sample) label(k string) string { return m.labels[k] }

// scrape reads the samples of one metric from Prometheus text exposition.
func scrape(text []byte, name string) []sample {
	var out []sample
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		rest := line[len(name):]
		m := sample{labels: map[string]string{}}
		if strings.HasPrefix(rest, "{") {
			end := strings.Index(rest, "}")
			if end < 0 {
				continue
			}
			for _, kv := range strings.Split(rest[1:end], ",") {
				k, v, ok := strings.Cut(kv, "=")
				if ok {
					if uq, err := strconv.Unquote(v); err == nil {
						v = uq
					}
					m.labels[strings.TrimSpace(k)] = v
				}
			}
			rest = rest[end+1:]
		} else if rest != "" && rest[0] != ' ' {
			continue // a longer metric name with this prefix
		}
		m.value = strings.TrimSpace(rest)
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b sample) int { return strings.Compare(a.labels["queue"], b.labels["queue"]) })
	return out
}
