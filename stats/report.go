package stats

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"time"

	"onewindow/cases"
	"onewindow/internal/errs"
)

// MaxDays is the longest range a report covers: a year, a leap one too.
const MaxDays = 366

// Report is the hall's figures for the days From to To (inclusive, the hall's dates).
type Report struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Filter Filter `json:"filter"`
	// CasesOpened counts the cases opened on those days; Intake splits them by day and
	// channel (every day of the range, zeros included, for a chart).
	CasesOpened int         `json:"cases_opened"`
	Intake      []DayIntake `json:"intake"`
	// Decisions counts the windows' decisions taken on those days, by decision (every
	// decision present).
	Decisions map[string]int `json:"decisions"`
	// AcceptedFirstVisit counts the cases opened on those days that were accepted (or
	// accepted with deficiencies) at their first decision; FirstVisitShare is its share of
	// those opened then that were decided at all.
	AcceptedFirstVisit int     `json:"accepted_first_visit"`
	Decided            int     `json:"decided"`
	FirstVisitShare    float64 `json:"first_visit_share"`
	// Deferred: the 容缺 materials due on those days, supplied by their date or late or
	// still owed.
	Deferred DeferredStats `json:"deferred"`
	// Departments: each department's results due on those days, on time, late or overdue.
	Departments []DepartmentStats `json:"departments"`
	// Overdue and DueSoon are open cases now: past their time limit, and due within two
	// working days.
	Overdue int `json:"overdue"`
	DueSoon int `json:"due_soon"`
	// Workload: cases opened on those days per matter, window and clerk, most first.
	ByMatter []Count      `json:"by_matter"`
	ByWindow []Count      `json:"by_window"`
	ByClerk  []Count      `json:"by_clerk"`
	Ratings  RatingsStats `json:"ratings"`
	// PagesDigitised are the pages of the batches done on those days (Intake has them per
	// day); Backlog is what the queues hold now. Both are the whole hall's, filter or not.
	PagesDigitised int      `json:"pages_digitised"`
	Backlog        *Backlog `json:"backlog,omitempty"`
}

// DayIntake is one day's new cases by channel.
type DayIntake struct {
	Date    string `json:"date"`
	Counter int    `json:"counter"`
	Mail    int    `json:"mail"`
	Pages   int    `json:"pages"` // pages digitised that day
}

// DeferredStats counts owed (容缺) materials.
type DeferredStats struct {
	Due    int `json:"due"`
	OnTime int `json:"on_time"`
	Late   int `json:"late"`
	Owed   int `json:"owed"`
}

// DepartmentStats is one department's punctuality.
type DepartmentStats struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Due        int     `json:"due"`
	OnTime     int     `json:"on_time"`
	Late       int     `json:"late"`
	Overdue    int     `json:"overdue"` // no result yet, past its date
	OnTimeRate float64 `json:"on_time_rate"`
	// MeanWorkingDays is the mean number of working days from acceptance to the result.
	MeanWorkingDays float64 `json:"mean_working_days"`
}

// Count is a key's number.
type Count struct {
	Key   string `json:"key"`
	Name  string `json:"name,omitempty"`
	Count int    `json:"count"`
}

// RatingsStats are the ratings given on those days.
type RatingsStats struct {
	Count   int     `json:"count"`
	Mean    float64 `json:"mean"`
	ByScore [5]int  `json:"by_score"` // scores 1 to 5
	Low     int     `json:"low"`      // at or below cases.LowScore
	// FollowUpsOpen are low ratings of those days without a recorded outcome, FollowUpsLate
	// those of them past their due date.
	FollowUpsOpen int `json:"follow_ups_open"`
	FollowUpsLate int `json:"follow_ups_late"`
}

