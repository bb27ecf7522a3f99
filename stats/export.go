package stats

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"time"
)

// Rows are a report's figures as (figure, key, name, value) rows: one table that the CSV and
// the XLSX file both carry, so that the two downloads and the JSON answer say the same.
func (r *Report) Rows() [][]string {
	num := func(n int) string { return strconv.Itoa(n) }
	dec := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	rows := [][]string{
		{"figure", "key", "name", "value"},
		{"from", "", "", r.From},
		{"to", "", "", r.To},
	}
	for _, f := range [][2]string{{"matter", r.Filter.Matter}, {"window", r.Filter.Window}, {"clerk", r.Filter.Clerk}, {"department", r.Filter.Department}} {
		if f[1] != "" {
			rows = append(rows, []string{"filter", f[0], "", f[1]})
		}
	}
	rows = append(rows, []string{"cases_opened", "", "", num(r.CasesOpened)})
	for _, d := range []string{"accept", "accept_with_deficiencies", "correction_required", "reject"} {
		rows = append(rows, []string{"decisions", d, decisionNames[d], num(r.Decisions[d])})
	}
	rows = append(rows,
		[]string{"accepted_first_visit", "", "", num(r.AcceptedFirstVisit)},
		[]string{"decided", "", "", num(r.Decided)},
		[]string{"first_visit_share", "", "", dec(r.FirstVisitShare)},
		[]string{"deferred_due", "", "", num(r.Deferred.Due)},
		[]string{"deferred_on_time", "", "", num(r.Deferred.OnTime)},
		[]string{"deferred_late", "", "", num(r.Deferred.Late)},
		[]string{"deferred_owed", "", "", num(r.Deferred.Owed)},
		[]string{"overdue", "", "", num(r.Overdue)},
		[]string{"due_soon", "", "", num(r.DueSoon)},
		[]string{"ratings_count", "", "", num(r.Ratings.Count)},
		[]string{"ratings_mean", "", "", dec(r.Ratings.Mean)},
		[]string{"ratings_low", "", "", num(r.Ratings.Low)},
		[]string{"follow_ups_open", "", "", num(r.Ratings.FollowUpsOpen)},
		[]string{"follow_ups_late", "", "", num(r.Ratings.FollowUpsLate)},
	)
	for i, n := range r.Ratings.ByScore {
		rows = append(rows, []string{"ratings_by_score", num(i + 1), "", num(n)})
	}
	rows = append(rows, []string{"pages_digitised", "", "", num(r.PagesDigitised)})
	for _, d := range r.Intake {
		rows = append(rows, []string{"intake_counter", d.Date, "", num(d.Counter)}, []string{"intake_mail", d.Date, "", num(d.Mail)},
			[]string{"pages_digitised_day", d.Date, "", num(d.Pages)})
	}
	if b := r.Backlog; b != nil {
		rows = append(rows, []string{"backlog_total", b.At.Format(time.RFC3339), "", num(b.Total)})
		for _, q := range b.Queues {
			rows = append(rows, []string{"backlog", q.Queue, "", num(q.Pending + q.Active + q.Scheduled + q.Retry)})
		}
	}
	for _, d := range r.Departments {
		rows = append(rows,
			[]string{"department_due", d.ID, d.Name, num(d.Due)},
			[]string{"department_on_time", d.ID, d.Name, num(d.OnTime)},
			[]string{"department_late", d.ID, d.Name, num(d.Late)},
			[]string{"department_overdue", d.ID, d.Name, num(d.Overdue)},
			[]string{"department_on_time_rate", d.ID, d.Name, dec(d.OnTimeRate)},
			[]string{"department_mean_working_days", d.ID, d.Name, dec(d.MeanWorkingDays)})
	}
	for _, t := range []struct {
		figure string
		cs     []Count
	}{{"by_matter", r.ByMatter}, {"by_window", r.ByWindow}, {"by_clerk", r.ByClerk}} {
		for _, c := range t.cs {
			rows = append(rows, []string{t.figure, c.Key, c.Name, num(c.Count)})
		}
	}
	return rows
}

// decisionNames are the decisions as the hall says them.
var decisionNames = map[string]string{
	"accept": "受理", "accept_with_deficiencies": "容缺受理", "correction_required": "一次性告知", "reject": "不予受理",
}

// CSV is the report's rows as CSV (RFC 4180, UTF-8).
func (r *Report) CSV() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(r.Rows()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
