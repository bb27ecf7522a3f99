package archive

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"onewindow/internal/fields"
)

// Query is an archivist's search: Text is matched against the OCR text and title, the rest
// filter exactly. From and To are filing dates, both inclusive (To is a day).
type Query struct {
	Text         string
	Type         string
	CaseNo       string
	ArchivalCode string
	// IDNumber and USCC match an ID number or credit code whole, or by its first characters
	// when fewer are given (at least MinPrefix).
	IDNumber string
	USCC     string
	// IDPrefix and USCCPrefix match ID numbers and credit codes by their first characters
	// (at least MinPrefix of them).
	IDPrefix   string
	USCCPrefix string
	Applicant  string
	Matter     string
	Department string
	From, To   time.Time
	Page       int // 1-based
	PerPage    int
}

// Hit is one found document.
type Hit struct {
	DocumentID   string  `json:"document_id"`
	ArchivalCode string  `json:"archival_code,omitempty"`
	CaseNo       string  `json:"case_no"`
	Type         string  `json:"type"`
	Title        string  `json:"title,omitempty"`
	Applicant    string  `json:"applicant,omitempty"`
	Matter       string  `json:"matter,omitempty"`
	FiledAt      string  `json:"filed_at,omitempty"`
	Score        float64 `json:"score"`
	Snippet      string  `json:"snippet"`
	// Highlight is the snippet with matches in <mark>…</mark> (HTML-escaped otherwise).
	Highlight string `json:"highlight,omitempty"`
}

// FacetCount is one value of a facet.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is one page of hits.
type Result struct {
	Total   uint64                  `json:"total"`
	Page    int                     `json:"page"`
	PerPage int                     `json:"per_page"`
	Hits    []Hit                   `json:"hits"`
	Facets  map[string][]FacetCount `json:"facets"`
	// FacetsOmitted says the facets were not counted: a search with a code prefix found more
	// than facetLimit documents.
	FacetsOmitted bool    `json:"facets_omitted,omitempty"`
	TookMS        float64 `json:"took_ms"`
}

// facetLimit is how many documents a search with a code prefix may find for its facets to be
// counted. Counting visits every hit's values, and a prefix like 220103198* can match most of
// the archive: a quarter to a half second at 100,000 records, where the search itself takes
// milliseconds.
var facetLimit uint64 = 10000

// ErrEmptyQuery is returned when a query names nothing to look for.
var ErrEmptyQuery = errors.New("empty query")

// Search runs q: one page of hits, newest first unless text ranks them, with facets.
func (x *Index) Search(q Query) (*Result, error) {
	per := q.PerPage
	if per <= 0 {
		per = 20
	}
	per = min(per, 100)
	page := max(q.Page, 1)
	top, err := buildQuery(q)
	if err != nil {
		return nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return nil, errors.New("search index is closed")
	}
	// A code prefix may match most of the archive: its hits are counted first, and facets
	// only when there are few enough.
	prefixed := len(prefixTerms(q)) > 0
	req := searchRequest(top, q.Text != "", per, page, !prefixed)
	res, err := x.idx.Search(req)
	if err != nil {
		return nil, err
	}
	took := res.Took
	omitted := prefixed && res.Total > facetLimit
	if prefixed && !omitted {
		fres, err := x.idx.Search(facetRequest(top))
		if err != nil {
			return nil, err
		}
		res.Facets, took = fres.Facets, took+fres.Took
	}
	out := &Result{Total: res.Total, Page: page, PerPage: per, Hits: make([]Hit, 0, len(res.Hits)),
		Facets: facetCounts(res.Facets), FacetsOmitted: omitted, TookMS: float64(took.Microseconds()) / 1000}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, hitOf(h))
	}
	return out, nil
}

