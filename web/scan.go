package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// docTypes is the contract's default taxonomy, in the order the type menu lists it.
var docTypes = []string{"application_form", "id_card", "business_license", "power_of_attorney", "commitment_letter",
	"property_certificate", "household_register", "articles_of_association", "foreign_document", "other"}

type scanData struct {
	Idem   string
	Fields map[string]string
	Recent []batchSummary
}

func (s *site) scanForm(w http.ResponseWriter, rq *req) {
	fields := map[string]string{"case_no": rq.URL.Query().Get("case_no"), "station": rq.s.P.Station, "source": "scan"}
	s.render(w, rq, http.StatusOK, "scan.html", "scan.title", scanData{Idem: nonce(), Fields: fields, Recent: s.recentBatches(rq)})
}

// recentBatches are the station's latest batches, when the role may list them, each station
// in words.
func (s *site) recentBatches(rq *req) []batchSummary {
	var list batchList
	if s.getJSON(rq, "/api/v1/batches?per_page=10", &list) != nil {
		return nil
	}
	var names departmentNames
	for i, b := range list.Batches {
		if isDepartmentStation(b.Station) && names == nil {
			names = s.departmentNames(rq)
		}
		list.Batches[i].StationName = rq.l.Station(b.Station, names)
	}
	return list.Batches
}

// departmentStation is the station a department's uploaded result is filed under.
const departmentStation = "department:"

func isDepartmentStation(station string) bool { return strings.HasPrefix(station, departmentStation) }

// Station is where a batch was scanned: a scan station's name as typed, or for a result a
// department uploaded, the department's name from the departments file (names), never its ID.
func (l lang) Station(station string, names departmentNames) string {
	id, ok := strings.CutPrefix(station, departmentStation)
	if !ok {
		return station
	}
	return fmt.Sprintf(l.T("scan.station_department"), names.of(id))
}

// errStopped ends the part copier when the API stops reading early (a refused upload).
var errStopped = errors.New("the API stopped reading the upload")

// scanUpload forwards the browser's multipart form to POST /api/v1/batches part by part
// through a pipe, so an upload of hundreds of pages is never held in memory. The form puts
// the CSRF token and the idempotency key first, so they are checked before any file is read.
func (s *site) scanUpload(w http.ResponseWriter, rq *req) {
	fields := map[string]string{}
	e := s.forwardUpload(rq, "/api/v1/batches", fields, func(rec *recorder) {
		var out struct{ ID string }
		_ = json.Unmarshal(rec.body.Bytes(), &out)
		http.Redirect(w, rq.Request, "/batches/"+url.PathEscape(out.ID), http.StatusSeeOther)
	})
	if e == nil {
		return
	}
	if e.Code == "bad_csrf" {
		s.renderError(w, rq, e)
		return
	}
	v := s.viewFor(rq, "scan.title", scanData{Idem: nonce(), Fields: fields, Recent: s.recentBatches(rq)})
	v.Err = e
	s.renderView(w, rq.Request, e.Status, "scan.html", v)
}

// forwardUpload streams a multipart upload to the API path; ok is called with a 2xx answer.
// Small fields are copied into fields so that a refused form can be shown again filled in.
func (s *site) forwardUpload(rq *req, path string, fields map[string]string, ok func(*recorder)) *apiError {
	mr, err := rq.MultipartReader()
	if err != nil {
		return &apiError{Status: http.StatusBadRequest, Code: "bad_request"}
	}
	var token, idem string
	var first *multipart.Part
	for first == nil {
		part, err := mr.NextPart()
		if err != nil {
			return &apiError{Status: http.StatusBadRequest, Code: "no_file"}
		}
		switch part.FormName() {
		case csrfField:
			token = readSmall(part)
		case "idem":
			idem = readSmall(part)
		default:
			first = part
		}
	}
	if !s.keys.checkCSRF(rq.s.Nonce, token) {
		return &apiError{Status: http.StatusForbidden, Code: "bad_csrf"}
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		pw.CloseWithError(copyParts(first, mr, mw, fields))
	}()
	hdr := http.Header{"Content-Type": {mw.FormDataContentType()}}
	if idem != "" {
		hdr.Set("Idempotency-Key", idem)
	}
	rec := s.call(rq.Request, rq.s.P, http.MethodPost, path, pr, hdr)
	pr.CloseWithError(errStopped)
	<-copied
	if e := errorOf(rec); e != nil {
		return e
	}
	ok(rec)
	return nil
}

