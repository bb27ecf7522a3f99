package public

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"onewindow/cases"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/storage"
)

// Progress is what the lookup tells an applicant: the case's state, timeline and due date,
// what is still missing, and whether the result is ready and how it reaches them. It carries
// nothing the applicant did not give: no name, ID or phone number, no clerk, no reason typed
// at a desk (which may name people).
type Progress struct {
	CaseNo      string          `json:"case_no"`
	Matter      string          `json:"matter"`
	MatterName  string          `json:"matter_name"`
	State       string          `json:"state"`
	StateText   string          `json:"state_text"`
	DueDate     string          `json:"due_date"` // YYYY-MM-DD; "" while no time limit runs
	Events      []ProgressEvent `json:"events"`
	Missing     []MissingItem   `json:"missing"`
	ResultReady bool            `json:"result_ready"`
	// Handout is how the result reached the applicant (pickup, mail) once handed out.
	Handout     string `json:"handout,omitempty"`
	HandoutText string `json:"handout_text"`
	Rated       bool   `json:"rated"`
	CanRate     bool   `json:"can_rate"` // handed out and not rated yet
}

// ProgressEvent is one step of the timeline in plain words, at the hall's time.
type ProgressEvent struct {
	At   string `json:"at"` // RFC 3339 in the hall's zone
	Type string `json:"type"`
	Text string `json:"text"`
}

// MissingItem is a material the applicant still owes: listed by the one-time notice, or
// accepted as owed (容缺) with the date it is due.
type MissingItem struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	DueDate string `json:"due_date,omitempty"`
}

const lookupOp = "public.lookup"

// errNoMatch is the one answer to an unknown case and a wrong check, so that neither tells
// whether a case number exists.
var errNoMatch = errs.E(lookupOp, errs.NotFound, "not_found",
	"No case matches this case number and check; check both (the check is the last four characters of the phone or ID number given when applying).", nil)

// found is a case the applicant proved to know, with its events.
type found struct {
	c      *cases.Case
	events []cases.Event
}

// lookup finds caseNo for whoever gives its check. Malformed input is Invalid; an address
// with too many wrong tries is RateLimited before anything is read; an unknown case and a
// wrong check are errNoMatch, counted against the address and audited.
func (s *Service) lookup(ctx context.Context, r *http.Request, caseNo, check string) (*found, error) {
	if !cases.ValidCaseNo(caseNo) || len(caseNo) > 64 {
		return nil, errs.E(lookupOp, errs.Invalid, "bad_case_no", "The case number must be letters, digits, '-' and '_', as printed on the notice.", nil)
	}
	if !cases.ValidCheck(check) {
		return nil, errs.E(lookupOp, errs.Invalid, "bad_check", "check must be the last four characters (digits, or X) of the phone or ID number given when applying.", nil)
	}
	key := httpx.ClientKey(r)
	if wait, ok := s.o.WrongTries.Peek(key); !ok {
		return nil, rateLimited(wait)
	}
	f, err := s.load(ctx, caseNo)
	if err != nil && errs.KindOf(err) != errs.NotFound {
		return nil, err
	}
	if err != nil || !cases.CheckMatches(f.c, check) {
		s.o.WrongTries.Allow(key)
		// Neither the check nor who the case belongs to goes into the log or the audit.
		s.o.Log.InfoContext(ctx, "public lookup refused", "case_no", caseNo, "client", key)
		if s.o.Audit != nil {
			if aerr := s.o.Audit(ctx, "public_lookup_refused", caseNo, key); aerr != nil {
				s.o.Log.ErrorContext(ctx, "wrong lookup not audited", "case_no", caseNo, "err", aerr)
			}
		}
		return nil, errNoMatch
	}
	return f, nil
}

// retryAfter carries the wait of a rate-limited answer to the handler that sets the header.
type retryAfter struct{ wait time.Duration }

func (e retryAfter) Error() string { return "wait " + e.wait.String() }

func rateLimited(wait time.Duration) error {
	return errs.E(lookupOp, errs.RateLimited, "rate_limited", "Too many wrong tries from this address; wait and try again.", retryAfter{wait})
}

