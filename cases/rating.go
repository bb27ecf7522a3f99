package cases

import (
	"crypto/subtle"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"onewindow/internal/errs"
)

// Rating is an applicant's rating of a handed-out case (好差评, DB22/T 2871.1 §8). It is filed
// once and never changed; a low one opens a follow-up the management owes by its due date.
type Rating struct {
	CaseNo  string    `json:"case_no"`
	Matter  string    `json:"matter"`
	Window  string    `json:"window,omitempty"` // the window that opened the case
	Score   int       `json:"score"`            // 1 (very dissatisfied) to 5 (very satisfied)
	Reasons []string  `json:"reasons,omitempty"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
	// FollowUp is set for a low rating: the management looks into it by DueDate.
	FollowUp *FollowUp `json:"follow_up,omitempty"`
}

// FollowUp is the management's duty after a low rating.
type FollowUp struct {
	DueDate string `json:"due_date"` // YYYY-MM-DD, the hall's
}

// FollowUpOutcome is what the management did about a low rating, filed once.
type FollowUpOutcome struct {
	CaseNo  string    `json:"case_no"`
	Outcome string    `json:"outcome"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// Rating limits.
const (
	LowScore          = 2 // a score at or below opens a follow-up
	FollowUpDays      = 5 // working days the management has to follow a low rating up
	maxReasons        = 10
	maxReasonRunes    = 60
	maxCommentRunes   = 500
	ratingCheckLength = 4
)

// RatingReasons are the reasons a rating page offers (the applicant may give others).
var RatingReasons = []string{"办事指南清楚", "一次办成", "窗口服务热情", "办理快", "材料要求不清", "多次跑腿", "等候时间长", "服务态度差", "办理超时"}

// HandedOut reports whether the case's result has reached the applicant, after which it may
// be rated: delivered, or closed after a handout (handout says one was filed).
func HandedOut(c *Case, handout bool) bool {
	return c.State == StateDelivered || c.State == StateClosed && handout
}

// NewRating validates an applicant's rating of c, filed at at; the follow-up of a low one
// is due FollowUpDays working days later.
func NewRating(c *Case, cal *Calendar, score int, reasons []string, comment string, at time.Time) (Rating, error) {
	const op = "cases.NewRating"
	if score < 1 || score > 5 {
		return Rating{}, errs.Errorf(op, errs.Invalid, "bad_score", "score must be a whole number from 1 to 5.")
	}
	if len(reasons) > maxReasons {
		return Rating{}, errs.Errorf(op, errs.Invalid, "bad_reasons", "Give at most %d reasons.", maxReasons)
	}
	var rs []string
	for _, r := range reasons {
		r = strings.TrimSpace(r)
		if r == "" || utf8.RuneCountInString(r) > maxReasonRunes {
			return Rating{}, errs.Errorf(op, errs.Invalid, "bad_reasons", "Each reason is 1 to %d characters.", maxReasonRunes)
		}
		rs = append(rs, r)
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > maxCommentRunes {
		return Rating{}, errs.Errorf(op, errs.Invalid, "comment_too_long", "The comment is at most %d characters.", maxCommentRunes)
	}
	r := Rating{CaseNo: c.CaseNo, Matter: c.Matter, Window: c.Window, Score: score, Reasons: rs, Comment: comment, At: at.UTC()}
	if score <= LowScore {
		r.FollowUp = &FollowUp{DueDate: cal.AddWorkingDays(at, FollowUpDays).Format(time.DateOnly)}
	}
	return r, nil
}

var checkRe = regexp.MustCompile(`^[0-9A-Za-z]{4}$`)

// ValidCheck reports whether s has the form of a lookup check: four letters or digits (the
// last four characters of a phone, ID number or credit code).
func ValidCheck(s string) bool { return checkRe.MatchString(s) }

// CheckMatches reports whether check is the last four characters of the phone, ID number or
// credit code of the applicant or of the submitter who came for them. It compares every one,
// in constant time, so the answer's time says nothing about which matched.
func CheckMatches(c *Case, check string) bool {
	want := []byte(strings.ToUpper(check))
	match := 0
	for _, p := range []*Party{&c.Applicant, c.Submitter} {
		if p == nil {
			continue
		}
		for _, v := range []string{p.Phone, p.IDNumber, p.USCC} {
			v = strings.ToUpper(v)
			if len(v) < ratingCheckLength {
				continue
			}
			match |= subtle.ConstantTimeCompare([]byte(v[len(v)-ratingCheckLength:]), want)
		}
	}
	return match == 1 && len(want) == ratingCheckLength
}
