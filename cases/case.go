package cases

import (
	"slices"
	"strings"
	"time"

	"onewindow/internal/errs"
)

// States of a case (issue 8). A counter case starts submitted, a mailed one pre_accepted.
const (
	StateSubmitted                = "submitted"
	StatePreAccepted              = "pre_accepted"
	StateAccepted                 = "accepted"
	StateAcceptedWithDeficiencies = "accepted_with_deficiencies"
	StateCorrectionRequired       = "correction_required"
	StateRejected                 = "rejected"
	StateInReview                 = "in_review"
	StateResultReady              = "result_ready"
	StateDelivered                = "delivered"
	StateClosed                   = "closed"
)

// States lists every state, in the order of a case's life.
var States = []string{StateSubmitted, StatePreAccepted, StateAccepted, StateAcceptedWithDeficiencies,
	StateCorrectionRequired, StateRejected, StateInReview, StateResultReady, StateDelivered, StateClosed}

// Decisions a window takes; each files the notice kind NoticeKinds names for it.
const (
	DecisionAccept         = "accept"
	DecisionAcceptDeferred = "accept_with_deficiencies"
	DecisionCorrection     = "correction_required"
	DecisionReject         = "reject"
)

// Channels a case comes through.
const (
	ChannelCounter = "counter"
	ChannelMail    = "mail"
)

var decisionState = map[string]string{
	DecisionAccept:         StateAccepted,
	DecisionAcceptDeferred: StateAcceptedWithDeficiencies,
	DecisionCorrection:     StateCorrectionRequired,
	DecisionReject:         StateRejected,
}

// decidable are the states a window may decide from (again, for the last two, once
// supplements arrive). An accepted or rejected case is decided for good.
var decidable = map[string]bool{
	StateSubmitted: true, StatePreAccepted: true, StateCorrectionRequired: true, StateAcceptedWithDeficiencies: true,
}

// Decidable says whether a window may decide a case in state: the rule Decide keeps.
func Decidable(state string) bool { return decidable[state] }

// advances are the moves after a decision, by target state.
var advances = map[string][]string{
	StateInReview:    {StateAccepted},
	StateResultReady: {StateInReview},
	StateDelivered:   {StateResultReady},
	StateClosed:      {StateDelivered, StateRejected, StateCorrectionRequired},
}

// Case is the current view of a case: the fold of its events.
type Case struct {
	Opening
	State    string    `json:"state"`
	Decision string    `json:"decision,omitempty"`
	Version  int       `json:"version"`
	OpenedAt time.Time `json:"opened_at"`
	DueDate  string    `json:"due_date"` // YYYY-MM-DD, working days from acceptance
	// DepartmentDue is when departments of a joint matter with their own time limit owe their
	// result (the others owe it on DueDate).
	DepartmentDue map[string]string `json:"department_due,omitempty"`
	Batches       []string          `json:"batches"`
	Documents     []string          `json:"documents"` // ids of the documents that count (not superseded)
	Facts         []DocumentFacts   `json:"document_facts"`
	Check         Check             `json:"check"`
	Notices       []NoticeRef       `json:"notices"`
	Deferred      []DeferredItem    `json:"deferred"`
	MailIDs       []string          `json:"mail"`
	Notified      []NotifiedData    `json:"notified,omitempty"`
	Handovers     []Handover        `json:"handovers"`
	Deliveries    []Delivery        `json:"deliveries"`
	Events        []Event           `json:"events"` // the timeline: events without their data
	// Decidable says the window may decide the case in its state (Decidable); the API's
	// answer sets it, so a desk offers a decision only where one can be made.
	Decidable bool `json:"decidable,omitempty"`
}

// OpenInput is what a desk types to open a case.
type OpenInput struct {
	CaseNo    string
	Applicant Applicant
	Submitter *Party // nil when the applicant comes in person (经办人 otherwise)
	// Representative is an organisation applicant's legal representative (法定代表人); nil
	// when not given.
	Representative *Party
	Window         string
	Channel        string // counter (default) or mail
	By             Actor
	At             time.Time
}

// Open validates a new case and returns its first event. The due date is provisional (as if
// accepted today) until the decision fixes it.
func Open(m Matter, cal *Calendar, in OpenInput) (Event, error) {
	const op = "cases.Open"
	if !ValidCaseNo(in.CaseNo) {
		return Event{}, errs.Errorf(op, errs.Invalid, "bad_case_no", "The case number must be letters, digits, '-' and '_'.")
	}
	if in.Channel == "" {
		in.Channel = ChannelCounter
	}
	if in.Channel != ChannelCounter && in.Channel != ChannelMail {
		return Event{}, errs.Errorf(op, errs.Invalid, "bad_channel", "channel must be counter or mail.")
	}
	a := in.Applicant.Normalize()
	if err := a.Validate(op, "applicant"); err != nil {
		return Event{}, err
	}
	if m.Applicant != "" && a.Kind != m.Applicant {
		return Event{}, errs.Errorf(op, errs.Invalid, "wrong_applicant_kind", "Matter %s is for an applicant of kind %s.", m.Code, m.Applicant)
	}
	var sub *Party
	if in.Submitter != nil && strings.TrimSpace(in.Submitter.Name) != "" {
		s := in.Submitter.Normalize()
		s.Kind = KindPerson
		if err := s.Validate(op, "submitter"); err != nil {
			return Event{}, err
		}
		sub = &s
	}
	rep, err := representative(op, a, in.Representative)
	if err != nil {
		return Event{}, err
	}
	data := OpenedData{
		Opening: Opening{CaseNo: in.CaseNo, Matter: m.Code, MatterName: m.Name, Applicant: a, Submitter: sub,
			Representative: rep, Window: strings.TrimSpace(in.Window), Channel: in.Channel},
		DueDate: cal.AddWorkingDays(in.At, m.TimeLimitDays).Format(time.DateOnly),
		Check:   Evaluate(m, nil, a, sub, in.At, cal),
	}
	return (&Case{}).next(EvOpened, in.By, in.At, "", data)
}

