package archivedesk

import (
	"context"
	"io"
	"net/http"

	"time"

	"onewindow/archive"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/storage"
)

// ReportScope selects the documents of a four-properties report: a case, or those filed in a
// date range (inclusive days, the hall's: midnights in its zone, as Desk.Days parses them).
type ReportScope struct {
	CaseNo   string
	From, To time.Time
}

func (s ReportScope) String() string {
	if s.CaseNo != "" {
		return "case " + s.CaseNo
	}
	from, to := "the beginning", "today"
	if !s.From.IsZero() {
		from = s.From.Format("2006-01-02")
	}
	if !s.To.IsZero() {
		to = s.To.Format("2006-01-02")
	}
	return "filed from " + from + " to " + to
}

// Records reads the records the scope selects. A date range reads every record key once (the
// report is rare and must not depend on the derived search index).
func (d *Desk) Records(ctx context.Context, s ReportScope) ([]*archive.Record, error) {
	if s.CaseNo != "" {
		return d.CaseRecords(ctx, s.CaseNo)
	}
	var recs []*archive.Record
	for key, err := range archive.RecordKeys(ctx, d.Blobs) {
		if err != nil {
			return nil, err
		}
		id, _ := storage.DocumentOfRecordKey(key)
		rec, err := archive.ReadRecord(ctx, d.Blobs, id)
		if err != nil {
			return nil, err
		}
		if (!s.From.IsZero() && rec.FiledAt.Before(s.From)) || (!s.To.IsZero() && !rec.FiledAt.Before(s.To.AddDate(0, 0, 1))) {
			continue
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// accessNote describes the access controls in force, for the security property.
func (d *Desk) accessNote() string {
	n := "bearer tokens with roles; documents readable by admin, scanner, archivist, reviewer, viewer (resident IDs masked for viewer); search, export and reports for archivist and admin"
	if d.Audit != nil {
		n += "; every search, view, link and export is logged in the hash-chained access audit"
	} else {
		n += "; access audit OFF in this process"
	}
	return n
}

// Report runs the four-properties check of DA/T 70 over the scope.
func (d *Desk) Report(ctx context.Context, s ReportScope) (*archive.PropertiesReport, error) {
	recs, err := d.Records(ctx, s)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, errs.E("desk.Report", errs.NotFound, "no_documents", "No filed documents in that scope.", nil)
	}
	return archive.FourProperties(ctx, d.Blobs, recs, archive.ReportOptions{Scope: s.String(), Policy: d.Policy, Access: d.accessNote(), Now: d.Clock.Now(),
		SignatureRoots: d.SignatureRoots})
}

func (d *Desk) report(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	s := ReportScope{CaseNo: q.Get("case_no")}
	if err := d.dayRange(q, &s.From, &s.To); err != nil {
		return err
	}
	if s.CaseNo == "" && s.From.IsZero() && s.To.IsZero() {
		return badParam("case_no", "name a case, or a date range with from and to.")
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "pdf" {
		return badParam("format", "use json or pdf.")
	}
	rep, err := d.Report(r.Context(), s)
	if err != nil {
		return err
	}
	if format == "pdf" {
		pdf, err := d.ReportPDF(r.Context(), rep)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `inline; filename="four-properties.pdf"`)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(pdf)
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// ImportBag files a zipped bag's documents into this installation and then reindexes, so the
// documents are in Redis and search as if filed here.
func (d *Desk) ImportBag(ctx context.Context, r io.ReaderAt, size int64) (*archive.ImportResult, *ReindexResult, error) {
	res, err := archive.ImportBag(ctx, d.Blobs, r, size, "onewindow import-bag@"+d.Origin, d.Clock)
	if err != nil {
		return res, nil, err
	}
	re, err := d.Reindex(ctx)
	return res, re, err
}
