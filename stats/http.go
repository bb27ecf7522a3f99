package stats

import (
	"net/http"

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

// getStats answers GET /api/v1/stats?from=&to=[&format=json|csv|xlsx].
func (s *Stats) getStats(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	const op = "stats.get"
	q := r.URL.Query()
	if err := httpx.CheckQuery(op, q, "from", "to", "format", "matter", "window", "clerk", "department"); err != nil {
		return err
	}
	format := q.Get("format")
	switch format {
	case "", "json", "csv", "xlsx":
	default:
		return errs.Errorf(op, errs.Invalid, "bad_format", "format must be json, csv or xlsx, not %q.", format)
	}
	from, to, err := s.ParseRange(q.Get("from"), q.Get("to"))
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
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func download(w http.ResponseWriter, contentType, name string, data []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(data)
	return err
}
