package stats

import (
	"encoding/json"
	"slices"
	"time"

	"onewindow/cases"
	"onewindow/internal/clock"
)

// facts are what the figures need of one case, folded once from its events and kept until
// the case has a new event: a year of a busy hall is then counted from memory.
type facts struct {
	Version int
	Opened  time.Time
	// The hall's dates of the times here, worked out once when folded (settle): a report
	// then compares strings only.
	OpenedDay string
	Channel   string
	Matter    string
	Window    string // the desk that opened it
	Clerk     string // who opened it
	// Decisions are the window's decisions in order; the first says whether the case was
	// accepted at the first visit.
	Decisions []decision
	Deferred  []deferred
	// Departments: when each department's result is due and when it answered (zero: not yet).
	Departments []*deptFacts
	// ResultReady is when the case's result was ready: a department's result where it did
	// not answer through the API (no departments file, paper).
	ResultReady time.Time
	State       string
	DueDate     string
	Open        bool // its time limit runs
}

type decision struct {
	At       time.Time
	Day      string
	Decision string
}

// deferred is a material accepted as owed (容缺) and when it was supplied (zero: not yet).
type deferred struct {
	Due         string
	Supplied    time.Time
	SuppliedDay string
}

type deptFacts struct {
	ID       string
	Due      string
	Answered time.Time
	DoneDay  string // the hall's date of its result, "" while none
	WorkDays int    // working days from acceptance to the result; -1 while none
}

// answered is when department d's result came: its own answer, else the case's result.
func (f *facts) answered(d *deptFacts) time.Time {
	if !d.Answered.IsZero() {
		return d.Answered
	}
	return f.ResultReady
}

// foldFacts folds a case's events into its facts, dated by the hall's clock and calendar;
// matterDepts names the departments of a matter in the catalogue.
func foldFacts(evs []cases.Event, matterDepts func(matter string) []string, hall clock.Clock, cal *cases.Calendar) (*facts, error) {
	c := &cases.Case{}
	f := &facts{}
	for _, e := range evs {
		before := supplied(c)
		if err := c.Apply(e); err != nil {
			return nil, err
		}
		switch e.Type {
		case cases.EvOpened:
			f.Opened, f.Channel, f.Matter, f.Window, f.Clerk = e.At, c.Channel, c.Matter, c.Window, e.By
			if f.Window == "" {
				f.Window = e.Desk
			}
		case cases.EvDecided:
			var d cases.DecidedData
			_ = json.Unmarshal(e.Data, &d) // Apply decoded it already
			f.Decisions = append(f.Decisions, decision{At: e.At, Decision: d.Decision})
			f.Deferred = f.Deferred[:0]
			for _, it := range c.Deferred {
				f.Deferred = append(f.Deferred, deferred{Due: it.DueDate})
			}
		case cases.EvStateChanged:
			if c.State == cases.StateResultReady && f.ResultReady.IsZero() {
				f.ResultReady = e.At
			}
		case cases.EvDelivery:
			var d cases.Delivery
			_ = json.Unmarshal(e.Data, &d)
			if d.State == "answered" && d.Department != "" {
				df := f.dept(d.Department)
				if df.Answered.IsZero() {
					df.Answered = e.At
				}
			}
		}
		// A deferred material counts as supplied at the event that ticked it.
		for i, now := range supplied(c) {
			if now && i < len(before) && !before[i] && i < len(f.Deferred) && f.Deferred[i].Supplied.IsZero() {
				f.Deferred[i].Supplied = e.At
			}
		}
	}
	if c.DueDate != "" && !accepted(f).IsZero() {
		for _, d := range departmentsOf(c, matterDepts(c.Matter)) {
			f.dept(d).Due = c.DueFor(d)
		}
	}
	f.Version, f.State, f.DueDate = c.Version, c.State, c.DueDate
	switch c.State {
	case cases.StateAccepted, cases.StateAcceptedWithDeficiencies, cases.StateInReview:
		f.Open = true
	}
	f.settle(hall, cal)
	return f, nil
}

// settle works out the hall's dates of the facts' times.
func (f *facts) settle(hall clock.Clock, cal *cases.Calendar) {
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return hall.In(t).Format(time.DateOnly)
	}
	f.OpenedDay = day(f.Opened)
	for i := range f.Decisions {
		f.Decisions[i].Day = day(f.Decisions[i].At)
	}
	for i := range f.Deferred {
		f.Deferred[i].SuppliedDay = day(f.Deferred[i].Supplied)
	}
	acc := accepted(f)
	for _, d := range f.Departments {
		done := f.answered(d)
		d.DoneDay, d.WorkDays = day(done), -1
		if !done.IsZero() && !acc.IsZero() {
			d.WorkDays = cal.WorkingDaysBetween(hall.In(acc), hall.In(done))
		}
	}
}

func (f *facts) dept(id string) *deptFacts {
	for _, d := range f.Departments {
		if d.ID == id {
			return d
		}
	}
	d := &deptFacts{ID: id}
	f.Departments = append(f.Departments, d)
	return d
}

// departmentsOf are the departments an accepted case went to: its matter's, and any it was
// delivered to besides (a matter changed since).
func departmentsOf(c *cases.Case, matter []string) []string {
	out := slices.Clone(matter)
	for _, d := range c.Deliveries {
		if !slices.Contains(out, d.Department) {
			out = append(out, d.Department)
		}
	}
	return out
}

func supplied(c *cases.Case) []bool {
	out := make([]bool, len(c.Deferred))
	for i, d := range c.Deferred {
		out[i] = d.Supplied
	}
	return out
}

// accepted is when the case was accepted (with or without deficiencies), zero if never.
func accepted(f *facts) time.Time {
	for _, d := range f.Decisions {
		if d.Decision == cases.DecisionAccept || d.Decision == cases.DecisionAcceptDeferred {
			return d.At
		}
	}
	return time.Time{}
}

// firstVisit reports whether the case was accepted at its first decision: nothing had to be
// brought again.
func (f *facts) firstVisit() bool {
	return len(f.Decisions) > 0 && (f.Decisions[0].Decision == cases.DecisionAccept || f.Decisions[0].Decision == cases.DecisionAcceptDeferred)
}
