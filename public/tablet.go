package public

import (
	"encoding/json"
	"net/http"
	"strings"

	"onewindow/cases"
)

// tabletView is the rating view a window's tablet shows after hand-out: the case number and
// nothing of the applicant, large targets to tap, and what each refusal of the rating API
// means in words (the page's script posts to the API and says them).
type tabletView struct {
	rateView
	Problems string // JSON: error code → words
}

// problemWords are the problems' words by error code, for the tablet's script.
func problemWords() string {
	m := make(map[string]string, len(problems))
	for code, p := range problems {
		m[code] = p.text
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// tabletForm answers GET /rate/tablet?case_no=: the rating view for the window's tablet.
func (s *Service) tabletForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "tablet.html", "请您评价本次服务", tabletView{rateView: rateView{
		Form: lookupForm{CaseNo: strings.TrimSpace(r.URL.Query().Get("case_no"))}, Reasons: cases.RatingReasons}, Problems: problemWords()})
}

// tabletPage answers the tablet's form where its script does not run: the same rating as
// the API files, shown in the tablet's words.
func (s *Service) tabletPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	in, no := rateInput(r)
	view := tabletView{rateView: rateView{Form: lookupForm{CaseNo: no}, Reasons: cases.RatingReasons}, Problems: problemWords()}
	a, err := s.rate(r.Context(), r, no, in)
	status := http.StatusCreated
	if err != nil {
		status, view.Form.Problem = formProblem(w, err)
	}
	view.Done = a
	s.render(w, status, "tablet.html", "请您评价本次服务", view)
}