func readSmall(part *multipart.Part) string {
	b, _ := io.ReadAll(io.LimitReader(part, 1024))
	return strings.TrimSpace(string(b))
}

// copyParts re-emits the browser's parts, skipping the empty file part a browser sends when
// no file was picked, and keeps the small fields' values.
func copyParts(part *multipart.Part, mr *multipart.Reader, mw *multipart.Writer, fields map[string]string) error {
	for ; ; part = nil {
		if part == nil {
			var err error
			if part, err = mr.NextPart(); err == io.EOF {
				return mw.Close()
			} else if err != nil {
				return err
			}
		}
		if part.FileName() == "" && part.FormName() == "file" {
			continue
		}
		dst, err := mw.CreatePart(part.Header)
		if err != nil {
			return err
		}
		if part.FileName() == "" {
			v := readSmall(part)
			fields[part.FormName()] = v
			if _, err := io.WriteString(dst, v); err != nil {
				return err
			}
			continue
		}
		if _, err := io.Copy(dst, part); err != nil {
			return err
		}
	}
}

// batch is GET /api/v1/batches/{id} as the pages use it.
type batch struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	PagesTotal int    `json:"pages_total"`
	PagesDone  int    `json:"pages_done"`
	Error      *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Documents    []document `json:"documents"`
	DroppedPages []struct {
		Index  int    `json:"index"`
		Reason string `json:"reason"`
	} `json:"dropped_pages"`
	CaseNo    string    `json:"case_no"`
	Station   string    `json:"station"`
	Source    string    `json:"source"`
	Applicant string    `json:"applicant"`
	Matter    string    `json:"matter"`
	CreatedAt time.Time `json:"created_at"`
	// StationName is Station in words (a department's name for its uploaded result).
	StationName string `json:"-"`
}

type document struct {
	ID           string              `json:"id"`
	BatchID      string              `json:"batch_id"`
	CaseNo       string              `json:"case_no"`
	Type         string              `json:"type"`
	Title        string              `json:"title"`
	Confidence   float64             `json:"confidence"`
	NeedsReview  bool                `json:"needs_review"`
	Pages        []int               `json:"pages"`
	Fields       map[string][]string `json:"fields"`
	SHA256       string              `json:"sha256"`
	ArchivalCode string              `json:"archival_code"`
	Applicant    string              `json:"applicant"`
	Matter       string              `json:"matter"`
	CreatedAt    time.Time           `json:"created_at"`
	SupersededBy []string            `json:"superseded_by"`
	ReviewedBy   string              `json:"reviewed_by"`
	Rotations    map[int]int         `json:"rotations"` // pages a reviewer turned, clockwise degrees
	// Signature is the filed copy's signature as GET /api/v1/documents/{id} checked it.
	Signature *struct {
		Valid     bool      `json:"valid"`
		Signer    string    `json:"signer"`
		SignedAt  time.Time `json:"signed_at"`
		Timestamp time.Time `json:"timestamp"` // zero: not time-stamped
		Intact    bool      `json:"intact"`
		Reason    string    `json:"reason"`
	} `json:"signature"`
}

type batchData struct {
	B        batch
	Progress progress
	Types    []string
	// Pending says a correction is still being filed; the page then looks again shortly.
	Pending bool
}

// refileWait bounds how long the batch page waits for a correction to be filed before it
// shows the batch as it is and looks again by itself.
const refileWait = 15 * time.Second

func (s *site) batchPage(w http.ResponseWriter, rq *req) {
	var b batch
	path := "/api/v1/batches/" + url.PathEscape(rq.PathValue("id"))
	pending, e := s.afterCorrection(rq, func() ([]document, *apiError) {
		b = batch{}
		e := s.getJSON(rq, path, &b)
		return b.Documents, e
	})
	if e != nil {
		s.renderError(w, rq, e)
		return
	}
	var names departmentNames
	if isDepartmentStation(b.Station) {
		names = s.departmentNames(rq)
	}
	b.StationName = rq.l.Station(b.Station, names)
	// needs_review first, so that the documents to look at are at the top
	slices.SortStableFunc(b.Documents, func(x, y document) int {
		switch {
		case x.NeedsReview && !y.NeedsReview:
			return -1
		case !x.NeedsReview && y.NeedsReview:
			return 1
		}
		return 0
	})
	s.render(w, rq, http.StatusOK, "batch.html", "batch.title", batchData{B: b, Progress: progressOf(rq.l, &b), Types: docTypes, Pending: pending})
}

