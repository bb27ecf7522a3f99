package public

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"onewindow/cases"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
)

// RatingInput is an applicant's rating as the call and the page send it.
type RatingInput struct {
	Check   string   `json:"check"`
	Score   int      `json:"score"`
	Reasons []string `json:"reasons,omitempty"`
	Comment string   `json:"comment,omitempty"`
}

// RatingAnswer is what the applicant is told once the rating is filed.
type RatingAnswer struct {
	CaseNo   string          `json:"case_no"`
	Score    int             `json:"score"`
	At       string          `json:"at"` // RFC 3339, the hall's zone
	FollowUp *cases.FollowUp `json:"follow_up,omitempty"`
}

// rate files the rating of a handed-out case. Bad input is Invalid before the case is read;
// the case and check are proved as for the lookup; a case not handed out or rated already
// is a Conflict (not_handed_out, already_rated).
func (s *Service) rate(ctx context.Context, r *http.Request, caseNo string, in RatingInput) (*RatingAnswer, error) {
	const op = "public.rate"
	if in.Score < 1 || in.Score > 5 {
		return nil, errs.E(op, errs.Invalid, "bad_score", "score must be a whole number from 1 to 5.", nil)
	}
	f, err := s.lookup(ctx, r, caseNo, in.Check)
	if err != nil {
		return nil, err
	}
	method, err := s.handout(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	if !cases.HandedOut(f.c, method != "") {
		return nil, errs.E(op, errs.Conflict, "not_handed_out", "A case is rated once its result has been handed out; this one's has not.", nil)
	}
	rt, err := cases.NewRating(f.c, s.o.Calendar, in.Score, in.Reasons, in.Comment, s.o.Clock.Now())
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(rt)
	if err != nil {
		return nil, errs.E(op, errs.Internal, "", "", err)
	}
	if err := s.o.Ratings.PutRating(ctx, caseNo, raw); err != nil {
		return nil, err
	}
	s.o.Log.InfoContext(ctx, "case rated", "case_no", caseNo, "score", rt.Score, "follow_up", rt.FollowUp != nil)
	return &RatingAnswer{CaseNo: caseNo, Score: rt.Score, At: s.o.Clock.In(rt.At).Format(time.RFC3339), FollowUp: rt.FollowUp}, nil
}

// postRating answers POST /api/v1/public/cases/{case_no}/rating.
func (s *Service) postRating(w http.ResponseWriter, r *http.Request) {
	var in RatingInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.rate(r.Context(), r, r.PathValue("case_no"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, a)
}