// load replays a case from its filed events.
func (s *Service) load(ctx context.Context, caseNo string) (*found, error) {
	raws, err := s.o.Events.Events(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	evs := make([]cases.Event, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &evs[i]); err != nil {
			return nil, errs.E(lookupOp, errs.Internal, "bad_event", "A case event does not decode.", err)
		}
	}
	c, err := cases.Replay(evs)
	if err != nil {
		return nil, err
	}
	return &found{c: c, events: evs}, nil
}

// handout is how the case's result was handed out, "" before.
func (s *Service) handout(ctx context.Context, caseNo string) (string, error) {
	raw, err := s.o.Handouts.Get(ctx, storage.HandoutKey(caseNo))
	if errs.KindOf(err) == errs.NotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var h struct {
		Method string `json:"method"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", errs.E(lookupOp, errs.Internal, "bad_handout", "The handout record does not decode.", err)
	}
	return h.Method, nil
}

// rated reports whether the case has a rating.
func (s *Service) rated(ctx context.Context, caseNo string) (bool, error) {
	_, err := s.o.Ratings.Rating(ctx, caseNo)
	if errs.KindOf(err) == errs.NotFound {
		return false, nil
	}
	return err == nil, err
}

// progress is what the applicant of f may know.
func (s *Service) progress(ctx context.Context, f *found) (*Progress, error) {
	c := f.c
	cat := s.o.Catalogue()
	p := &Progress{CaseNo: c.CaseNo, Matter: c.Matter, MatterName: c.MatterName, State: c.State, StateText: stateWords[c.State],
		Events: []ProgressEvent{}, Missing: []MissingItem{}}
	switch c.State {
	case cases.StateAccepted, cases.StateAcceptedWithDeficiencies, cases.StateInReview, cases.StateSubmitted, cases.StatePreAccepted:
		p.DueDate = c.DueDate
	}
	for _, e := range f.events {
		text := s.eventWords(cat, e)
		if text == "" || len(p.Events) > 0 && p.Events[len(p.Events)-1].Text == text {
			continue
		}
		p.Events = append(p.Events, ProgressEvent{At: s.o.Clock.In(e.At).Format(time.RFC3339), Type: e.Type, Text: text})
	}
	switch c.State {
	case cases.StateCorrectionRequired:
		for _, it := range c.Check.Items {
			if it.Status != cases.StatusPresent && it.Required {
				p.Missing = append(p.Missing, MissingItem{Type: it.Type, Name: it.Name})
			}
		}
	case cases.StateAcceptedWithDeficiencies:
		for _, d := range c.Deferred {
			if !d.Supplied {
				p.Missing = append(p.Missing, MissingItem{Type: d.Type, Name: d.Name, DueDate: d.DueDate})
			}
		}
	}
	method, err := s.handout(ctx, c.CaseNo)
	if err != nil {
		return nil, err
	}
	p.Handout = method
	p.ResultReady = c.State == cases.StateResultReady || cases.HandedOut(c, method != "")
	switch {
	case method == "mail":
		p.HandoutText = "办理结果已邮寄给您。"
	case method != "":
		p.HandoutText = "办理结果已在窗口领取。"
	case c.State == cases.StateResultReady:
		p.HandoutText = "办理结果已出：请带身份证件到综合窗口领取，或按受理时约定的方式邮寄送达。"
	case c.State == cases.StateRejected:
		p.HandoutText = "本件不予受理，理由见《不予受理通知书》。"
	}
	if cases.HandedOut(c, method != "") {
		if p.Rated, err = s.rated(ctx, c.CaseNo); err != nil {
			return nil, err
		}
		p.CanRate = !p.Rated
	}
	return p, nil
}

// getProgress answers GET /api/v1/public/cases/{case_no}?check=NNNN.
func (s *Service) getProgress(w http.ResponseWriter, r *http.Request) {
	if err := httpx.CheckQuery(lookupOp, r.URL.Query(), "check"); err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.lookup(r.Context(), r, r.PathValue("case_no"), r.URL.Query().Get("check"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.progress(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

// writeError answers err in the API's JSON error shape, with Retry-After when rate limited.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if ra := (retryAfter{}); errors.As(err, &ra) {
		httpx.SetRetryAfter(w, ra.wait)
	}
	httpx.WriteError(w, r, s.o.Log, err)
}
