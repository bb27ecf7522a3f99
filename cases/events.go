package cases

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"onewindow/internal/errs"
)

// Event types. A case is the fold of its events, in Seq order.
const (
	EvOpened            = "opened"             // OpenedData
	EvBatchDone         = "batch_done"         // BatchDoneData
	EvDecided           = "decided"            // DecidedData
	EvStateChanged      = "state_changed"      // StateChangedData
	EvNoticeFiled       = "notice_filed"       // NoticeRef
	EvMailLinked        = "mail_linked"        // MailLinkedData
	EvApplicantNotified = "applicant_notified" // NotifiedData
	EvHandover          = "handover"           // Handover
	EvHandoverConfirmed = "handover_confirmed" // HandoverConfirmedData
	EvDelivery          = "delivery"           // Delivery
)

// Event is one change of a case: who (By, Role, at Desk) did what (Type, Data), when, and why.
type Event struct {
	Seq    int             `json:"seq"`
	Type   string          `json:"type"`
	At     time.Time       `json:"at"`
	By     string          `json:"by"`
	Role   string          `json:"role,omitempty"`
	Desk   string          `json:"desk,omitempty"`
	Reason string          `json:"reason,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// Actor is who files an event.
type Actor struct {
	Name, Role, Desk string
}

// Opening is what a case is opened with and keeps for its life.
type Opening struct {
	CaseNo     string    `json:"case_no"`
	Matter     string    `json:"matter"`
	MatterName string    `json:"matter_name"`
	Applicant  Applicant `json:"applicant"`
	Submitter  *Party    `json:"submitter,omitempty"`
	// Representative is an organisation's legal representative (法定代表人); optional.
	Representative *Party `json:"representative,omitempty"`
	Window         string `json:"window,omitempty"`
	Channel        string `json:"channel"`
}

// OpenedData opens a case.
type OpenedData struct {
	Opening
	DueDate string `json:"due_date"`
	Check   Check  `json:"check"`
}

// BatchDoneData records a finished batch's documents and the check recomputed with them.
type BatchDoneData struct {
	Batch     string          `json:"batch"`
	Documents []DocumentFacts `json:"documents"`
	Check     Check           `json:"check"`
}

// DecidedData is the window's decision.
type DecidedData struct {
	Decision   string `json:"decision"`
	State      string `json:"state"`
	Proposed   string `json:"proposed"`
	Overridden bool   `json:"overridden,omitempty"`
	DueDate    string `json:"due_date,omitempty"`
	// DepartmentDue: the departments of a joint matter with their own time limit, and the
	// date each is due (those not named are due on DueDate).
	DepartmentDue map[string]string `json:"department_due,omitempty"`
	Deferred      []DeferredItem    `json:"deferred,omitempty"`
	Missing       []CheckItem       `json:"missing,omitempty"` // what a correction notice lists
	Refusals      []Refusal         `json:"refusals,omitempty"`
}

// StateChangedData moves a decided case along (in_review, result_ready, delivered, closed).
type StateChangedData struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// NoticeRef names a notice filed for a case.
type NoticeRef struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
}

// NoticeID names the notice ordered by event seq of a case: a retry of the same event files
// the same notice, and others can tell whether an event's notice is out yet.
func NoticeID(caseNo string, seq int) string { return caseNo + ".n" + strconv.Itoa(seq) }

// HasNotice reports whether the notice ordered by event seq is filed on the case.
func (c *Case) HasNotice(seq int) bool {
	id := NoticeID(c.CaseNo, seq)
	for _, n := range c.Notices {
		if n.ID == id {
			return true
		}
	}
	return false
}

// MailLinkedData ties a mail item to the case.
type MailLinkedData struct {
	MailID string `json:"mail_id"`
}

// NotifiedData records that the applicant was told something, and how.
type NotifiedData struct {
	Channel string `json:"channel"` // e.g. "sms", "webhook"
	What    string `json:"what"`    // e.g. "pre_acceptance", "acceptance"
}

// HandoverConfirmedData confirms a handover's receipt.
type HandoverConfirmedData struct {
	ID         string `json:"id"`
	ReceivedBy string `json:"received_by"`
}

// Delivery is the state of the case's package at one department (filled by the delivery desk).
type Delivery struct {
	Department string `json:"department"`
	State      string `json:"state"`
	Attempts   int    `json:"attempts"`
	DueDate    string `json:"due_date,omitempty"` // when the department's result is due (the case's own)
}

// DeferredItem is a material accepted as owed (容缺) and the date it is due.
type DeferredItem struct {
	Type     string `json:"type"`
	Name     string `json:"name"`
	DueDate  string `json:"due_date"`
	Supplied bool   `json:"supplied"`
}

func illegal(op, format string, args ...any) error {
	return errs.Errorf(op, errs.Conflict, "illegal_transition", format, args...)
}

// Replay folds events into a case. Seqs must run 1, 2, 3... from an opened event.
func Replay(events []Event) (*Case, error) {
	c := &Case{}
	for _, e := range events {
		if err := c.Apply(e); err != nil {
			return nil, err
		}
	}
	if c.Version == 0 {
		return nil, errs.E("cases.Replay", errs.NotFound, "case_not_found", "The case has no events.", nil)
	}
	return c, nil
}

// Apply folds one event into the case. It refuses an event out of sequence (its Seq must be
// Version+1) and one whose data does not decode; it does not judge transitions again, which
// the functions making events did.
func (c *Case) Apply(e Event) error {
	const op = "cases.Apply"
	if e.Seq != c.Version+1 {
		return errs.Errorf(op, errs.Conflict, "version_conflict", "Event %d does not follow version %d.", e.Seq, c.Version)
	}
	if c.Version == 0 && e.Type != EvOpened {
		return errs.Errorf(op, errs.Internal, "bad_event", "A case's first event must be %s, not %s.", EvOpened, e.Type)
	}
	decode := func(v any) error {
		if err := json.Unmarshal(e.Data, v); err != nil {
			return errs.E(op, errs.Internal, "bad_event", fmt.Sprintf("Event %d (%s) does not decode.", e.Seq, e.Type), err)
		}
		return nil
	}
	switch e.Type {
	case EvOpened:
		if c.Version != 0 {
			return errs.Errorf(op, errs.Internal, "bad_event", "Event %d opens a case already open.", e.Seq)
		}
		var d OpenedData
		if err := decode(&d); err != nil {
			return err
		}
		*c = Case{
			Opening: d.Opening, OpenedAt: e.At,
			DueDate: d.DueDate, Check: d.Check, State: StateSubmitted,
			Batches: []string{}, Documents: []string{}, Facts: []DocumentFacts{}, Notices: []NoticeRef{},
			Deferred: []DeferredItem{}, MailIDs: []string{}, Handovers: []Handover{}, Deliveries: []Delivery{},
			Events: []Event{},
		}
		if d.Channel == ChannelMail {
			c.State = StatePreAccepted
		}
	case EvBatchDone:
		var d BatchDoneData
		if err := decode(&d); err != nil {
			return err
		}
		if !slices.Contains(c.Batches, d.Batch) {
			c.Batches = append(c.Batches, d.Batch)
		}
		c.Facts = mergeFacts(c.Facts, d.Documents)
		c.Documents = c.Documents[:0]
		for _, f := range c.Facts {
			if !f.Superseded {
				c.Documents = append(c.Documents, f.ID)
			}
		}
		c.Check = d.Check
		c.markSupplied()
	case EvDecided:
		var d DecidedData
		if err := decode(&d); err != nil {
			return err
		}
		c.State = d.State
		c.Decision = d.Decision
		if d.DueDate != "" {
			c.DueDate = d.DueDate
			c.DepartmentDue = d.DepartmentDue
			for i := range c.Deliveries {
				c.Deliveries[i].DueDate = c.DueFor(c.Deliveries[i].Department)
			}
		}
		c.Deferred = append([]DeferredItem{}, d.Deferred...)
		c.markSupplied()
	case EvStateChanged:
		var d StateChangedData
		if err := decode(&d); err != nil {
			return err
		}
		c.State = d.To
	case EvNoticeFiled:
		var d NoticeRef
		if err := decode(&d); err != nil {
			return err
		}
		c.Notices = append(c.Notices, d)
	case EvMailLinked:
		var d MailLinkedData
		if err := decode(&d); err != nil {
			return err
		}
		if !slices.Contains(c.MailIDs, d.MailID) {
			c.MailIDs = append(c.MailIDs, d.MailID)
		}
	case EvApplicantNotified:
		var d NotifiedData
		if err := decode(&d); err != nil {
			return err
		}
		c.Notified = append(c.Notified, d)
	case EvHandover:
		var d Handover
		if err := decode(&d); err != nil {
			return err
		}
		c.Handovers = append(c.Handovers, d)
	case EvHandoverConfirmed:
		var d HandoverConfirmedData
		if err := decode(&d); err != nil {
			return err
		}
		for i := range c.Handovers {
			if c.Handovers[i].ID == d.ID {
				c.Handovers[i].ReceivedBy = d.ReceivedBy
				c.Handovers[i].ConfirmedAt = e.At
				c.Handovers[i].Confirmed = true
			}
		}
	case EvDelivery:
		var d Delivery
		if err := decode(&d); err != nil {
			return err
		}
		d.DueDate = c.DueFor(d.Department)
		if i := slices.IndexFunc(c.Deliveries, func(x Delivery) bool { return x.Department == d.Department }); i >= 0 {
			c.Deliveries[i] = d
		} else {
			c.Deliveries = append(c.Deliveries, d)
		}
	default:
		return errs.Errorf(op, errs.Internal, "bad_event", "Event %d has an unknown type %q.", e.Seq, e.Type)
	}
	c.Version = e.Seq
	e.Data = nil
	c.Events = append(c.Events, e)
	return nil
}

// markSupplied ticks deferred items whose type the current check finds present.
func (c *Case) markSupplied() {
	for i := range c.Deferred {
		for _, it := range c.Check.Items {
			if it.Type == c.Deferred[i].Type && it.Name == c.Deferred[i].Name && it.Status == StatusPresent {
				c.Deferred[i].Supplied = true
			}
		}
	}
}

// next builds the case's next event.
func (c *Case) next(typ string, by Actor, at time.Time, reason string, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, errs.E("cases.next", errs.Internal, "", "", err)
	}
	return Event{Seq: c.Version + 1, Type: typ, At: at.UTC(), By: by.Name, Role: by.Role, Desk: by.Desk, Reason: reason, Data: raw}, nil
}
