package casedesk

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"onewindow/cases"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/storage"
)

// routes says what each call needs (auth.Can decides); a department sees only its own cases.
func (d *Desk) routes() []httpx.Route {
	return []httpx.Route{
		{Pattern: "GET /api/v1/matters", Cap: auth.CapCaseRead, H: d.getMatters},
		{Pattern: "POST /api/v1/cases", Cap: auth.CapCaseOpen, H: d.postCase},
		{Pattern: "GET /api/v1/cases", Cap: auth.CapCaseRead, H: d.listCases},
		{Pattern: "GET /api/v1/cases/{case_no}", Cap: auth.CapCaseRead, H: d.getCase},
		{Pattern: "POST /api/v1/cases/{case_no}/decision", Cap: auth.CapCaseWindow, H: d.postDecision},
		{Pattern: "POST /api/v1/cases/{case_no}/state", Cap: auth.CapCaseMove, H: d.postState},
		{Pattern: "POST /api/v1/cases/{case_no}/handovers", Cap: auth.CapCaseOpen, H: d.postHandover},
		{Pattern: "POST /api/v1/cases/{case_no}/handovers/{id}/confirm", Cap: auth.CapCaseMove, H: d.confirmHandover},
		{Pattern: "GET /api/v1/supplements/overdue", Cap: auth.CapCaseRead, H: d.overdueSupplements},
		{Pattern: "GET /api/v1/notices/{id}/pdf", Cap: auth.CapCaseRead, H: d.getNotice},
		{Pattern: "POST /api/v1/mail", Cap: auth.CapMail, H: d.postMail},
		{Pattern: "GET /api/v1/mail", Cap: auth.CapMail, H: d.listMail},
		{Pattern: "GET /api/v1/mail/register", Cap: auth.CapMail, H: d.listMail},
		{Pattern: "GET /api/v1/mail/register.pdf", Cap: auth.CapMail, H: d.registerPDF},
		{Pattern: "GET /api/v1/mail/carriers", Cap: auth.CapMail, H: d.listCarriers},
		{Pattern: "GET /api/v1/mail/{id}", Cap: auth.CapMail, H: d.getMail},
		{Pattern: "GET /api/v1/mail/{id}/receipt.pdf", Cap: auth.CapMail, H: d.receiptPDF},
		{Pattern: "PATCH /api/v1/mail/{id}", Cap: auth.CapMail, H: d.patchMail},
		{Pattern: "POST /api/v1/mail/{id}/notify", Cap: auth.CapMail, H: d.notifyMail},
	}
}

// Routes adds the case desk's API.
func (d *Desk) Routes(mux *http.ServeMux, authz httpx.Authorizer) {
	httpx.Handle(mux, authz, d.routes())
}

func actor(p auth.Principal) cases.Actor {
	return cases.Actor{Name: p.Name, Role: p.Role, Desk: p.Desk()}
}

// ifMatch reads the case version a change is based on; no header means "the current one".
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	v, err := strconv.Atoi(h)
	if err != nil || v < 1 {
		return 0, errs.Errorf("desk.ifMatch", errs.Invalid, "bad_if_match", "If-Match must be a case version, e.g. \"3\".")
	}
	return v, nil
}

func (d *Desk) getMatters(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	c := d.Catalogue()
	names := c.DepartmentNames
	if names == nil {
		names = map[string]string{} // an object, as documented, when the catalogue names none
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"matters": c.Matters, "department_names": names})
	return nil
}