// BatchDone records a finished batch's documents and recomputes the check. ok is false when
// the batch was already recorded with the same documents: calling twice changes nothing.
func BatchDone(c *Case, m Matter, cal *Calendar, batch string, docs []DocumentFacts, by Actor, now time.Time) (e Event, ok bool, err error) {
	if slices.Contains(c.Batches, batch) && allKnown(c.Facts, docs) {
		return Event{}, false, nil
	}
	merged := mergeFacts(slices.Clone(c.Facts), docs)
	data := BatchDoneData{Batch: batch, Documents: docs, Check: Evaluate(m, merged, c.Applicant, c.Submitter, now, cal)}
	e, err = c.next(EvBatchDone, by, now, "", data)
	return e, err == nil, err
}

// mergeFacts adds docs to have, a document already there (re-filed, superseded) replaced.
func mergeFacts(have, docs []DocumentFacts) []DocumentFacts {
	for _, f := range docs {
		if i := slices.IndexFunc(have, func(g DocumentFacts) bool { return g.ID == f.ID }); i >= 0 {
			have[i] = f
		} else {
			have = append(have, f)
		}
	}
	return have
}

func allKnown(have, docs []DocumentFacts) bool {
	for _, d := range docs {
		i := slices.IndexFunc(have, func(h DocumentFacts) bool { return h.ID == d.ID })
		if i < 0 || !slices.Equal(have[i].IDNumbers, d.IDNumbers) || !slices.Equal(have[i].USCC, d.USCC) ||
			have[i].Type != d.Type || have[i].Superseded != d.Superseded {
			return false
		}
	}
	return true
}

// DecisionInput is the window's decision on a case.
type DecisionInput struct {
	Decision string
	Reason   string   // why; required when overriding the check's proposal
	Refusals []string // refusal codes of the matter, for a reject
	By       Actor
	At       time.Time
}

// Decide returns the event of a window's decision, or an error with code illegal_transition
// (the case is not in a decidable state) or an Invalid one (an unknown decision, a missing
// reason). A decision other than the check's proposal is an override and needs a reason.
func Decide(c *Case, m Matter, cal *Calendar, in DecisionInput) (Event, error) {
	const op = "cases.Decide"
	state, ok := decisionState[in.Decision]
	if !ok {
		return Event{}, errs.Errorf(op, errs.Invalid, "bad_decision", "decision must be accept, accept_with_deficiencies, correction_required or reject.")
	}
	if !decidable[c.State] {
		return Event{}, illegal(op, "A case in state %s cannot be decided (%s).", c.State, in.Decision)
	}
	in.Reason = strings.TrimSpace(in.Reason)
	d := DecidedData{Decision: in.Decision, State: state, Proposed: c.Check.Proposed}
	d.Overridden = in.Decision != c.Check.Proposed
	if d.Overridden && in.Reason == "" && !(in.Decision == DecisionReject && len(in.Refusals) > 0) {
		return Event{}, errs.Errorf(op, errs.Invalid, "reason_required", "The check proposes %s; deciding %s needs a reason.", c.Check.Proposed, in.Decision)
	}
	switch in.Decision {
	case DecisionAccept:
		d.DueDate, d.DepartmentDue = dueDates(m, cal, in.At)
	case DecisionAcceptDeferred:
		for _, it := range c.Check.Items {
			switch it.Status {
			case StatusMissing:
				return Event{}, errs.Errorf(op, errs.Conflict, "not_deferrable", "%s is missing and may not be supplied later.", it.Name)
			case StatusDeferrableMissing:
				days := 0
				for _, mt := range m.Materials {
					if mt.Type == it.Type && mt.Name == it.Name {
						days = mt.DeferDays
					}
				}
				d.Deferred = append(d.Deferred, DeferredItem{Type: it.Type, Name: it.Name, DueDate: cal.AddWorkingDays(in.At, days).Format(time.DateOnly)})
			}
		}
		if len(d.Deferred) == 0 {
			return Event{}, errs.Errorf(op, errs.Conflict, "nothing_deferred", "No deferrable item is missing; accept the case instead.")
		}
		d.DueDate, d.DepartmentDue = dueDates(m, cal, in.At)
	case DecisionCorrection:
		if c.State == StateAccepted {
			return Event{}, illegal(op, "An accepted case cannot go back to correction_required.")
		}
		for _, it := range c.Check.Items {
			if it.Status != StatusPresent {
				d.Missing = append(d.Missing, it)
			}
		}
		if len(d.Missing) == 0 && len(c.Check.Inconsistencies) == 0 && in.Reason == "" {
			return Event{}, errs.Errorf(op, errs.Invalid, "reason_required", "Nothing is missing; a correction needs a reason saying what to correct.")
		}
	case DecisionReject:
		// A refusal notice must state its reasons and their legal basis (行政许可法 §32), so
		// the desks refuse only with the catalogue's reasons; the free text adds to them. A
		// client of the original contract sends no refusals at all (nil, not empty): its
		// reason then stands as the stated reason, so the contract's decision still works.
		for _, code := range in.Refusals {
			r, ok := m.Refusal(strings.TrimSpace(code))
			if !ok {
				return Event{}, errs.Errorf(op, errs.Invalid, "unknown_refusal", "Matter %s has no refusal reason %q.", m.Code, code)
			}
			if !slices.Contains(d.Refusals, r) {
				d.Refusals = append(d.Refusals, r)
			}
		}
		statedOnly := in.Refusals == nil && strings.TrimSpace(in.Reason) != ""
		switch {
		case len(d.Refusals) > 0 || statedOnly:
		case len(m.Refusals) == 0:
			return Event{}, errs.Errorf(op, errs.Unprocessable, "no_refusal_reasons",
				"Matter %s lists no refusal reasons in the catalogue; add them (code, reason, legal_basis) to the matters file, or state the reason, before refusing.", m.Code)
		default:
			return Event{}, errs.Errorf(op, errs.Unprocessable, "refusal_reason_required",
				"A refusal must name at least one of the refusal reasons the catalogue gives matter %s (refusals); choose one and send it again.", m.Code)
		}
	}
	return c.next(EvDecided, in.By, in.At, in.Reason, d)
}

