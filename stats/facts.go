package stats

import (
	"encoding/json"
	"slices"
	"time"

	"onewindow/cases"
)

// facts are what the figures need of one case, folded once from its events and kept until
// the case has a new event: a year of a busy hall is then counted from memory.
type facts struct {
	Version int
	Opened  time.Time
	Channel string
	Matter  string
	Window  string // the desk that opened it
	Clerk   string // who opened it
	// Decisions are the window's decisions in order; the first says whether the case was
	// accepted at the first visit.
	Decisions []decision
	Deferred  []deferred
	// Departments: when each department's result is due and when it answered (zero: not yet).
	Departments map[string]*deptFacts
	// ResultReady is when the case's result was ready: a department's result where it did
	// not answer through the API (no departments file, paper).
	ResultReady time.Time
	State       string
	DueDate     string
	Open        bool // its time limit runs
}

type decision struct {
	At       time.Time
	Decision string
}

// deferred is a material accepted as owed (容缺) and when it was supplied (zero: not yet).
type deferred struct {
	Due      string
	Supplied time.Time
}

type deptFacts struct {
	Due      string
	Answered time.Time
}

// answered is when department d's result came: its own answer, else the case's result.
func (f *facts) answered(d *deptFacts) time.Time {
	if !d.Answered.IsZero() {
		return d.Answered
	}
	return f.ResultReady
}

// foldFacts folds a case's events into its facts; matterDepts names the departments of a
// matter in the catalogue.
func foldFacts(evs []cases.Event, matterDepts func(matter string) []string) (*facts, error) {
	c := &cases.Case{}
	f := &facts{Departments: map[string]*deptFacts{}}
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
	return f, nil
}

func (f *facts) dept(id string) *deptFacts {
	d, ok := f.Departments[id]
	if !ok {
		d = &deptFacts{}
		f.Departments[id] = d
	}
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