// buildQuery is the conjunction of what q names: text in the OCR text or title (textQuery),
// keyword fields matched whole or by prefix, the applicant by words, filing dates as a range;
// all when empty.
func buildQuery(q Query) (query.Query, error) {
	var must []query.Query
	tq, err := textQuery(q.Text)
	if err != nil {
		return nil, err
	}
	if tq != nil {
		must = append(must, tq)
	}
	for field, p := range map[string]string{fields.IDNumbers: q.IDPrefix, fields.USCC: q.USCCPrefix} {
		if p = strings.TrimSuffix(strings.TrimSpace(p), "*"); p == "" {
			continue
		}
		pq, err := codePrefix(p, field)
		if err != nil {
			return nil, err
		}
		must = append(must, pq)
	}
	// An ID number or credit code typed in part (the first digits people remember) is looked
	// for by its beginning, in its own kind of code.
	idNumber, uscc := codeField(q.IDNumber), codeField(q.USCC)
	for field, p := range map[string]string{fields.IDNumbers: idNumber, fields.USCC: uscc} {
		if p == "" || len(p) >= maxPrefixTerm {
			continue
		}
		pq, err := codePrefix(p, field)
		if err != nil {
			return nil, err
		}
		must = append(must, pq)
	}
	if len(idNumber) < maxPrefixTerm {
		idNumber = ""
	}
	if len(uscc) < maxPrefixTerm {
		uscc = ""
	}
	for field, v := range map[string]string{"type": q.Type, "case_no": q.CaseNo, fields.IDNumbers: idNumber,
		fields.USCC: uscc, "matter": q.Matter, "departments": q.Department,
		"archival_code": q.ArchivalCode} {
		if v == "" {
			continue
		}
		tq := bleve.NewTermQuery(v)
		tq.SetField(field)
		must = append(must, tq)
	}
	if a := strings.TrimSpace(q.Applicant); a != "" {
		mq := bleve.NewMatchQuery(a)
		mq.SetField("applicant")
		mq.SetOperator(query.MatchQueryOperatorAnd)
		must = append(must, mq)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		var from, to time.Time
		if !q.From.IsZero() {
			from = q.From
		}
		if !q.To.IsZero() {
			to = q.To.AddDate(0, 0, 1)
		}
		yes, no := true, false
		dq := bleve.NewDateRangeInclusiveQuery(from, to, &yes, &no)
		dq.SetField("filed_at")
		must = append(must, dq)
	}
	switch len(must) {
	case 0:
		return bleve.NewMatchAllQuery(), nil
	case 1:
		return must[0], nil
	}
	return bleve.NewConjunctionQuery(must...), nil
}

// codeField is a code as typed into a field: upper case, half width, without spaces or a
// trailing *.
func codeField(v string) string {
	v = strings.Join(strings.Fields(strings.ToUpper(foldWidth(v))), "")
	return strings.TrimSuffix(v, "*")
}

// searchRequest asks for one page of top with the fields hits show and, if facets, the
// facets; a text search is ranked and highlighted, any other is newest first.
func searchRequest(top query.Query, text bool, per, page int, facets bool) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(top, per, (page-1)*per, false)
	req.Fields = []string{"case_no", "type", "title", "text", "filed_at", "applicant", "matter", "archival_code"}
	if text {
		req.Highlight = bleve.NewHighlightWithStyle("html")
		req.Highlight.AddField("text")
	} else {
		req.SortBy([]string{"-filed_at", "_id"})
	}
	if facets {
		addFacets(req)
	}
	return req
}

// facetRequest asks for the facets of top alone, no hits.
func facetRequest(top query.Query) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(top, 0, 0, false)
	addFacets(req)
	return req
}

func addFacets(req *bleve.SearchRequest) {
	for _, f := range facetFields {
		req.AddFacet(f, bleve.NewFacetRequest(f, 20))
	}
}

// facetFields are counted for every search, twenty values each.
var facetFields = []string{"type", "case_no", "matter", "departments"}

// facetCounts turns Bleve's facets into value counts; an empty facet is [], not null.
func facetCounts(facets search.FacetResults) map[string][]FacetCount {
	out := map[string][]FacetCount{}
	for name, f := range facets {
		counts := []FacetCount{}
		if f.Terms != nil {
			for _, t := range f.Terms.Terms() {
				counts = append(counts, FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		out[name] = counts
	}
	return out
}

// hitOf is a found document with its snippet: the first highlighted fragment of its text
// when the search had text, else the text's beginning.
func hitOf(h *search.DocumentMatch) Hit {
	hit := Hit{DocumentID: h.ID, Score: h.Score, CaseNo: str(h.Fields["case_no"]), Type: str(h.Fields["type"]),
		Title: str(h.Fields["title"]), FiledAt: str(h.Fields["filed_at"]), Applicant: str(h.Fields["applicant"]),
		Matter: str(h.Fields["matter"]), ArchivalCode: str(h.Fields["archival_code"])}
	if frags := h.Fragments["text"]; len(frags) > 0 {
		hit.Highlight = frags[0]
		hit.Snippet = stripMarks(frags[0])
	} else {
		hit.Snippet = head(str(h.Fields["text"]), 120)
	}
	return hit
}

func str(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []any:
		if len(s) > 0 {
			return str(s[0])
		}
	}
	return ""
}

var markTags = regexp.MustCompile(`</?mark>`)

func stripMarks(s string) string {
	s = markTags.ReplaceAllString(s, "")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`, "&#39;", "'", "…", "").Replace(s)
}

func head(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}