// dueDates are the matter's time limit from an acceptance at, as a date, and the dates of the
// departments that have their own.
func dueDates(m Matter, cal *Calendar, at time.Time) (string, map[string]string) {
	var depts map[string]string
	for id, days := range m.DepartmentDays {
		if depts == nil {
			depts = map[string]string{}
		}
		depts[id] = cal.AddWorkingDays(at, days).Format(time.DateOnly)
	}
	return cal.AddWorkingDays(at, m.TimeLimitDays).Format(time.DateOnly), depts
}

// DueFor is when department dept owes its result: its own date in a joint matter that gives
// it one, else the case's.
func (c *Case) DueFor(dept string) string {
	if d, ok := c.DepartmentDue[dept]; ok {
		return d
	}
	return c.DueDate
}

// Advance moves a decided case along: in_review, result_ready, delivered, closed.
func Advance(c *Case, to, reason string, by Actor, at time.Time) (Event, error) {
	const op = "cases.Advance"
	from, ok := advances[to]
	if !ok {
		return Event{}, errs.Errorf(op, errs.Invalid, "bad_state", "A case cannot be moved to %q; decide it instead.", to)
	}
	if !slices.Contains(from, c.State) {
		return Event{}, illegal(op, "A case in state %s cannot move to %s.", c.State, to)
	}
	return c.next(EvStateChanged, by, at, reason, StateChangedData{From: c.State, To: to})
}

// AddNotice records a notice filed for the case.
func AddNotice(c *Case, id, kind string, by Actor, at time.Time) (Event, error) {
	return c.next(EvNoticeFiled, by, at, "", NoticeRef{ID: id, Kind: kind})
}

// LinkMail ties a mail item to the case.
func LinkMail(c *Case, mailID string, by Actor, at time.Time) (Event, error) {
	return c.next(EvMailLinked, by, at, "", MailLinkedData{MailID: mailID})
}

// Notified records that the applicant was told.
func Notified(c *Case, channel, what string, by Actor, at time.Time) (Event, error) {
	return c.next(EvApplicantNotified, by, at, "", NotifiedData{Channel: channel, What: what})
}

// RecordDelivery records the state of the case's package at a department.
func RecordDelivery(c *Case, d Delivery, by Actor, at time.Time) (Event, error) {
	return c.next(EvDelivery, by, at, "", d)
}

// OverdueSupplements lists the deferred items not supplied whose due date is before now's date.
func (c *Case) OverdueSupplements(now time.Time) []DeferredItem {
	if c.State != StateAcceptedWithDeficiencies {
		return nil
	}
	today := now.Format(time.DateOnly)
	var out []DeferredItem
	for _, d := range c.Deferred {
		if !d.Supplied && d.DueDate < today {
			out = append(out, d)
		}
	}
	return out
}

// Overdue reports whether the case's time limit has passed without a result.
func (c *Case) Overdue(now time.Time) bool {
	switch c.State {
	case StateAccepted, StateAcceptedWithDeficiencies, StateInReview:
		return c.DueDate != "" && c.DueDate < now.Format(time.DateOnly)
	}
	return false
}
