package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	"onewindow/internal/errs"
)

// Ratings (好差评, DB22/T 2871 §8). An applicant's rating of a case is filed write-once in the
// archive bucket under ratings/cases/{case_no}.json, like a case event: a second rating of
// the same case fails on the write itself, so two at once cannot both be kept, and none is
// edited or deleted. A low rating's follow-up outcome is filed write-once beside it.

const (
	ratingsPrefix  = "ratings/cases/"
	outcomesPrefix = "ratings/outcomes/"
)

// RatingKey is the rating of a case.
func RatingKey(caseNo string) string { return ratingsPrefix + caseNo + ".json" }

// FollowUpOutcomeKey is the recorded outcome of a low rating's follow-up.
func FollowUpOutcomeKey(caseNo string) string { return outcomesPrefix + caseNo + ".json" }

// RatingStore files ratings and follow-up outcomes.
type RatingStore struct {
	b      *Blobs
	retain Retainer
	now    func() time.Time
}

// NewRatingStore keeps ratings in b's archive bucket, under the retention r gives them (as the
// case events they rate); nil: none.
func NewRatingStore(b *Blobs, r Retainer) *RatingStore {
	return &RatingStore{b: b, retain: r, now: time.Now}
}

func (s *RatingStore) putOnce(ctx context.Context, op, key, code, message string, data []byte) error {
	o := PutOptions{ContentType: "application/json", IfAbsent: true}
	if s.retain != nil {
		o = o.WithLock(s.retain.Until("", "", s.now()))
	}
	_, err := s.b.PutBytes(ctx, Archive, key, data, o)
	if errors.Is(err, ErrExists) {
		return errs.E(op, errs.Conflict, code, message, err)
	}
	return err
}

// PutRating files a case's rating; a case rated already is a Conflict, code already_rated.
func (s *RatingStore) PutRating(ctx context.Context, caseNo string, data []byte) error {
	return s.putOnce(ctx, "storage.PutRating", RatingKey(caseNo), "already_rated", "This case has been rated already; a rating cannot be changed.", data)
}

// Rating reads a case's rating; none is NotFound.
func (s *RatingStore) Rating(ctx context.Context, caseNo string) ([]byte, error) {
	return s.b.Get(ctx, Archive, RatingKey(caseNo))
}

// PutOutcome files the outcome of a rating's follow-up; a second one is a Conflict, code
// outcome_recorded.
func (s *RatingStore) PutOutcome(ctx context.Context, caseNo string, data []byte) error {
	return s.putOnce(ctx, "storage.PutOutcome", FollowUpOutcomeKey(caseNo), "outcome_recorded", "This follow-up's outcome is recorded already.", data)
}

// Outcome reads a follow-up's outcome; none is NotFound.
func (s *RatingStore) Outcome(ctx context.Context, caseNo string) ([]byte, error) {
	return s.b.Get(ctx, Archive, FollowUpOutcomeKey(caseNo))
}

// Ratings reads every rating, in case-number order, and the case numbers whose follow-up has
// an outcome.
func (s *RatingStore) Ratings(ctx context.Context) (ratings [][]byte, outcomes map[string][]byte, err error) {
	all := func(prefix string) (map[string][]byte, []string, error) {
		var keys []string
		for o, err := range s.b.List(ctx, Archive, prefix) {
			if err != nil {
				return nil, nil, err
			}
			keys = append(keys, o.Key)
		}
		out := make(map[string][]byte, len(keys))
		for _, k := range keys {
			data, err := s.b.Get(ctx, Archive, k)
			if err != nil {
				return nil, nil, err
			}
			out[strings.TrimSuffix(strings.TrimPrefix(k, prefix), ".json")] = data
		}
		return out, keys, nil
	}
	byCase, keys, err := all(ratingsPrefix)
	if err != nil {
		return nil, nil, err
	}
	if outcomes, _, err = all(outcomesPrefix); err != nil {
		return nil, nil, err
	}
	for _, k := range keys { // List answers in key order
		ratings = append(ratings, byCase[strings.TrimSuffix(strings.TrimPrefix(k, ratingsPrefix), ".json")])
	}
	return ratings, outcomes, nil
}
