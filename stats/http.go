package stats

import (
	"net/http"
	"time"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
)

func (s *Stats) routes() []httpx.Route {
	return []httpx.Route{
		{Pattern: "GET /api/v1/stats", Cap: auth.CapManage, H: s.getStats},
		{Pattern: "GET /api/v1/ratings", Cap: auth.CapManage, H: s.ratingsList},
		{Pattern: "POST /api/v1/ratings/{case_no}/outcome", Cap: auth.CapManage, H: s.postOutcome},
	}
}

// Routes adds the statistics API.
func (s *Stats) Routes(mux *http.ServeMux, authz httpx.Authorizer) {
	httpx.Handle(mux, authz, s.routes())
}

// getStats answers GET /api/v1/stats?from=&to=[&format=json|csv|xlsx|pdf]; month=YYYY-MM
// stands for the first to the last day of that month.
func (s *Stats) getStats(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	const op = "stats.get"
	q := r.URL.Query()
	if err := httpx.CheckQuery(op, q, "from", "to", "month", "format", "matter", "window", "clerk", "department"); err != nil {
		return err
	}
	format := q.Get("format")
	switch format {
	case "", "json", "csv", "xlsx", "pdf":
	default:
		return errs.Errorf(op, errs.Invalid, "bad_format", "format must be json, csv, xlsx or pdf, not %q.", format)
	}
	lo, hi := q.Get("from"), q.Get("to")
	if m := q.Get("month"); m != "" {
		if lo != "" || hi != "" {
			return errs.Errorf(op, errs.Invalid, "bad_range", "Give either month or from and to, not both.")
		}
		var err error
		if lo, hi, err = monthRange(m); err != nil {
			return err
		}
	}
	from, to, err := s.ParseRange(lo, hi)
	if err != nil {
		return err
	}
	rep, err := s.Report(r.Context(), from, to, Filter{Matter: q.Get("matter"), Window: q.Get("window"), Clerk: q.Get("clerk"), Department: q.Get("department")})
	if err != nil {
		return err
	}
	name := "onewindow-stats-" + rep.From + "-" + rep.To
	switch format {
	case "csv":
		data, err := rep.CSV()
		if err != nil {
			return errs.E(op, errs.Internal, "", "", err)
		}
		return download(w, "text/csv; charset=utf-8", name+".csv", data)
	case "xlsx":
		data, err := rep.XLSX()
		if err != nil {
			return errs.E(op, errs.Internal, "", "", err)
		}
		return download(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name+".xlsx", data)
	case "pdf":
		data, err := rep.PDF(s.o.Catalogue().Hall.Name, s.o.FontPath, s.o.Clock.Now())
		if err != nil {
			return err
		}
		return download(w, "application/pdf", name+".pdf", data)
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// monthRange is the first and last date of month YYYY-MM.
func monthRange(month string) (string, string, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "", "", errs.Errorf("stats.month", errs.Invalid, "bad_month", "month must be YYYY-MM, e.g. 2026-11, not %q.", month)
	}
	return t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly), nil
}

func download(w http.ResponseWriter, contentType, name string, data []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(data)
	return err
}
