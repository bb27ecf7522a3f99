package desk

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"onewindow/api"
	"onewindow/archive"
	"onewindow/internal/errs"
)

// Routes adds the archive calls to the API; it fits api.Server.Extra.
func (d *Desk) Routes(mux *http.ServeMux, auth func(roles []string, h api.HandlerFunc) http.Handler) {
	archivist := []string{api.RoleArchivist}
	mux.Handle("GET /api/v1/search", auth(archivist, d.search))
	mux.Handle("GET /api/v1/export", auth(archivist, d.export))
	mux.Handle("POST /api/v1/admin/reindex", auth(nil, d.reindex))
	mux.Handle("POST /api/v1/admin/fixity", auth(nil, d.fixity))
	mux.Handle("GET /api/v1/report", auth(archivist, d.report))
	mux.Handle("GET /api/v1/documents/{id}/link", auth(archivist, d.link))
	mux.Handle("GET /api/v1/documents/{id}/events", auth(archivist, d.events))
	mux.Handle("PUT /api/v1/admin/documents/{id}/legal-hold", auth(nil, d.legalHold))
	mux.Handle("POST /api/v1/admin/audit/verify", auth(nil, d.verifyAudit))
}

func badParam(name, why string) error {
	return errs.E("desk.search", errs.Invalid, "bad_parameter", "Parameter "+name+": "+why, nil)
}

func (d *Desk) search(w http.ResponseWriter, r *http.Request, p api.Principal) error {
	if d.Index == nil {
		return errs.E("desk.search", errs.Unavailable, "search_unavailable", "This process keeps no search index.", nil)
	}
	v := r.URL.Query()
	q := archive.Query{Text: v.Get("q"), Type: v.Get("type"), CaseNo: v.Get("case_no"), IDNumber: v.Get("id_number"),
		USCC: v.Get("uscc"), Applicant: v.Get("applicant"), Matter: v.Get("matter"), Department: v.Get("department"),
		ArchivalCode: v.Get("archival_code")}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(f.name); s != "" {
			t, err := time.Parse("2006-01-02", s)
			if err != nil {
				return badParam(f.name, "use YYYY-MM-DD.")
			}
			*f.dst = t
		}
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"page", &q.Page}, {"per_page", &q.PerPage}} {
		if s := v.Get(f.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 10000 {
				return badParam(f.name, "use a positive whole number.")
			}
			*f.dst = n
		}
	}
	res, err := d.Index.Search(q)
	if err != nil {
		return errs.E("desk.search", errs.Internal, "search_failed", "The search failed.", err)
	}
	if !seesFullIDs(p.Role) {
		for i := range res.Hits {
			res.Hits[i].Snippet = MaskIDs(res.Hits[i].Snippet)
			res.Hits[i].Highlight = MaskIDs(res.Hits[i].Highlight)
		}
	}
	api.WriteJSON(w, http.StatusOK, res)
	return nil
}

// seesFullIDs mirrors the API's rule: those who handle cases see ID numbers in full.
func seesFullIDs(role string) bool {
	return role == api.RoleAdmin || role == api.RoleArchivist || role == api.RoleScanner || role == api.RoleReviewer
}

// MaskIDs masks every resident ID number in text (api.MaskID).
func MaskIDs(text string) string {
	return archive.IDNumberPattern.ReplaceAllStringFunc(text, api.MaskID)
}

func (d *Desk) export(w http.ResponseWriter, r *http.Request, p api.Principal) error {
	caseNo := r.URL.Query().Get("case_no")
	if caseNo == "" {
		return badParam("case_no", "name the case to export.")
	}
	recs, err := d.CaseRecords(r.Context(), caseNo)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return errs.E("desk.export", errs.NotFound, "case_not_found", "No filed documents have that case number.", nil)
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeName(caseNo)+`.bag.zip"`)
	w.WriteHeader(http.StatusOK)
	if err := archive.WriteBag(r.Context(), w, d.Blobs, recs, d.bagInfo(caseNo)); err != nil {
		// Too late for an error body: the client sees a truncated zip that fails to open.
		d.Log.Error("export interrupted", "case_no", caseNo, "by", p.Name, "err", err)
	}
	d.Log.Info("case exported", "case_no", caseNo, "documents", len(recs), "by", p.Name)
	return nil
}

func (d *Desk) bagInfo(caseNo string) archive.BagInfo {
	return archive.BagInfo{SourceOrganization: d.HallName, ExternalIdentifier: caseNo,
		Description: "Case " + caseNo + " as filed by onewindow"}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string {
	s = strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_")
	if s == "" {
		return "case"
	}
	return s
}

func (d *Desk) reindex(w http.ResponseWriter, r *http.Request, p api.Principal) error {
	d.Log.Info("reindex requested", "by", p.Name)
	res, err := d.Reindex(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (d *Desk) fixity(w http.ResponseWriter, r *http.Request, p api.Principal) error {
	d.Log.Info("fixity run requested", "by", p.Name)
	rep, err := d.Fixity(r.Context(), archive.DefaultFixityReaders)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (d *Desk) verifyAudit(w http.ResponseWriter, r *http.Request, p api.Principal) error {
	v, err := d.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, v)
	return nil
}

// events answers a document's provenance: the events its record was filed with, then those
// filed beside it since (legal holds, imports, accesses), oldest first.
func (d *Desk) events(w http.ResponseWriter, r *http.Request, _ api.Principal) error {
	id := r.PathValue("id")
	rec, err := archive.ReadRecord(r.Context(), d.Blobs, id)
	if err != nil {
		return err
	}
	later, err := archive.LoadEvents(r.Context(), d.Blobs, id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"document_id": id, "events": append(rec.Events, later...)})
	return nil
}
