package stats

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"onewindow/cases"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
)

// FollowUps files the outcome of a low rating's follow-up (storage.RatingStore).
type FollowUps interface {
	Rating(ctx context.Context, caseNo string) ([]byte, error)
	PutOutcome(ctx context.Context, caseNo string, data []byte) error
}

// RatingEntry is a rating as the management reads it, with its follow-up's outcome.
type RatingEntry struct {
	cases.Rating
	Outcome *cases.FollowUpOutcome `json:"outcome,omitempty"`
	Late    bool                   `json:"late"` // a follow-up without an outcome past its date
}

// ratingsList answers GET /api/v1/ratings?from=&to=[&follow_up=open]: the ratings given on
// those days, newest first; follow_up=open keeps the low ones whose outcome is not recorded.
func (s *Stats) ratingsList(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	const op = "stats.ratings"
	q := r.URL.Query()
	if err := httpx.CheckQuery(op, q, "from", "to", "follow_up"); err != nil {
		return err
	}
	if f := q.Get("follow_up"); f != "" && f != "open" {
		return errs.Errorf(op, errs.Invalid, "bad_follow_up", "follow_up may only be open, not %q.", f)
	}
	from, to, err := s.ParseRange(q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	raws, outcomes, err := s.o.Ratings.Ratings(r.Context())
	if err != nil {
		return err
	}
	lo, hi, today := from.Format(time.DateOnly), to.Format(time.DateOnly), s.o.Clock.Today().Format(time.DateOnly)
	out := []RatingEntry{}
	for _, raw := range raws {
		var e RatingEntry
		if json.Unmarshal(raw, &e.Rating) != nil {
			continue
		}
		if d := s.o.Clock.In(e.At).Format(time.DateOnly); d < lo || d > hi {
			continue
		}
		if o, ok := outcomes[e.CaseNo]; ok {
			e.Outcome = &cases.FollowUpOutcome{}
			_ = json.Unmarshal(o, e.Outcome)
		}
		e.Late = e.FollowUp != nil && e.Outcome == nil && e.FollowUp.DueDate < today
		if q.Get("follow_up") == "open" && (e.FollowUp == nil || e.Outcome != nil) {
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b RatingEntry) int { return b.At.Compare(a.At) })
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"ratings": out})
	return nil
}

// postOutcome answers POST /api/v1/ratings/{case_no}/outcome {"outcome": "..."}: what the
// management did about a low rating, filed once.
func (s *Stats) postOutcome(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	const op = "stats.outcome"
	if s.o.FollowUps == nil {
		return errs.Errorf(op, errs.Unavailable, "follow_ups_unavailable", "Follow-up outcomes are not recorded by this process.")
	}
	var in struct {
		Outcome string `json:"outcome"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	in.Outcome = strings.TrimSpace(in.Outcome)
	if in.Outcome == "" || utf8.RuneCountInString(in.Outcome) > 2000 {
		return errs.Errorf(op, errs.Invalid, "bad_outcome", "Say what was done, in 1 to 2000 characters.")
	}
	no := r.PathValue("case_no")
	if !cases.ValidCaseNo(no) {
		return errs.Errorf(op, errs.NotFound, "rating_not_found", "Case %s has no rating.", no)
	}
	raw, err := s.o.FollowUps.Rating(r.Context(), no)
	if errs.KindOf(err) == errs.NotFound {
		return errs.Errorf(op, errs.NotFound, "rating_not_found", "Case %s has no rating.", no)
	}
	if err != nil {
		return err
	}
	var rt cases.Rating
	if err := json.Unmarshal(raw, &rt); err != nil {
		return errs.E(op, errs.Internal, "bad_rating", "The filed rating does not decode.", err)
	}
	if rt.FollowUp == nil {
		return errs.Errorf(op, errs.Conflict, "no_follow_up", "Case %s was rated %d: only a low rating has a follow-up.", no, rt.Score)
	}
	o := cases.FollowUpOutcome{CaseNo: no, Outcome: in.Outcome, By: p.Name, At: s.o.Clock.Now().UTC()}
	data, _ := json.Marshal(o)
	if err := s.o.FollowUps.PutOutcome(r.Context(), no, data); err != nil {
		return err
	}
	s.o.Log.InfoContext(r.Context(), "rating follow-up recorded", "case_no", no, "by", p.Name)
	httpx.WriteJSON(w, http.StatusCreated, o)
	return nil
}