// ParseRange reads a range of the hall's days; empty from and to are the last 30 days.
// A malformed date, a range backwards or longer than MaxDays is Invalid.
func (s *Stats) ParseRange(from, to string) (time.Time, time.Time, error) {
	const op = "stats.ParseRange"
	loc := s.o.Clock.Location()
	today := s.o.Clock.Today()
	parse := func(name, v string, def time.Time) (time.Time, error) {
		if v == "" {
			return def, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			return time.Time{}, errs.Errorf(op, errs.Invalid, "bad_date", "%s must be a date YYYY-MM-DD, not %q.", name, v)
		}
		return t, nil
	}
	t0, err := parse("from", from, today.AddDate(0, 0, -29))
	if err != nil {
		return t0, t0, err
	}
	t1, err := parse("to", to, today)
	if err != nil {
		return t0, t1, err
	}
	switch days := dayNumber(t1) - dayNumber(t0) + 1; {
	case days < 1:
		return t0, t1, errs.Errorf(op, errs.Invalid, "bad_range", "from (%s) is after to (%s).", t0.Format(time.DateOnly), t1.Format(time.DateOnly))
	case days > MaxDays:
		return t0, t1, errs.Errorf(op, errs.Invalid, "range_too_long", "A report covers at most %d days; this range has %d.", MaxDays, days)
	}
	return t0, t1, nil
}

