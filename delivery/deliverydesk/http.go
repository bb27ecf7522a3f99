package deliverydesk

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"onewindow/cases"
	"onewindow/delivery"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/storage"
)

// routes says what each call needs (auth.Can decides); a department sees only its own.
func (d *Desk) routes() []httpx.Route {
	return []httpx.Route{
		{Pattern: "GET /api/v1/departments", Cap: auth.CapDeliveryRead, H: d.listDepartments},
		{Pattern: "GET /api/v1/deliveries", Cap: auth.CapDeliveryRead, H: d.listDeliveries},
		{Pattern: "GET /api/v1/deliveries/dead", Cap: auth.CapDeliveryPush, H: d.deadLetters},
		{Pattern: "GET /api/v1/deliveries/{key}", Cap: auth.CapDeliveryRead, H: d.getDelivery},
		{Pattern: "GET /api/v1/deliveries/{key}/manifest", Cap: auth.CapDeliveryRead, H: d.getManifest},
		{Pattern: "POST /api/v1/deliveries/{key}/ack", Cap: auth.CapDepartment, H: d.ack},
		{Pattern: "POST /api/v1/deliveries/{key}/repush", Cap: auth.CapDeliveryPush, H: d.repush},
		{Pattern: "GET /api/v1/cases/{case_no}/deliveries", Cap: auth.CapDeliveryRead, H: d.caseDeliveries},
		{Pattern: "POST /api/v1/cases/{case_no}/packages", Cap: auth.CapDeliveryPush, H: d.postPackages},
		{Pattern: "POST /api/v1/cases/{case_no}/results", Cap: auth.CapDepartment, H: d.postResult},
		{Pattern: "POST /api/v1/cases/{case_no}/handout", Cap: auth.CapCaseWindow, H: d.postHandout},
		{Pattern: "GET /api/v1/cases/{case_no}/handout/signature", Cap: auth.CapDeliveryRead, H: d.getHandoutSignature},
	}
}

// Routes adds the delivery desk's API.
func (d *Desk) Routes(mux *http.ServeMux, authz httpx.Authorizer) {
	httpx.Handle(mux, authz, d.routes())
}

// departmentOf is the department a request speaks for: a department principal's own, which
// the departments file must know; "" for the hall's roles, which see every department.
func (d *Desk) departmentOf(p auth.Principal) (string, error) {
	dept, own := p.OwnDepartment()
	if !own {
		return "", nil
	}
	if _, ok := d.o.Registry.Current().Get(dept); !ok || dept == "" {
		return "", errs.Errorf("desk.departmentOf", errs.Forbidden, "unknown_department",
			"The token's department %q is not in the departments file.", dept)
	}
	return dept, nil
}

// listDeliveries: GET /api/v1/deliveries?state=pending|delivered|acknowledged|failed&case_no=.
func (d *Desk) listDeliveries(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	dept, err := d.departmentOf(p)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	state := q.Get("state")
	if state != "" && !slices.Contains(storage.DeliveryStates, state) {
		return errs.Errorf("desk.listDeliveries", errs.Invalid, "bad_state", "state must be pending, delivered, acknowledged or failed.")
	}
	if f := q.Get("department"); f != "" && dept == "" {
		dept = f
	}
	var recs []delivery.Delivery
	if no := q.Get("case_no"); no != "" {
		recs, err = d.tracker.Case(r.Context(), no)
	} else {
		recs, err = d.tracker.List(r.Context(), storage.DeliveryQuery{State: state, Department: dept})
	}
	if err != nil {
		return err
	}
	recs = slices.DeleteFunc(recs, func(x delivery.Delivery) bool {
		return (dept != "" && x.Department != dept) || (state != "" && string(x.State) != state)
	})
	if err := d.markAnswered(r.Context(), recs); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"count": len(recs), "deliveries": recs})
	return nil
}

// departmentInfo is what the pages and other systems may know of a department: never its
// address, bucket or secret.
type departmentInfo struct {
	ID   string        `json:"id"`
	Name string        `json:"name"`
	Kind delivery.Kind `json:"kind"`
}