// caseView is a case as the API shows it: personal data masked for roles that may not see it.
func (d *Desk) caseView(c *cases.Case, p auth.Principal) *cases.Case {
	if p.SeesFullIDs() {
		return c
	}
	v := *c
	mask := func(q cases.Party) cases.Party {
		if q.IDNumber != "" {
			q.IDNumber = auth.MaskID(q.IDNumber)
		}
		if q.Phone != "" {
			q.Phone = auth.MaskPhone(q.Phone)
		}
		return q
	}
	v.Applicant = mask(c.Applicant)
	if c.Submitter != nil {
		s := mask(*c.Submitter)
		v.Submitter = &s
	}
	if c.Representative != nil {
		r := mask(*c.Representative)
		v.Representative = &r
	}
	v.Facts = make([]cases.DocumentFacts, len(c.Facts))
	for i, f := range c.Facts {
		f.IDNumbers = slices.Clone(f.IDNumbers)
		for j := range f.IDNumbers {
			f.IDNumbers[j] = auth.MaskID(f.IDNumbers[j])
		}
		v.Facts[i] = f
	}
	// The check's inconsistencies name the numbers that differ: masked like the facts.
	v.Check.Inconsistencies = make([]cases.Inconsistency, len(c.Check.Inconsistencies))
	for i, in := range c.Check.Inconsistencies {
		in.Values = slices.Clone(in.Values)
		for j, x := range in.Values {
			if x.IDNumber {
				in.Values[j].Value = maskEach(x.Value)
			}
		}
		v.Check.Inconsistencies[i] = in
	}
	return &v
}

// maskEach masks each ID number of a list joined with "、".
func maskEach(list string) string {
	ids := strings.Split(list, "、")
	for i := range ids {
		ids[i] = auth.MaskID(ids[i])
	}
	return strings.Join(ids, "、")
}

// visible reports whether p may see c: a department sees only the cases of its matters.
func (d *Desk) visible(c *cases.Case, p auth.Principal) bool {
	dept, own := p.OwnDepartment()
	if !own {
		return true
	}
	m, ok := d.Catalogue().Matter(c.Matter)
	return ok && slices.Contains(m.Departments, dept)
}

func (d *Desk) answerCase(w http.ResponseWriter, status int, c *cases.Case, p auth.Principal) {
	w.Header().Set("ETag", `"`+strconv.Itoa(c.Version)+`"`)
	v := *d.caseView(c, p)
	v.Decidable = cases.Decidable(c.State)
	httpx.WriteJSON(w, status, &v)
}

func (d *Desk) postCase(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in OpenInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	in.By = actor(p)
	c, err := d.Open(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+c.CaseNo)
	d.answerCase(w, http.StatusCreated, c, p)
	return nil
}

func (d *Desk) getCase(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	c, err := d.Case(r.Context(), r.PathValue("case_no"))
	if err != nil {
		return err
	}
	if !d.visible(c, p) {
		return errs.Errorf("desk.getCase", errs.NotFound, "case_not_found", "There is no case %s.", c.CaseNo)
	}
	d.answerCase(w, http.StatusOK, c, p)
	return nil
}

func (d *Desk) postDecision(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in DecideInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := d.Decide(r.Context(), r.PathValue("case_no"), version, in, actor(p))
	if err != nil {
		return err
	}
	d.answerCase(w, http.StatusOK, c, p)
	return nil
}

