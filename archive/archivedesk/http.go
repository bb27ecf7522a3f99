package archivedesk

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"onewindow/archive"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
)

// Routes adds the archive calls to the API; it fits api.Server.Extra.
func (d *Desk) Routes(mux *http.ServeMux, authz httpx.Authorizer) {
	mux.Handle("GET /api/v1/search", authz(auth.CapArchiveRead, d.search))
	mux.Handle("GET /api/v1/export", authz(auth.CapArchiveRead, d.export))
	mux.Handle("POST /api/v1/admin/reindex", authz(auth.CapAdminister, d.reindex))
	mux.Handle("POST /api/v1/admin/fixity", authz(auth.CapAdminister, d.fixity))
	mux.Handle("GET /api/v1/report", authz(auth.CapArchiveRead, d.report))
	mux.Handle("GET /api/v1/documents/{id}/link", authz(auth.CapArchiveRead, d.link))
	mux.Handle("GET /api/v1/documents/{id}/events", authz(auth.CapArchiveRead, d.events))
	mux.Handle("PUT /api/v1/admin/documents/{id}/legal-hold", authz(auth.CapAdminister, d.legalHold))
	mux.Handle("POST /api/v1/admin/audit/verify", authz(auth.CapAdminister, d.verifyAudit))
}

func badParam(name, why string) error {
	return errs.E("desk.search", errs.Invalid, "bad_parameter", "Parameter "+name+": "+why, nil)
}

// dayRange reads the from and to days (YYYY-MM-DD, either may be missing) as the midnights
// that start them in the hall: a document filed at 00:30 Beijing time is filed that day.
func (d *Desk) dayRange(v url.Values, from, to *time.Time) error {
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", from}, {"to", to}} {
		if s := v.Get(f.name); s != "" {
			t, err := d.Days.ParseDate(s)
			if err != nil {
				return badParam(f.name, "use YYYY-MM-DD.")
			}
			*f.dst = t
		}
	}
	return nil
}

func (d *Desk) search(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if d.Index == nil {
		return errs.E("desk.search", errs.Unavailable, "search_unavailable", "This process keeps no search index.", nil)
	}
	v := r.URL.Query()
	if err := httpx.CheckQuery("desk.search", v, "q", "type", "case_no", "id_number", "uscc", "applicant", "matter",
		"department", "archival_code", "id_prefix", "uscc_prefix", "from", "to", "page", "per_page", "purpose"); err != nil {
		return err
	}
	q := archive.Query{Text: v.Get("q"), Type: v.Get("type"), CaseNo: v.Get("case_no"), IDNumber: v.Get("id_number"),
		USCC: v.Get("uscc"), Applicant: v.Get("applicant"), Matter: v.Get("matter"), Department: v.Get("department"),
		ArchivalCode: v.Get("archival_code"), IDPrefix: v.Get("id_prefix"), USCCPrefix: v.Get("uscc_prefix")}
	if err := d.dayRange(v, &q.From, &q.To); err != nil {
		return err
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
	if errors.Is(err, archive.ErrShortPrefix) {
		return badParam("q", "a code prefix needs at least "+strconv.Itoa(archive.MinPrefix)+" characters.")
	}
	if err != nil {
		return errs.E("desk.search", errs.Internal, "search_failed", "The search failed.", err)
	}
	if !p.SeesFullIDs() {
		for i := range res.Hits {
			res.Hits[i].Snippet = auth.MaskIDs(res.Hits[i].Snippet)
			res.Hits[i].Highlight = auth.MaskIDs(res.Hits[i].Highlight)
		}
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (d *Desk) export(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
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
	// RFC 8493 §4.2: the zip is named after the bag's base directory, with an extension.
	w.Header().Set("Content-Disposition", `attachment; filename="`+archive.BagName(caseNo)+`.zip"`)
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
		Description: "Case " + caseNo + " as filed by onewindow", Signer: d.bagSigner()}
}

func (d *Desk) reindex(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d.Log.Info("reindex requested", "by", p.Name)
	res, err := d.Reindex(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (d *Desk) fixity(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d.Log.Info("fixity run requested", "by", p.Name)
	rep, err := d.Fixity(r.Context(), archive.DefaultFixityReaders)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (d *Desk) verifyAudit(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	v, err := d.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

// events answers a document's provenance: the events its record was filed with, then those
// filed beside it since (legal holds, imports, accesses), oldest first.
func (d *Desk) events(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	id := r.PathValue("id")
	rec, err := archive.ReadRecord(r.Context(), d.Blobs, id)
	if err != nil {
		return err
	}
	later, err := archive.LoadEvents(r.Context(), d.Blobs, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"document_id": id, "events": append(rec.Events, later...)})
	return nil
}
