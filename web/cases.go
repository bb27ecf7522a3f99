package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// These desks are built against the contract's case, mail and department routes; a route that
// has not landed yet answers 404 and the page says so instead of failing.

type caseSummary struct {
	CaseNo     string `json:"case_no"`
	Matter     string `json:"matter"`
	MatterName string `json:"matter_name"`
	State      string `json:"state"`
	Version    int    `json:"version"`
	DueDate    string `json:"due_date"`
	Applicant  party  `json:"applicant"`
	Channel    string `json:"channel"`
	Late       bool   `json:"overdue"`
}

// party is an applicant: a name in case lists, a name with its numbers on a case.
type party struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"` // as the API shows it to the role: masked or whole
	USCC     string `json:"uscc"`
	Phone    string `json:"phone"` // masked or whole, as the ID number
	Address  string `json:"address"`
}

func (p *party) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &p.Name)
	}
	type plain party
	return json.Unmarshal(b, (*plain)(p))
}

// Overdue reports whether the case is past its due date and still open: as the API says in
// lists, from the due date on a case page (judge).
func (c caseSummary) Overdue() bool { return c.Late }

// judge marks the case late when its due date is before today, the hall's day (YYYY-MM-DD),
// and it is still open.
func (c *caseSummary) judge(today string) {
	switch c.State {
	case "rejected", "delivered", "closed":
		return
	}
	if _, err := time.Parse(time.DateOnly, c.DueDate); err == nil && c.DueDate < today {
		c.Late = true
	}
}

// today is the hall's date, which due dates are judged against.
func (s *site) today() string { return s.opts.Clock.Date(s.opts.Clock.Now()) }