// listDepartments lists the departments of the departments file by ID, for the pages to show
// their names.
func (d *Desk) listDepartments(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	all := d.o.Registry.Current().All()
	out := make([]departmentInfo, 0, len(all))
	for _, x := range all {
		name := x.Name
		if name == "" {
			name = x.ID
		}
		out = append(out, departmentInfo{ID: x.ID, Name: name, Kind: x.Kind})
	}
	slices.SortFunc(out, func(a, b departmentInfo) int { return strings.Compare(a.ID, b.ID) })
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"departments": out})
	return nil
}

// deadLetters lists the deliveries given up on, for the hall's staff to re-push.
func (d *Desk) deadLetters(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	recs, err := d.tracker.List(r.Context(), storage.DeliveryQuery{Dead: true})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"count": len(recs), "deliveries": recs})
	return nil
}

// owned reads a delivery a request may see: a department only its own (another's is 404,
// so that keys of other departments' packages cannot be probed).
func (d *Desk) owned(r *http.Request, p auth.Principal) (delivery.Delivery, error) {
	dept, err := d.departmentOf(p)
	if err != nil {
		return delivery.Delivery{}, err
	}
	rec, err := d.tracker.Get(r.Context(), r.PathValue("key"))
	if err != nil {
		return rec, err
	}
	if dept != "" && rec.Department != dept {
		return delivery.Delivery{}, errs.E("desk.owned", errs.NotFound, "delivery_not_found", "There is no such delivery.", nil)
	}
	return rec, nil
}

func (d *Desk) getDelivery(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rec, err := d.owned(r, p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rec)
	return nil
}