// dayNumber counts civil days, so that a range across a zone's clock change counts right.
func dayNumber(t time.Time) int {
	return int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Filter narrows a report to the cases of one matter, window, clerk or department (empty:
// any); several narrow together.
type Filter struct {
	Matter     string `json:"matter,omitempty"`
	Window     string `json:"window,omitempty"`
	Clerk      string `json:"clerk,omitempty"`
	Department string `json:"department,omitempty"`
}

func (fl Filter) keeps(f *facts) bool {
	switch {
	case fl.Matter != "" && f.Matter != fl.Matter,
		fl.Window != "" && f.Window != fl.Window,
		fl.Clerk != "" && f.Clerk != fl.Clerk:
		return false
	case fl.Department != "":
		return slices.ContainsFunc(f.Departments, func(d *deptFacts) bool { return d.ID == fl.Department })
	}
	return true
}

// Report counts the figures for the hall's days from to to (inclusive) of the cases fl keeps.
func (s *Stats) Report(ctx context.Context, from, to time.Time, fl Filter) (*Report, error) {
	all, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := from.Format(time.DateOnly), to.Format(time.DateOnly)
	in := func(d string) bool { return d >= lo && d <= hi }
	today := s.o.Clock.Today()
	todayStr := today.Format(time.DateOnly)
	soon := s.o.Calendar.AddWorkingDays(today, 2).Format(time.DateOnly)

	r := &Report{From: lo, To: hi, Filter: fl, Decisions: map[string]int{}, Departments: []DepartmentStats{}}
	for _, d := range []string{cases.DecisionAccept, cases.DecisionAcceptDeferred, cases.DecisionCorrection, cases.DecisionReject} {
		r.Decisions[d] = 0
	}
	intake := map[string]*DayIntake{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		r.Intake = append(r.Intake, DayIntake{Date: d.Format(time.DateOnly)})
	}
	for i := range r.Intake {
		intake[r.Intake[i].Date] = &r.Intake[i]
	}
	byMatter, byWindow, byClerk := map[string]int{}, map[string]int{}, map[string]int{}
	depts := map[string]*DepartmentStats{}
	type sum struct{ days, n int }
	deptDays := map[string]*sum{}
	for _, f := range all {
		if !fl.keeps(f) {
			continue
		}
		if opened := f.OpenedDay; in(opened) {
			r.CasesOpened++
			if f.Channel == cases.ChannelMail {
				intake[opened].Mail++
			} else {
				intake[opened].Counter++
			}
			byMatter[f.Matter]++
			byWindow[cmp.Or(f.Window, "—")]++
			byClerk[cmp.Or(f.Clerk, "—")]++
			if len(f.Decisions) > 0 {
				r.Decided++
				if f.firstVisit() {
					r.AcceptedFirstVisit++
				}
			}
		}
		for _, d := range f.Decisions {
			if in(d.Day) {
				r.Decisions[d.Decision]++
			}
		}
		for _, d := range f.Deferred {
			if !in(d.Due) {
				continue
			}
			r.Deferred.Due++
			switch {
			case d.SuppliedDay != "" && d.SuppliedDay <= d.Due:
				r.Deferred.OnTime++
			case d.SuppliedDay != "" || d.Due < todayStr:
				r.Deferred.Late++
			default:
				r.Deferred.Owed++
			}
		}
		for _, df := range f.Departments {
			id := df.ID
			if fl.Department != "" && id != fl.Department {
				continue
			}
			if df.Due == "" || !in(df.Due) {
				continue
			}
			ds, ok := depts[id]
			if !ok {
				ds = &DepartmentStats{ID: id, Name: s.departmentName(id)}
				depts[id] = ds
			}
			ds.Due++
			switch {
			case df.DoneDay != "" && df.DoneDay <= df.Due:
				ds.OnTime++
			case df.DoneDay != "":
				ds.Late++
			case df.Due < todayStr:
				ds.Overdue++
			}
			if df.WorkDays >= 0 {
				if deptDays[id] == nil {
					deptDays[id] = &sum{}
				}
				deptDays[id].days += df.WorkDays
				deptDays[id].n++
			}
		}
		if f.Open && f.DueDate != "" {
			switch {
			case f.DueDate < todayStr:
				r.Overdue++
			case f.DueDate <= soon:
				r.DueSoon++
			}
		}
	}
	if r.Decided > 0 {
		r.FirstVisitShare = round(float64(r.AcceptedFirstVisit) / float64(r.Decided))
	}
	for _, id := range slices.Sorted(maps.Keys(depts)) {
		ds := depts[id]
		if ds.Due > 0 {
			ds.OnTimeRate = round(float64(ds.OnTime) / float64(ds.Due))
		}
		if d := deptDays[id]; d != nil && d.n > 0 {
			ds.MeanWorkingDays = round(float64(d.days) / float64(d.n))
		}
		r.Departments = append(r.Departments, *ds)
	}
	cat := s.o.Catalogue()
	r.ByMatter = counts(byMatter, func(k string) string {
		m, _ := cat.Matter(k)
		return m.Name
	})
	r.ByWindow = counts(byWindow, nil)
	r.ByClerk = counts(byClerk, nil)
	kept := func(caseNo string) bool {
		f, ok := all[caseNo]
		return fl == (Filter{}) || ok && fl.keeps(f)
	}
	if r.Ratings, err = s.ratings(ctx, in, kept, todayStr); err != nil {
		return nil, err
	}
	if err := s.pages(ctx, r, from, to); err != nil {
		return nil, err
	}
	r.Backlog = s.backlog(ctx)
	return r, nil
}

// ratings counts the ratings given on the days in admits.
func (s *Stats) ratings(ctx context.Context, in, kept func(string) bool, today string) (RatingsStats, error) {
	var out RatingsStats
	if s.o.Ratings == nil {
		return out, nil
	}
	raws, outcomes, err := s.o.Ratings.Ratings(ctx)
	if err != nil {
		return out, err
	}
	sum := 0
	for _, raw := range raws {
		var rt cases.Rating
		if err := json.Unmarshal(raw, &rt); err != nil || rt.Score < 1 || rt.Score > 5 {
			s.o.Log.WarnContext(ctx, "a filed rating does not decode; not counted", "err", err)
			continue
		}
		if !in(s.o.Clock.In(rt.At).Format(time.DateOnly)) || !kept(rt.CaseNo) {
			continue
		}
		out.Count++
		sum += rt.Score
		out.ByScore[rt.Score-1]++
		if rt.FollowUp != nil {
			out.Low++
			if _, done := outcomes[rt.CaseNo]; !done {
				out.FollowUpsOpen++
				if rt.FollowUp.DueDate < today {
					out.FollowUpsLate++
				}
			}
		}
	}
	if out.Count > 0 {
		out.Mean = round(float64(sum) / float64(out.Count))
	}
	return out, nil
}

func (s *Stats) departmentName(id string) string {
	if s.o.DepartmentName != nil {
		if n := s.o.DepartmentName(id); n != "" {
			return n
		}
	}
	return cmp.Or(s.o.Catalogue().DepartmentName(id), id)
}

// counts lists a tally most first, then by key; name, if set, names a key.
func counts(m map[string]int, name func(string) string) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		c := Count{Key: k, Count: n}
		if name != nil {
			c.Name = name(k)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Key, b.Key)) })
	return out
}

// round keeps two decimals, as the figures are read and compared.
func round(f float64) float64 { return math.Round(f*100) / 100 }