type caseDetail struct {
	caseSummary
	// Decidable says the case's state allows a decision (the cases' rule): else no form.
	Decidable bool     `json:"decidable"`
	Documents []string `json:"documents"`
	Facts     []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"document_facts"`
	Check *struct {
		Complete bool `json:"complete"`
		Items    []struct {
			Type      string   `json:"type"`
			Name      string   `json:"name"` // the catalogue's name, as the notices print it
			Status    string   `json:"status"`
			Documents []string `json:"documents"`
			DueDate   string   `json:"due_date"`
		} `json:"items"`
		Inconsistencies []inconsistency `json:"inconsistencies"`
		Proposed        string          `json:"proposed_decision"`
	} `json:"check"`
	Submitter      *party `json:"submitter"`      // the agent (经办人)
	Representative *party `json:"representative"` // 法定代表人
	Notices        []struct {
		ID   string `json:"id"`
		Kind string `json:"kind"`
	} `json:"notices"`
	Events []struct {
		Type string `json:"type"`
		At   string `json:"at"`
		By   string `json:"by"`
	} `json:"events"`
	Deliveries []struct {
		Department string `json:"department"`
		State      string `json:"state"`
		Attempts   int    `json:"attempts"`
		DueDate    string `json:"due_date"`
		Name       string `json:"-"` // the department's name, from the departments file
		Overdue    bool   `json:"-"` // its result is late (the delivery desk says)
	} `json:"deliveries"`
}

type caseData struct {
	C           caseDetail
	Decisions   []string
	ResultKinds []string
	Idem        string
	Handout     handoutData
	Decide      decideForm
}

func (s *site) casePage(w http.ResponseWriter, rq *req) {
	d, e := s.loadCase(rq, rq.PathValue("no"))
	if e != nil {
		s.renderError(w, rq, e)
		return
	}
	s.render(w, rq, http.StatusOK, "case.html", "case.title", d)
}

// loadCase gathers what the case page shows: the case, its deliveries' lateness and its
// hand-out.
func (s *site) loadCase(rq *req, no string) (caseData, *apiError) {
	var d caseData
	if e := s.getJSON(rq, "/api/v1/cases/"+url.PathEscape(no), &d.C); e != nil {
		return d, e
	}
	d.C.judge(s.today())
	var desk struct {
		Deliveries []delivery     `json:"deliveries"`
		Handout    *handoutRecord `json:"handout"`
	}
	if len(d.C.Deliveries) > 0 || handoutStates[d.C.State] || d.C.State == "closed" {
		_ = s.getJSON(rq, "/api/v1/cases/"+url.PathEscape(d.C.CaseNo)+"/deliveries", &desk) // without it, no lateness is shown
	}
	if len(d.C.Deliveries) > 0 {
		names := s.departmentNames(rq)
		for i := range d.C.Deliveries {
			x := &d.C.Deliveries[i]
			x.Name = names.of(x.Department)
			x.Overdue = slices.ContainsFunc(desk.Deliveries, func(y delivery) bool { return y.Department == x.Department && y.Overdue })
		}
	}
	d.Decisions = []string{"accept", "accept_with_deficiencies", "correction_required", "reject"}
	d.Decide = s.decideFormFor(rq, d.C)
	d.ResultKinds = []string{"decision", "certificate", "licence", "other"}
	d.Idem = nonce()
	d.Handout = handoutData{Done: desk.Handout, Open: handoutStates[d.C.State] && desk.Handout == nil,
		Form: map[string]string{"method": "pickup"}, ApplicantIDEnd: lastDigits(d.C.Applicant.IDNumber, 4)}
	if d.Handout.Open || (desk.Handout != nil && desk.Handout.Carrier != "") {
		d.Handout.Carriers = s.handoutCarriers(rq)
	}
	if h := desk.Handout; h != nil && h.Carrier != "" {
		h.CarrierName = carrierName(d.Handout.Carriers, h.Carrier)
	}
	return d, nil
}

// caseResult uploads a department's result PDF, streamed like a scan.
func (s *site) caseResult(w http.ResponseWriter, rq *req) {
	no := rq.PathValue("no")
	e := s.forwardUpload(rq, "/api/v1/cases/"+url.PathEscape(no)+"/results", map[string]string{}, func(*recorder) {
		http.Redirect(w, rq.Request, "/cases/"+url.PathEscape(no)+"?m=result_filed", http.StatusSeeOther)
	})
	if e != nil {
		s.renderError(w, rq, e)
	}
}

// noticePDF streams a notice for printing.
func (s *site) noticePDF(w http.ResponseWriter, rq *req) {
	s.stream(w, rq, "/api/v1/notices/"+url.PathEscape(rq.PathValue("id"))+"/pdf", true)
}

type departmentData struct {
	Groups  []deliveryGroup
	Missing bool
}

type deliveryGroup struct {
	State string
	Items []delivery
}

type delivery struct {
	Key        string `json:"key"`
	CaseNo     string `json:"case_no"`
	Department string `json:"department"`
	State      string `json:"state"`
	Attempts   int    `json:"attempts"`
	DueDate    string `json:"due_date"`
	Overdue    bool   `json:"overdue"`
	LastError  string `json:"last_error"`
	UpdatedAt  string `json:"updated_at"`
	Kind       string `json:"kind"`
	Answered   bool   `json:"answered"`
	Name       string `json:"-"` // the department's name, from the departments file
}

// group is where a package stands for its department: its result sent (as the case says),
// waiting to be fetched (pull), or its delivery's state.
func (x delivery) group() string {
	switch {
	case x.Answered:
		return "answered"
	case x.State == "pending" && x.Kind == "pull":
		return "ready"
	}
	return x.State
}

// departmentNames maps department IDs to the names the departments file gives them.
type departmentNames map[string]string

// of is department id's name, or the ID when the page could not learn it.
func (n departmentNames) of(id string) string {
	if name := n[id]; name != "" {
		return name
	}
	return id
}

// departmentNames asks the delivery desk for the departments' names, else the catalogue.
func (s *site) departmentNames(rq *req) departmentNames {
	var list struct {
		Departments []struct{ ID, Name string } `json:"departments"`
	}
	if s.getJSON(rq, "/api/v1/departments", &list) != nil {
		// Roles without the delivery desk (the courier) still read the catalogue's names.
		var cat struct {
			Names departmentNames `json:"department_names"`
		}
		if s.getJSON(rq, "/api/v1/matters", &cat) != nil {
			return nil
		}
		return cat.Names
	}
	out := departmentNames{}
	for _, d := range list.Departments {
		out[d.ID] = d.Name
	}
	return out
}

// departmentPage lists the department's packages: waiting, delivered, acknowledged, failed.
func (s *site) departmentPage(w http.ResponseWriter, rq *req) {
	var list struct {
		Deliveries []delivery `json:"deliveries"`
	}
	e := s.getJSON(rq, "/api/v1/deliveries", &list)
	if e != nil && !e.missing() {
		s.renderError(w, rq, e)
		return
	}
	d := departmentData{Missing: e.missing()}
	names := s.departmentNames(rq)
	for i := range list.Deliveries {
		list.Deliveries[i].Name = names.of(list.Deliveries[i].Department)
	}
	for _, st := range []string{"delivered", "ready", "pending", "failed", "acknowledged", "answered"} {
		g := deliveryGroup{State: st}
		for _, x := range list.Deliveries {
			if x.group() == st {
				g.Items = append(g.Items, x)
			}
		}
		d.Groups = append(d.Groups, g)
	}
	s.render(w, rq, http.StatusOK, "department.html", "department.title", d)
}

// ackDelivery says the department has the package: POST /api/v1/deliveries/{key}/ack.
func (s *site) ackDelivery(w http.ResponseWriter, rq *req) {
	if e := s.sendJSON(rq, http.MethodPost, "/api/v1/deliveries/"+url.PathEscape(rq.PathValue("key"))+"/ack", nil, nil, nil); e != nil {
		s.renderError(w, rq, e)
		return
	}
	http.Redirect(w, rq.Request, "/department?m=acknowledged", http.StatusSeeOther)
}
