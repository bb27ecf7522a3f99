package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
)

// statsAnswer is the part of GET /api/v1/stats the management's page shows.
type statsAnswer struct {
	From        string `json:"from"`
	To          string `json:"to"`
	CasesOpened int    `json:"cases_opened"`
	Intake      []struct {
		Date    string `json:"date"`
		Counter int    `json:"counter"`
		Mail    int    `json:"mail"`
		Pages   int    `json:"pages"`
	} `json:"intake"`
	PagesDigitised int `json:"pages_digitised"`
	Backlog        *struct {
		Total  int `json:"total"`
		Queues []struct {
			Queue     string `json:"queue"`
			Pending   int    `json:"pending"`
			Active    int    `json:"active"`
			Scheduled int    `json:"scheduled"`
			Retry     int    `json:"retry"`
		} `json:"queues"`
	} `json:"backlog"`
	Decisions          map[string]int `json:"decisions"`
	AcceptedFirstVisit int            `json:"accepted_first_visit"`
	Decided            int            `json:"decided"`
	FirstVisitShare    float64        `json:"first_visit_share"`
	Deferred           struct {
		Due    int `json:"due"`
		OnTime int `json:"on_time"`
		Late   int `json:"late"`
		Owed   int `json:"owed"`
	} `json:"deferred"`
	Departments []struct {
		ID              string  `json:"id"`
		Name            string  `json:"name"`
		Due             int     `json:"due"`
		OnTime          int     `json:"on_time"`
		Late            int     `json:"late"`
		Overdue         int     `json:"overdue"`
		OnTimeRate      float64 `json:"on_time_rate"`
		MeanWorkingDays float64 `json:"mean_working_days"`
	} `json:"departments"`
	Overdue  int          `json:"overdue"`
	DueSoon  int          `json:"due_soon"`
	ByMatter []statsCount `json:"by_matter"`
	ByWindow []statsCount `json:"by_window"`
	ByClerk  []statsCount `json:"by_clerk"`
	Ratings  struct {
		Count         int     `json:"count"`
		Mean          float64 `json:"mean"`
		ByScore       [5]int  `json:"by_score"`
		Low           int     `json:"low"`
		FollowUpsOpen int     `json:"follow_ups_open"`
		FollowUpsLate int     `json:"follow_ups_late"`
	} `json:"ratings"`
}

type statsCount struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// decisionOrder is the order the decisions chart and table show them in.
var decisionOrder = []string{"accept", "accept_with_deficiencies", "correction_required", "reject"}

// followUp is an open follow-up of a low rating (GET /api/v1/ratings?follow_up=open).
type followUp struct {
	CaseNo   string   `json:"case_no"`
	Matter   string   `json:"matter"`
	Score    int      `json:"score"`
	Reasons  []string `json:"reasons"`
	Comment  string   `json:"comment"`
	At       string   `json:"at"`
	FollowUp struct {
		DueDate string `json:"due_date"`
	} `json:"follow_up"`
	Late bool `json:"late"`
}

type managerData struct {
	FollowUps      []followUp
	From, To       string
	Stats          *statsAnswer
	Decisions      []statsCount
	Intake         template.HTML
	Pages          template.HTML
	DecChart       template.HTML
	DeptChart      template.HTML
	RateChart      template.HTML
	CSV, XLSX, PDF string
}