// afterCorrection reads a page's documents; after a correction (?after= a replaced document)
// it reads again until that document is gone, for refileWait at most, so that the page shows
// the correction's result rather than what it replaces. pending: not filed yet.
func (s *site) afterCorrection(rq *req, read func() ([]document, *apiError)) (pending bool, e *apiError) {
	after := rq.URL.Query().Get("after")
	listed := func(docs []document) bool {
		return after != "" && slices.ContainsFunc(docs, func(d document) bool { return d.ID == after })
	}
	for deadline := time.Now().Add(refileWait); ; {
		docs, e := read()
		if e != nil {
			return false, e
		}
		if pending = listed(docs); !pending || time.Now().After(deadline) {
			break
		}
		select {
		case <-rq.Context().Done():
			return true, nil
		case <-time.After(s.opts.PollEvery):
		}
	}
	if q := rq.URL.Query(); after != "" && !pending && rq.l.Has("flash."+q.Get("m")+"_filed") {
		q.Set("m", q.Get("m")+"_filed") // filed by now: say so, not that it is still under way
		rq.URL.RawQuery = q.Encode()
	}
	return pending, nil
}

// progress is one step of a batch as the live page shows it.
type progress struct {
	Status  string `json:"status"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Percent int    `json:"percent"`
	Stage   string `json:"stage"`
	Error   string `json:"error,omitempty"` // the code's words in the page's language
	Code    string `json:"code,omitempty"`  // the error's code, for the small print
	Final   bool   `json:"final"`
}

func progressOf(l lang, b *batch) progress {
	p := progress{Status: b.Status, Done: b.PagesDone, Total: b.PagesTotal, Final: b.Status == "done" || b.Status == "failed"}
	if b.PagesTotal > 0 {
		p.Percent = min(100, b.PagesDone*100/b.PagesTotal)
	}
	switch {
	case b.Status == "queued":
		p.Stage = l.T("stage.queued")
	case b.Status == "processing" && b.PagesDone < b.PagesTotal:
		p.Stage = fmt.Sprintf(l.T("stage.pages"), b.PagesDone, b.PagesTotal)
	case b.Status == "processing":
		p.Stage = l.T("stage.assembling")
	case b.Status == "done":
		p.Stage, p.Percent = l.T("stage.done"), 100
	case b.Status == "failed":
		p.Stage = l.T("stage.failed")
		if b.Error != nil {
			p.Error, p.Code = l.Err(b.Error.Code), b.Error.Code
		}
	default:
		p.Stage = b.Status
	}
	return p
}

// batchProgress streams a batch's progress as server-sent events, polling the API here rather
// than in every browser; it ends with a final event when the batch is done or failed.
func (s *site) batchProgress(w http.ResponseWriter, rq *req) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	path := "/api/v1/batches/" + url.PathEscape(rq.PathValue("id"))
	tick := time.NewTicker(s.opts.PollEvery)
	defer tick.Stop()
	last := ""
	for {
		var b batch
		var p progress
		if e := s.getJSON(rq, path, &b); e != nil {
			p = progress{Status: "error", Stage: rq.l.Err(e.Code), Code: e.Code, Final: true}
		} else {
			p = progressOf(rq.l, &b)
		}
		raw, _ := json.Marshal(p)
		if string(raw) != last {
			last = string(raw)
			if _, err := fmt.Fprintf(w, "event: progress\ndata: %s\n\n", raw); err != nil {
				return
			}
			_ = rc.Flush()
		}
		if p.Final {
			return
		}
		select {
		case <-rq.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// retype fixes a document's type through PATCH /api/v1/documents/{id}, then shows the batch
// once the document is filed anew with its new type.
func (s *site) retype(w http.ResponseWriter, rq *req) {
	body := map[string]string{"type": rq.PostFormValue("type"), "reason": rq.PostFormValue("reason")}
	var acc correctionQueued
	if e := s.sendJSON(rq, http.MethodPatch, "/api/v1/documents/"+url.PathEscape(rq.PathValue("id")), body, nil, &acc); e != nil {
		s.renderError(w, rq, e)
		return
	}
	s.backToBatch(w, rq, "retyped", acc.replaced())
}

// correctionQueued is the API's answer to a correction: the documents it replaces.
type correctionQueued struct {
	Replaces []string `json:"replaces"`
}

// replaced names one replaced document: the batch page waits until it is gone.
func (c correctionQueued) replaced() string {
	if len(c.Replaces) == 0 {
		return ""
	}
	return c.Replaces[0]
}

// confirm says a document's type is right: POST /api/v1/documents/{id}/confirm.
func (s *site) confirm(w http.ResponseWriter, rq *req) {
	if e := s.sendJSON(rq, http.MethodPost, "/api/v1/documents/"+url.PathEscape(rq.PathValue("id"))+"/confirm", nil, nil, nil); e != nil {
		s.renderError(w, rq, e)
		return
	}
	s.backToBatch(w, rq, "confirmed", "")
}

// regroup moves pages between documents, splits and merges: rows of 1-based page lists and
// types become PUT /api/v1/batches/{id}/documents.
func (s *site) regroup(w http.ResponseWriter, rq *req) {
	type group struct {
		Pages     []int       `json:"pages"`
		Type      string      `json:"type,omitempty"`
		Rotations map[int]int `json:"rotations,omitempty"`
	}
	var groups []group
	rows, _ := strconv.Atoi(rq.PostFormValue("rows"))
	for i := 0; i < min(rows, 500); i++ {
		raw := strings.TrimSpace(rq.PostFormValue(fmt.Sprintf("pages_%d", i)))
		if raw == "" {
			continue
		}
		pages, ok := parsePageList(raw)
		if !ok {
			s.renderError(w, rq, &apiError{Status: http.StatusBadRequest, Code: "bad_page_list", Message: raw})
			return
		}
		g := group{Pages: pages, Type: rq.PostFormValue(fmt.Sprintf("type_%d", i))}
		// Each page's turn, from its select (rotate_<upload index>); a page without one keeps its turn.
		for _, pg := range pages {
			raw := rq.PostFormValue(fmt.Sprintf("rotate_%d", pg))
			if raw == "" {
				continue
			}
			deg, err := strconv.Atoi(raw)
			if err != nil {
				s.renderError(w, rq, &apiError{Status: http.StatusBadRequest, Code: "bad_rotation", Message: raw})
				return
			}
			if g.Rotations == nil {
				g.Rotations = map[int]int{}
			}
			g.Rotations[pg] = deg
		}
		groups = append(groups, g)
	}
	body := map[string]any{"documents": groups, "reason": rq.PostFormValue("reason")}
	id := rq.PathValue("id")
	var acc correctionQueued
	if e := s.sendJSON(rq, http.MethodPut, "/api/v1/batches/"+url.PathEscape(id)+"/documents", body, nil, &acc); e != nil {
		s.renderError(w, rq, e)
		return
	}
	http.Redirect(w, rq.Request, batchAfter(id, "regrouped", acc.replaced()), http.StatusSeeOther)
}

func (s *site) backToBatch(w http.ResponseWriter, rq *req, msg, replaced string) {
	to := pageAfter("/review", msg, replaced)
	if b := rq.PostFormValue("batch"); b != "" {
		to = batchAfter(b, msg, replaced)
	}
	http.Redirect(w, rq.Request, to, http.StatusSeeOther)
}

// batchAfter is the batch page after a correction; with replaced it waits until the
// correction is applied, so that the clerk sees the new type or grouping at once.
func batchAfter(id, msg, replaced string) string {
	return pageAfter("/batches/"+url.PathEscape(id), msg, replaced)
}

func pageAfter(path, msg, replaced string) string {
	v := url.Values{"m": {msg}}
	if replaced != "" {
		v.Set("after", replaced)
	}
	return path + "?" + v.Encode()
}

type reviewData struct {
	Total     int        `json:"total"`
	Documents []document `json:"documents"`
	Types     []string   `json:"-"`
	Pending   bool       `json:"-"`
}

func (s *site) reviewList(w http.ResponseWriter, rq *req) {
	var d reviewData
	pending, e := s.afterCorrection(rq, func() ([]document, *apiError) {
		d = reviewData{}
		e := s.getJSON(rq, "/api/v1/review?per_page=100", &d)
		return d.Documents, e
	})
	if e != nil {
		s.renderError(w, rq, e)
		return
	}
	d.Types, d.Pending = docTypes, pending
	s.render(w, rq, http.StatusOK, "review.html", "review.title", d)
}

// pageThumb streams a page's thumbnail from the API (its roles decide who sees one).
func (s *site) pageThumb(w http.ResponseWriter, rq *req) {
	s.stream(w, rq, "/api/v1/batches/"+url.PathEscape(rq.PathValue("id"))+"/pages/"+url.PathEscape(rq.PathValue("n"))+"/thumb", true)
}