func (d *Desk) postState(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in struct {
		State  string `json:"state"`
		Reason string `json:"reason,omitempty"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	no := r.PathValue("case_no")
	if _, own := p.OwnDepartment(); own {
		c, err := d.Case(r.Context(), no)
		if err != nil {
			return err
		}
		if !d.visible(c, p) {
			return errs.Errorf("desk.postState", errs.NotFound, "case_not_found", "There is no case %s.", no)
		}
	}
	c, err := d.Advance(r.Context(), no, version, in.State, in.Reason, actor(p))
	if err != nil {
		return err
	}
	d.answerCase(w, http.StatusOK, c, p)
	return nil
}

func (d *Desk) postHandover(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in struct {
		Originals  []string  `json:"originals"`
		Department string    `json:"department"`
		HandedBy   string    `json:"handed_by,omitempty"`
		HandedAt   time.Time `json:"handed_at,omitzero"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.HandedAt.IsZero() {
		in.HandedAt = d.clock()
	}
	no := r.PathValue("case_no")
	h := cases.Handover{Originals: in.Originals, Department: in.Department, HandedBy: in.HandedBy, HandedAt: in.HandedAt}
	c, _, err := d.change(r.Context(), no, 0, func(c *cases.Case) ([]cases.Event, error) {
		h.ID = "h" + strconv.Itoa(len(c.Handovers)+1)
		e, err := cases.RecordHandover(c, h, actor(p))
		return []cases.Event{e}, err
	})
	if err != nil {
		return err
	}
	d.answerCase(w, http.StatusCreated, c, p)
	return nil
}

func (d *Desk) confirmHandover(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in struct {
		ReceivedBy string `json:"received_by,omitempty"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	no, id := r.PathValue("case_no"), r.PathValue("id")
	c, _, err := d.change(r.Context(), no, 0, func(c *cases.Case) ([]cases.Event, error) {
		if dept, own := p.OwnDepartment(); own {
			for _, h := range c.Handovers {
				if h.ID == id && h.Department != dept {
					return nil, errs.Errorf("desk.confirmHandover", errs.Forbidden, "not_your_handover", "Handover %s is for another department.", id)
				}
			}
		}
		e, err := cases.ConfirmHandover(c, id, in.ReceivedBy, actor(p), d.clock())
		return []cases.Event{e}, err
	})
	if err != nil {
		return err
	}
	d.answerCase(w, http.StatusOK, c, p)
	return nil
}

// listCases: GET /api/v1/cases?state=&matter=&due_within=N&overdue=true&q=&page=1&per_page=50;
// q finds a case number or applicant's name containing it.
func (d *Desk) listCases(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	sq := storage.CaseQuery{State: q.Get("state"), Matter: q.Get("matter")}
	if sq.State != "" && !slices.Contains(cases.States, sq.State) {
		return errs.Errorf("desk.listCases", errs.Invalid, "bad_state", "state must be one of %s.", strings.Join(cases.States, ", "))
	}
	today := d.clock()
	if v := q.Get("due_within"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 365 {
			return errs.Errorf("desk.listCases", errs.Invalid, "bad_due_within", "due_within is a number of working days (0 to 365).")
		}
		sq.DueTo = d.cal.AddWorkingDays(today, n)
		sq.Open = sq.State == ""
	}
	if q.Get("overdue") == "true" {
		sq.DueTo = today.AddDate(0, 0, -1)
		sq.Open = sq.State == ""
	}
	return d.answerList(w, r, p, sq)
}

// overdueSupplements lists the cases accepted with deficiencies whose owed items are late.
func (d *Desk) overdueSupplements(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return d.answerList(w, r, p, storage.CaseQuery{Supplements: true, DueTo: d.clock().AddDate(0, 0, -1), Matter: r.URL.Query().Get("matter")})
}

// CaseSummary is a case in a list.
type CaseSummary struct {
	CaseNo     string               `json:"case_no"`
	Matter     string               `json:"matter"`
	MatterName string               `json:"matter_name"`
	Applicant  string               `json:"applicant"`
	Channel    string               `json:"channel"`
	State      string               `json:"state"`
	Version    int                  `json:"version"`
	OpenedAt   time.Time            `json:"opened_at"`
	DueDate    string               `json:"due_date"`
	Overdue    bool                 `json:"overdue"`
	Owed       []cases.DeferredItem `json:"owed_supplements,omitempty"`
}

func (d *Desk) answerList(w http.ResponseWriter, r *http.Request, p auth.Principal, sq storage.CaseQuery) error {
	page, perPage := intParam(r, "page", 1, 1, 1<<20), intParam(r, "per_page", 50, 1, 500)
	// The indexes combine state and matter; other combinations (a matter among open cases, a
	// state among a department's cases) are filtered here over the index's whole range.
	want := sq
	dept, own := p.OwnDepartment()
	if own && !sq.Supplements {
		sq.Department = dept
	}
	q := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("q")))
	filter := (sq.Matter != "" && (sq.Open || sq.Supplements)) || own || q != ""
	if filter {
		sq.Offset, sq.Limit = 0, 100000
	} else {
		sq.Offset, sq.Limit = (page-1)*perPage, perPage
	}
	nos, total, err := d.store.ListCases(r.Context(), sq)
	if err != nil {
		return err
	}
	views, err := d.store.Views(r.Context(), nos)
	if err != nil {
		return err
	}
	now := d.clock()
	out := []CaseSummary{}
	for i, raw := range views {
		var c *cases.Case
		if raw != nil {
			c = &cases.Case{}
			if json.Unmarshal(raw, c) != nil {
				c = nil
			}
		}
		if c == nil { // evicted from the cache: replay
			if c, err = d.Case(r.Context(), nos[i]); err != nil {
				return err
			}
		}
		keep := d.visible(c, p) && (want.Matter == "" || c.Matter == want.Matter) &&
			(want.State == "" || c.State == want.State) && (!want.Open || d.index(c).Open) &&
			(q == "" || strings.Contains(strings.ToUpper(c.CaseNo), q) || strings.Contains(strings.ToUpper(c.Applicant.Name), q))
		if !keep {
			continue
		}
		out = append(out, CaseSummary{CaseNo: c.CaseNo, Matter: c.Matter, MatterName: c.MatterName, Applicant: c.Applicant.Name,
			Channel: c.Channel, State: c.State, Version: c.Version, OpenedAt: c.OpenedAt, DueDate: c.DueDate,
			Overdue: c.Overdue(now), Owed: c.OverdueSupplements(now)})
	}
	if filter {
		total = int64(len(out))
		lo := min((page-1)*perPage, len(out))
		out = out[lo:min(lo+perPage, len(out))]
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"total": total, "page": page, "per_page": perPage, "cases": out})
	return nil
}

func intParam(r *http.Request, name string, def, lo, hi int) int {
	v, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil {
		return def
	}
	return max(lo, min(hi, v))
}

func (d *Desk) getNotice(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	if _, own := p.OwnDepartment(); own {
		no, _ := noticeCase(id)
		c, err := d.Case(r.Context(), no)
		if err != nil || !d.visible(c, p) {
			return errs.Errorf("desk.getNotice", errs.NotFound, "notice_not_found", "There is no notice %s.", id)
		}
	}
	pdf, err := d.NoticePDF(r.Context(), id)
	if err != nil {
		return err
	}
	writePDF(w, id, pdf)
	return nil
}

// writePDF answers a PDF to show in the browser's viewer, named name.pdf when saved.
func writePDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	_, _ = w.Write(pdf)
}

func (d *Desk) postMail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in MailInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	mi, err := d.LogMail(r.Context(), in, actor(p))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/mail/"+mi.ID)
	httpx.WriteJSON(w, http.StatusCreated, mi)
	return nil
}

func (d *Desk) getMail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	mi, err := d.Mail(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, mi)
	return nil
}

// listCarriers is the carrier table, so the desk infers a scanned waybill's carrier with the
// same patterns the API checks it with.
func (d *Desk) listCarriers(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"carriers": cases.Carriers()})
	return nil
}

// receiptPDF is one mail item's receipt, to print and hand over; the register is separate.
func (d *Desk) receiptPDF(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	pdf, err := d.ReceiptPDF(r.Context(), id)
	if err != nil {
		return err
	}
	writePDF(w, "receipt-"+id, pdf)
	return nil
}

func (d *Desk) patchMail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var u MailUpdate
	if err := httpx.DecodeJSON(r, &u); err != nil {
		return err
	}
	mi, err := d.UpdateMail(r.Context(), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, mi)
	return nil
}

func (d *Desk) notifyMail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	mi, err := d.NotifyMail(r.Context(), r.PathValue("id"), actor(p))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, mi)
	return nil
}

// day reads ?date=YYYY-MM-DD in the hall's zone; default today.
func (d *Desk) day(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("date")
	if v == "" {
		return d.clock(), nil
	}
	t, err := d.hall.ParseDate(v)
	if err != nil {
		return time.Time{}, errs.Errorf("desk.day", errs.Invalid, "bad_date", "date must be YYYY-MM-DD.")
	}
	return t, nil
}

// listMail is the daily register as JSON: GET /api/v1/mail?date=YYYY-MM-DD.
func (d *Desk) listMail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	day, err := d.day(r)
	if err != nil {
		return err
	}
	items, err := d.MailOfDay(r.Context(), day)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"date": day.Format(time.DateOnly), "count": len(items), "mail": items})
	return nil
}

func (d *Desk) registerPDF(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	day, err := d.day(r)
	if err != nil {
		return err
	}
	pdf, err := d.RegisterPDF(r.Context(), day)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="register-`+day.Format("20060102")+`.pdf"`)
	_, _ = w.Write(pdf)
	return nil
}