// statsQuery is the range asked for, as the API takes it.
func statsQuery(rq *req) url.Values {
	q := url.Values{}
	for _, k := range []string{"from", "to"} {
		if v := rq.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// manager shows the hall's figures for a range of days as charts with their numbers, and
// links to the same figures as CSV and XLSX.
func (s *site) manager(w http.ResponseWriter, rq *req) {
	q := statsQuery(rq)
	d := managerData{From: q.Get("from"), To: q.Get("to")}
	var st statsAnswer
	if e := s.getJSON(rq, "/api/v1/stats?"+q.Encode(), &st); e != nil {
		v := s.viewFor(rq, "mgr.title", d)
		v.Err = e
		s.renderView(w, rq.Request, e.Status, "manager.html", v)
		return
	}
	d.Stats, d.From, d.To = &st, st.From, st.To
	var fu struct{ Ratings []followUp }
	if e := s.getJSON(rq, "/api/v1/ratings?"+url.Values{"from": {st.From}, "to": {st.To}, "follow_up": {"open"}}.Encode(), &fu); e == nil {
		d.FollowUps = fu.Ratings
	}
	l := rq.l
	days := make([]string, len(st.Intake))
	counter, mail, pages := make([]float64, len(st.Intake)), make([]float64, len(st.Intake)), make([]float64, len(st.Intake))
	for i, in := range st.Intake {
		days[i], counter[i], mail[i], pages[i] = in.Date, float64(in.Counter), float64(in.Mail), float64(in.Pages)
	}
	d.Intake = barChart(l.T("mgr.intake"), days, []series{{l.T("mgr.counter"), counter}, {l.T("mgr.mail"), mail}})
	d.Pages = barChart(l.T("mgr.pages_day"), days, []series{{l.T("mgr.pages"), pages}})
	var names []string
	var vals []float64
	for _, k := range decisionOrder {
		d.Decisions = append(d.Decisions, statsCount{Key: k, Name: l.T("mgr.decision." + k), Count: st.Decisions[k]})
		names, vals = append(names, l.T("mgr.decision."+k)), append(vals, float64(st.Decisions[k]))
	}
	d.DecChart = hbarChart(l.T("mgr.decisions"), names, vals, 0, num)
	names, vals = nil, nil
	for _, dp := range st.Departments {
		names, vals = append(names, dp.Name), append(vals, dp.OnTimeRate*100)
	}
	if len(names) > 0 {
		d.DeptChart = hbarChart(l.T("mgr.departments"), names, vals, 100, func(f float64) string { return num(f) + "%" })
	}
	names, vals = nil, nil
	for i, n := range st.Ratings.ByScore {
		names, vals = append(names, strconv.Itoa(i+1)+" ★"), append(vals, float64(n))
	}
	d.RateChart = hbarChart(l.T("mgr.ratings"), names, vals, 0, num)
	for _, f := range []struct {
		to  *string
		fmt string
	}{{&d.CSV, "csv"}, {&d.XLSX, "xlsx"}, {&d.PDF, "pdf"}} {
		fq := url.Values{"from": {st.From}, "to": {st.To}, "format": {f.fmt}}
		*f.to = "/manager/stats?" + fq.Encode()
	}
	s.render(w, rq, http.StatusOK, "manager.html", "mgr.title", d)
}

// managerDownload passes the figures as CSV, XLSX or the PDF report from the API to the browser.
func (s *site) managerDownload(w http.ResponseWriter, rq *req) {
	q := statsQuery(rq)
	switch f := rq.URL.Query().Get("format"); f {
	case "csv", "xlsx", "pdf":
		q.Set("format", f)
	default:
		s.renderError(w, rq, &apiError{Status: http.StatusBadRequest, Code: "bad_format"})
		return
	}
	s.stream(w, rq, "/api/v1/stats?"+q.Encode(), false)
}

// followUpOutcome records what was done about a low rating, then shows the page again.
func (s *site) followUpOutcome(w http.ResponseWriter, rq *req) {
	no := rq.PathValue("no")
	if e := s.sendJSON(rq, http.MethodPost, "/api/v1/ratings/"+url.PathEscape(no)+"/outcome",
		map[string]string{"outcome": rq.PostFormValue("outcome")}, nil, nil); e != nil {
		s.renderError(w, rq, e)
		return
	}
	back := url.Values{"from": {rq.PostFormValue("from")}, "to": {rq.PostFormValue("to")}, "m": {"outcome_recorded"}}
	http.Redirect(w, rq.Request, "/manager?"+back.Encode(), http.StatusSeeOther)
}