// getManifest hands out a package's manifest with fresh links (pull). A department pulling
// its own package marks it delivered.
func (d *Desk) getManifest(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rec, err := d.owned(r, p)
	if err != nil {
		return err
	}
	pkg, docs, err := d.buildPackage(r.Context(), rec.CaseNo, rec.Department, rec.Version)
	if err != nil {
		return err
	}
	m := pkg.Manifest
	exp := d.o.Clock.Now().Add(d.o.LinkExpiry).UTC()
	links := documents{d.o.Blobs}
	for i := range m.Documents {
		u, err := links.Link(r.Context(), m.Documents[i].ID, d.o.LinkExpiry)
		if err != nil {
			return err
		}
		m.Documents[i].URL, m.Documents[i].URLExpiresAt = u, &exp
	}
	if _, own := p.OwnDepartment(); own && rec.State == delivery.StatePending {
		if rec, err = d.dl.Fetched(r.Context(), rec.Key); err != nil {
			return err
		}
		d.after(r.Context(), rec, docs)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set(delivery.HeaderIdempotencyKey, rec.Key)
	_, err = m.WriteTo(w)
	return err
}

func (d *Desk) ack(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rec, err := d.owned(r, p)
	if err != nil {
		return err
	}
	if rec, err = d.dl.Acknowledge(r.Context(), rec.Key); err != nil {
		return err
	}
	if v, err := d.loadVersion(r.Context(), rec.CaseNo, rec.Version); err == nil {
		d.after(r.Context(), rec, v.Documents)
	}
	httpx.WriteJSON(w, http.StatusOK, rec)
	return nil
}

// repush sends a delivery again with the same idempotency key: a failed one from the dead
// letters, or a delivered one a department lost.
func (d *Desk) repush(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rec, err := d.dl.Repush(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	if err := d.queue(r.Context(), rec.CaseNo, rec.Department, rec.DueDate, rec.Version, rec.Repushes); err != nil {
		return err
	}
	d.record(r.Context(), rec)
	httpx.WriteJSON(w, http.StatusAccepted, rec)
	return nil
}

// caseDeliveries: a case's deliveries, results and handout.
func (d *Desk) caseDeliveries(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	dept, err := d.departmentOf(p)
	if err != nil {
		return err
	}
	no := r.PathValue("case_no")
	if dept != "" {
		if _, _, err := d.caseFor(r.Context(), "desk.caseDeliveries", no, dept); err != nil {
			return err
		}
	}
	recs, err := d.tracker.Case(r.Context(), no)
	if err != nil {
		return err
	}
	results, err := d.results(r.Context(), no)
	if err != nil {
		return err
	}
	if dept != "" {
		recs = slices.DeleteFunc(recs, func(x delivery.Delivery) bool { return x.Department != dept })
		results = slices.DeleteFunc(results, func(x Result) bool { return x.Department != dept })
	}
	for i := range recs {
		recs[i].Answered = slices.ContainsFunc(results, func(x Result) bool { return x.Department == recs[i].Department })
	}
	h, herr := d.handout(r.Context(), no)
	if herr != nil {
		markOverdue(recs, results, d.o.Clock.Date(d.o.Clock.Now()))
	}
	out := map[string]any{"case_no": no, "deliveries": recs, "results": results}
	if herr == nil {
		if !p.SeesFullIDs() && h.CollectorID != "" {
			h.CollectorID = auth.MaskID(h.CollectorID)
		}
		out["handout"] = h
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// markAnswered flags the deliveries whose department has sent their case its result, so that
// a department's list says what the case says; one read of results per case listed.
func (d *Desk) markAnswered(ctx context.Context, recs []delivery.Delivery) error {
	answered := map[string][]string{}
	for i := range recs {
		no := recs[i].CaseNo
		if _, ok := answered[no]; !ok {
			depts, err := d.answered(ctx, no)
			if err != nil {
				return err
			}
			answered[no] = depts
		}
		recs[i].Answered = slices.Contains(answered[no], recs[i].Department)
	}
	return nil
}

// markOverdue flags the deliveries whose department has sent no result and whose due date
// is before today, both the hall's days (YYYY-MM-DD). A case handed out owes nothing.
func markOverdue(recs []delivery.Delivery, results []Result, today string) {
	for i := range recs {
		answered := slices.ContainsFunc(results, func(x Result) bool { return x.Department == recs[i].Department })
		recs[i].Overdue = !answered && recs[i].DueDate != "" && recs[i].DueDate < today
	}
}

// postPackages plans a case's packages again: what a lost plan task (the queue was down when
// the case was accepted) or a department added to the matter needs. Nothing changed, nothing
// is sent twice.
func (d *Desk) postPackages(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	v, err := d.Plan(r.Context(), r.PathValue("case_no"), 0)
	if err != nil {
		return err
	}
	if v == nil {
		return errs.E("desk.postPackages", errs.Conflict, "case_not_accepted", "The case is not accepted or in review, or its matter names no department of the departments file.", nil)
	}
	httpx.WriteJSON(w, http.StatusAccepted, v)
	return nil
}

// postResult: POST /api/v1/cases/{case_no}/results, multipart `file` (PDF), `kind`, `note`.
// Admin names the department with ?department=.
func (d *Desk) postResult(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	dept, err := d.departmentOf(p)
	if err != nil {
		return err
	}
	if dept == "" {
		if dept = r.URL.Query().Get("department"); dept == "" {
			return errs.E("desk.postResult", errs.Invalid, "missing_department", "Name the department with ?department=.", nil)
		}
	}
	no := r.PathValue("case_no")
	// Checked before the upload is read, so a wrong department or case costs no upload.
	if _, _, err := d.caseFor(r.Context(), "desk.postResult", no, dept); err != nil {
		return err
	}
	up, err := delivery.ReadResult(r.Context(), r, 0)
	if err != nil {
		return err
	}
	ans, err := d.FileResult(r.Context(), no, dept, p.Name, up)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, ans)
	return nil
}

// getHandoutSignature answers the collector's signature of a pickup as image/png.
func (d *Desk) getHandoutSignature(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	// The hall's roles only: a department's principal sees its packages, not who collected.
	if dept, err := d.departmentOf(p); err != nil || dept != "" {
		return errs.E("desk.getHandoutSignature", errs.Forbidden, "forbidden", "Only the hall sees a collector's signature.", err)
	}
	png, err := d.HandoutSignature(r.Context(), r.PathValue("case_no"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(png)
	return err
}

func (d *Desk) postHandout(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in HandoutInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	h, err := d.HandOut(r.Context(), r.PathValue("case_no"), in, cases.Actor{Name: p.Name, Role: p.Role, Desk: p.Desk()})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, h)
	return nil
}
