package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The window's intake and decision forms: the case list with search and pages, opening a case
// with its parties, the matter picker grouped by department, and the decision form that starts
// from the check's proposal. A refused form shows the page again with what the clerk typed.

const casesPerPage = 20

type caseListData struct {
	Cases    []caseSummary
	Missing  bool
	Groups   []matterGroup // the matters for the picker, by lead department
	Filter   string        // the picker's filter (mq)
	NoMatch  bool          // the filter matched nothing, so every matter is shown
	Form     map[string]string
	Channels []string
	Q        string // the list's search
	Page     int
	Pages    int
	Total    int
	PrevURL  string
	NextURL  string
}

type matter struct {
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Departments []string  `json:"departments"`
	Refusals    []refusal `json:"refusals"`
}

// refusal is a reason of the catalogue a window may refuse an application for.
type refusal struct {
	Code       string `json:"code"`
	Reason     string `json:"reason"`
	LegalBasis string `json:"legal_basis"`
}

// matterGroup is one department's matters in the picker.
type matterGroup struct {
	Department string
	Matters    []matter
}

// catalogue is the hall's matters and the names of their departments (the departments file's,
// else the catalogue's, else the ID).
func (s *site) catalogue(rq *req) ([]matter, departmentNames) {
	var ms struct {
		Matters []matter          `json:"matters"`
		Names   map[string]string `json:"department_names"`
	}
	if s.getJSON(rq, "/api/v1/matters", &ms) != nil {
		return nil, nil
	}
	names := departmentNames(ms.Names)
	if names == nil {
		names = departmentNames{}
	}
	for id, n := range s.departmentNames(rq) {
		names[id] = n
	}
	return ms.Matters, names
}

// groupMatters groups matters by their lead department, in catalogue order, keeping those whose
// name, code or department contains filter; none matching keeps them all (noMatch).
func groupMatters(ms []matter, names departmentNames, filter string) (groups []matterGroup, noMatch bool) {
	f := strings.ToLower(strings.TrimSpace(filter))
	fits := func(m matter) bool {
		if f == "" || strings.Contains(strings.ToLower(m.Name+" "+m.Code), f) {
			return true
		}
		return slices.ContainsFunc(m.Departments, func(id string) bool { return strings.Contains(strings.ToLower(names.of(id)), f) })
	}
	kept := slices.DeleteFunc(slices.Clone(ms), func(m matter) bool { return !fits(m) })
	if len(kept) == 0 {
		kept, noMatch = ms, f != ""
	}
	for _, m := range kept {
		dept := ""
		if len(m.Departments) > 0 {
			dept = names.of(m.Departments[0])
		}
		i := slices.IndexFunc(groups, func(g matterGroup) bool { return g.Department == dept })
		if i < 0 {
			groups = append(groups, matterGroup{Department: dept})
			i = len(groups) - 1
		}
		groups[i].Matters = append(groups[i].Matters, m)
	}
	return groups, noMatch
}

func (s *site) caseList(w http.ResponseWriter, rq *req) {
	d, e := s.loadCases(rq, map[string]string{"channel": "counter"})
	if e != nil && !e.missing() {
		s.renderError(w, rq, e)
		return
	}
	s.render(w, rq, http.StatusOK, "cases.html", "cases.title", d)
}

// loadCases reads one page of the case list (?q= searches case numbers and applicants'
// names, ?page= pages) and the matter picker (?mq= filters it).
func (s *site) loadCases(rq *req, form map[string]string) (caseListData, *apiError) {
	q := rq.URL.Query()
	d := caseListData{Form: form, Channels: []string{"counter", "mail"}, Q: strings.TrimSpace(q.Get("q")),
		Filter: strings.TrimSpace(q.Get("mq")), Page: 1}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		d.Page = p
	}
	var list struct {
		Cases []caseSummary `json:"cases"`
		Total int           `json:"total"`
	}
	api := url.Values{"page": {strconv.Itoa(d.Page)}, "per_page": {strconv.Itoa(casesPerPage)}}
	if d.Q != "" {
		api.Set("q", d.Q)
	}
	e := s.getJSON(rq, "/api/v1/cases?"+api.Encode(), &list)
	d.Missing = e.missing()
	d.Cases, d.Total = list.Cases, list.Total
	d.Pages = max(1, (d.Total+casesPerPage-1)/casesPerPage)
	link := func(page int) string {
		v := url.Values{"page": {strconv.Itoa(page)}}
		if d.Q != "" {
			v.Set("q", d.Q)
		}
		return "/cases?" + v.Encode()
	}
	if d.Page > 1 {
		d.PrevURL = link(min(d.Page-1, d.Pages))
	}
	if d.Page < d.Pages {
		d.NextURL = link(d.Page + 1)
	}
	today := s.today()
	for i := range d.Cases {
		d.Cases[i].judge(today)
	}
	// Within a page: overdue first, then by due date, the nearest first.
	slices.SortStableFunc(d.Cases, func(a, b caseSummary) int {
		if a.Overdue() != b.Overdue() {
			if a.Overdue() {
				return -1
			}
			return 1
		}
		return strings.Compare(a.DueDate, b.DueDate)
	})
	ms, names := s.catalogue(rq)
	d.Groups, d.NoMatch = groupMatters(ms, names, d.Filter)
	return d, e
}

