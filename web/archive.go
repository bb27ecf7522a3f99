package web

import (
	"net/http"
	"net/url"
	"strconv"
)

// searchFilters are the search form's fields, passed to GET /api/v1/search as they are.
var searchFilters = []string{"q", "type", "case_no", "applicant", "matter", "department", "archival_code", "id_number", "uscc", "from", "to", "page"}

type searchResult struct {
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Hits    []struct {
		DocumentID   string `json:"document_id"`
		ArchivalCode string `json:"archival_code"`
		CaseNo       string `json:"case_no"`
		Type         string `json:"type"`
		Title        string `json:"title"`
		Applicant    string `json:"applicant"`
		Matter       string `json:"matter"`
		FiledAt      string `json:"filed_at"`
		Snippet      string `json:"snippet"`
		Highlight    string `json:"highlight"`
	} `json:"hits"`
	Facets map[string][]struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	} `json:"facets"`
}

type facetLink struct {
	Name, Value, Href string
	Count             int
	On                bool
}

type searchData struct {
	Form     map[string]string
	Searched bool
	R        searchResult
	Facets   []facetGroup
	Types    []string
	Prev     string
	Next     string
}

type facetGroup struct {
	Name  string
	Links []facetLink
}

func (s *site) search(w http.ResponseWriter, rq *req) {
	q := rq.URL.Query()
	d := searchData{Form: map[string]string{}, Types: docTypes}
	api := url.Values{}
	for _, f := range append(searchFilters, "purpose") {
		if v := q.Get(f); v != "" {
			d.Form[f] = v
			if f != "purpose" {
				api.Set(f, v)
			}
		}
	}
	// A search is an audited access: only a submitted form runs one.
	if _, submitted := q["q"]; !submitted {
		s.render(w, rq, http.StatusOK, "search.html", "search.title", d)
		return
	}
	d.Searched = true
	if e := s.getJSON(rq, "/api/v1/search?"+api.Encode(), &d.R); e != nil {
		v := s.viewFor(rq, "search.title", d)
		v.Err = e
		s.renderView(w, rq.Request, e.Status, "search.html", v)
		return
	}
	for _, name := range []string{"type", "case_no", "matter", "departments"} {
		param := name
		if name == "departments" {
			param = "department"
		}
		g := facetGroup{Name: name}
		for _, fc := range d.R.Facets[name] {
			next := cloneValues(q)
			on := q.Get(param) == fc.Value
			if on {
				next.Del(param)
			} else {
				next.Set(param, fc.Value)
			}
			next.Del("page")
			g.Links = append(g.Links, facetLink{Name: name, Value: fc.Value, Count: fc.Count, On: on, Href: "/search?" + next.Encode()})
		}
		if len(g.Links) > 0 {
			d.Facets = append(d.Facets, g)
		}
	}
	page := max(d.R.Page, 1)
	if page > 1 {
		prev := cloneValues(q)
		prev.Set("page", strconv.Itoa(page-1))
		d.Prev = "/search?" + prev.Encode()
	}
	if d.R.PerPage > 0 && page*d.R.PerPage < d.R.Total {
		next := cloneValues(q)
		next.Set("page", strconv.Itoa(page+1))
		d.Next = "/search?" + next.Encode()
	}
	s.render(w, rq, http.StatusOK, "search.html", "search.title", d)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

type event struct {
	Type   string `json:"type"`
	Agent  string `json:"agent"`
	Time   string `json:"time"`
	Detail string `json:"detail"`
}

type documentData struct {
	D        document
	Events   []event
	EventErr *apiError
	Purpose  string
}

// documentPage shows a document's record, a link to its PDF, and its provenance when the
// role may read it.
func (s *site) documentPage(w http.ResponseWriter, rq *req) {
	id := url.PathEscape(rq.PathValue("id"))
	var d documentData
	if e := s.getJSON(rq, "/api/v1/documents/"+id, &d.D); e != nil {
		s.renderError(w, rq, e)
		return
	}
	d.Purpose = rq.URL.Query().Get("purpose")
	var ev struct {
		Events []event `json:"events"`
	}
	if e := s.getJSON(rq, "/api/v1/documents/"+id+"/events", &ev); e != nil {
		d.EventErr = e
	}
	d.Events = ev.Events
	s.render(w, rq, http.StatusOK, "document.html", "document.title", d)
}

// documentPDF streams the filed PDF for the browser's own viewer.
func (s *site) documentPDF(w http.ResponseWriter, rq *req) {
	s.stream(w, rq, "/api/v1/documents/"+url.PathEscape(rq.PathValue("id"))+"/pdf", true)
}

// export streams a case's BagIt bag as a download.
func (s *site) export(w http.ResponseWriter, rq *req) {
	s.stream(w, rq, "/api/v1/export?"+url.Values{"case_no": {rq.URL.Query().Get("case_no")}}.Encode(), false)
}

type reportData struct {
	CaseNo string
	R      struct {
		Scope       string                    `json:"scope"`
		GeneratedAt string                    `json:"generated_at"`
		OK          bool                      `json:"ok"`
		Summary     map[string]map[string]int `json:"summary"`
		Documents   []struct {
			DocumentID   string            `json:"document_id"`
			ArchivalCode string            `json:"archival_code"`
			Title        string            `json:"title"`
			Type         string            `json:"type"`
			Properties   map[string]string `json:"properties"`
			Checks       []struct {
				Property string   `json:"property"`
				Check    string   `json:"check"`
				Object   string   `json:"object"`
				Status   string   `json:"status"`
				Detail   string   `json:"detail"`
				Related  []string `json:"related"`
			} `json:"checks"`
		} `json:"documents"`
	}
	Properties []string
	PDF        string
}

// report shows the four-properties report of a case; format=pdf streams the printable one.
func (s *site) report(w http.ResponseWriter, rq *req) {
	caseNo := rq.URL.Query().Get("case_no")
	if rq.URL.Query().Get("format") == "pdf" {
		s.stream(w, rq, "/api/v1/report?"+url.Values{"case_no": {caseNo}, "format": {"pdf"}}.Encode(), true)
		return
	}
	d := reportData{CaseNo: caseNo, Properties: []string{"authenticity", "integrity", "usability", "security"},
		PDF: "/report?" + url.Values{"case_no": {caseNo}, "format": {"pdf"}}.Encode()}
	if e := s.getJSON(rq, "/api/v1/report?"+url.Values{"case_no": {caseNo}}.Encode(), &d.R); e != nil {
		s.renderError(w, rq, e)
		return
	}
	s.render(w, rq, http.StatusOK, "report.html", "report.title", d)
}

// legalHold sets or releases a legal hold (admin only, as the API says).
func (s *site) legalHold(w http.ResponseWriter, rq *req) {
	id := rq.PathValue("id")
	body := map[string]any{"on": rq.PostFormValue("on") == "true", "reason": rq.PostFormValue("reason")}
	if e := s.sendJSON(rq, http.MethodPut, "/api/v1/admin/documents/"+url.PathEscape(id)+"/legal-hold", body, nil, nil); e != nil {
		s.renderError(w, rq, e)
		return
	}
	http.Redirect(w, rq.Request, "/documents/"+url.PathEscape(id)+"?m=hold", http.StatusSeeOther)
}