// caseFields are the new-case form's fields, all kept when the API refuses the form.
var caseFields = []string{"matter", "channel", "name", "id_number", "uscc", "phone", "address",
	"agent_name", "agent_id", "agent_phone", "rep_name", "rep_id", "rep_phone"}

// caseCreate opens a case: POST /api/v1/cases with the applicant, and the agent (经办人) and
// legal representative (法定代表人) when given.
func (s *site) caseCreate(w http.ResponseWriter, rq *req) {
	form := map[string]string{}
	for _, f := range caseFields {
		form[f] = strings.TrimSpace(rq.PostFormValue(f))
	}
	person := func(name, id, phone string) map[string]string {
		if name == "" && id == "" && phone == "" {
			return nil
		}
		return map[string]string{"name": name, "id_number": id, "phone": phone}
	}
	body := map[string]any{"matter": form["matter"], "channel": form["channel"],
		"applicant": map[string]string{"name": form["name"], "id_number": form["id_number"], "uscc": form["uscc"],
			"phone": form["phone"], "address": form["address"]}}
	if p := person(form["agent_name"], form["agent_id"], form["agent_phone"]); p != nil {
		body["submitter"] = p
	}
	if p := person(form["rep_name"], form["rep_id"], form["rep_phone"]); p != nil {
		body["representative"] = p
	}
	var out struct {
		CaseNo string `json:"case_no"`
	}
	if e := s.sendJSON(rq, http.MethodPost, "/api/v1/cases", body, nil, &out); e != nil {
		d, _ := s.loadCases(rq, form)
		v := s.viewFor(rq, "cases.title", d)
		v.Err = e
		s.renderView(w, rq.Request, e.Status, "cases.html", v)
		return
	}
	http.Redirect(w, rq.Request, "/cases/"+url.PathEscape(out.CaseNo)+"?m=case_opened", http.StatusSeeOther)
}

// decideForm is the decision form: the check's proposal and why, preselected, and the matter's
// refusal reasons to tick.
type decideForm struct {
	Proposed string
	Why      []string // the missing items by their catalogue names, and the inconsistencies
	Refusals []refusal
	Decision string          // preselected: the proposal, or what the clerk chose before a refusal
	Reason   string          // as typed
	Chosen   map[string]bool // refusal codes ticked
}

// decideFormFor starts the form from the check's proposal.
func (s *site) decideFormFor(rq *req, c caseDetail) decideForm {
	f := decideForm{Chosen: map[string]bool{}}
	if c.Check != nil {
		f.Proposed = c.Check.Proposed
		for _, it := range c.Check.Items {
			if it.Status != "present" {
				f.Why = append(f.Why, rq.l.T("item."+it.Status)+"："+cmp.Or(it.Name, rq.l.TypeName(it.Type)))
			}
		}
		for _, in := range c.Check.Inconsistencies {
			f.Why = append(f.Why, rq.l.Inconsistency(in))
		}
	}
	f.Decision = cmp.Or(f.Proposed, "accept")
	ms, _ := s.catalogue(rq)
	if i := slices.IndexFunc(ms, func(m matter) bool { return m.Code == c.Matter }); i >= 0 {
		f.Refusals = ms[i].Refusals
	}
	return f
}

// caseDecision decides a case with If-Match: the version the officer saw, so a decision made
// meanwhile at another window is a conflict, not overwritten. A refused decision shows the
// case again with the error and the clerk's choice, reason and ticked refusal reasons.
func (s *site) caseDecision(w http.ResponseWriter, rq *req) {
	no := rq.PathValue("no")
	hdr := http.Header{"If-Match": {rq.PostFormValue("version")}}
	_ = rq.ParseForm()
	refusals := rq.PostForm["refusals"]
	body := map[string]any{"decision": rq.PostFormValue("decision"), "reason": strings.TrimSpace(rq.PostFormValue("reason"))}
	if body["decision"] == "reject" {
		// only a refusal's notice lists them; sent even when none is ticked, so the desk
		// holds the page to the catalogue's reasons (an empty list, not a missing one)
		body["refusals"] = append([]string{}, refusals...)
	}
	e := s.sendJSON(rq, http.MethodPost, "/api/v1/cases/"+url.PathEscape(no)+"/decision", body, hdr, nil)
	if e == nil {
		http.Redirect(w, rq.Request, "/cases/"+url.PathEscape(no)+"?m=decided", http.StatusSeeOther)
		return
	}
	s.caseAgain(w, rq, no, e, func(d *caseData) {
		d.Decide.Decision, d.Decide.Reason = rq.PostFormValue("decision"), rq.PostFormValue("reason")
		for _, code := range refusals {
			d.Decide.Chosen[code] = true
		}
	})
}

// caseAgain answers a refused form on the case page: the case shown again with the error
// and, through keep, what the clerk had entered, so nothing typed is lost. When the case
// itself cannot be read, the refusal is shown on the error page.
func (s *site) caseAgain(w http.ResponseWriter, rq *req, no string, e *apiError, keep func(*caseData)) {
	d, le := s.loadCase(rq, no)
	if le != nil {
		s.renderError(w, rq, e)
		return
	}
	keep(&d)
	v := s.viewFor(rq, "case.title", d)
	v.Err = e
	s.renderView(w, rq.Request, e.Status, "case.html", v)
}
