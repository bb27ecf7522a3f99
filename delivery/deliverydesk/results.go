package deliverydesk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"onewindow/cases"
	"onewindow/delivery"
	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/storage"
)

// SourceDepartment marks the batch a department's result is filed as.
const SourceDepartment = "department"

// Result is a department's result upload to a case, filed as a batch of the case.
type Result struct {
	ID         string    `json:"id"`
	CaseNo     string    `json:"case_no"`
	Department string    `json:"department"`
	BatchID    string    `json:"batch_id"`
	Kind       string    `json:"kind"`
	Note       string    `json:"note,omitempty"`
	FileName   string    `json:"file_name,omitempty"`
	Pages      int       `json:"pages"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	SM3        string    `json:"sm3"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// results reads a case's result uploads.
func (d *Desk) results(ctx context.Context, caseNo string) ([]Result, error) {
	raws, err := d.store.Results(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	out := make([]Result, 0, len(raws))
	for _, raw := range raws {
		var r Result
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, errs.E("desk.results", errs.Internal, "bad_result", "A result record does not decode.", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ResultAnswer is what a result upload did.
type ResultAnswer struct {
	Result
	State    string   `json:"state"` // the case's state after it
	Answered []string `json:"answered"`
	Waiting  []string `json:"waiting"`
}

// FileResult files a department's result like any upload (the raw PDF in the inbox, a batch
// of the case with source `department`, queued for the pipeline), records it on the case and
// moves the case to result_ready once every department of its matter has answered. The case
// must be in review (an accepted case whose package is out is moved there first).
func (d *Desk) FileResult(ctx context.Context, caseNo, dept, by string, up *delivery.ResultUpload) (*ResultAnswer, error) {
	const op = "desk.FileResult"
	c, depts, err := d.caseFor(ctx, op, caseNo, dept)
	if err != nil {
		return nil, err
	}
	if c.State == cases.StateAccepted {
		d.intoReview(ctx, caseNo, "result from "+dept)
		if c, err = d.o.Cases.Case(ctx, caseNo); err != nil {
			return nil, err
		}
	}
	if c.State != cases.StateInReview {
		return nil, errs.Errorf(op, errs.Conflict, "case_not_in_review", "Case %s is %s, not in review: it takes no result.", caseNo, c.State)
	}
	now := d.o.Clock.Now().UTC()
	if ok, err := d.o.Blobs.Exists(ctx, storage.Inbox, storage.RawKey(up.Digest.SHA256)); err != nil {
		return nil, err
	} else if !ok {
		if _, err := d.o.Blobs.PutBytes(ctx, storage.Inbox, storage.RawKey(up.Digest.SHA256), up.Data,
			storage.PutOptions{ContentType: "application/pdf", Metadata: map[string]string{"sha256": up.Digest.SHA256}}); err != nil {
			return nil, err
		}
	}
	b := &storage.Batch{ID: uuid.Must(uuid.NewV7()).String(), Status: storage.StatusQueued, Source: SourceDepartment,
		CaseNo: caseNo, Station: "department:" + dept, Matter: c.Matter, Departments: []string{dept}, PagesTotal: up.Pages,
		Files:     []storage.BatchFile{{SHA256: up.Digest.SHA256, SM3: up.Digest.SM3, Size: int64(len(up.Data)), Kind: "pdf", Name: up.FileName, Pages: up.Pages}},
		CreatedAt: now}
	r := Result{ID: now.Format("20060102T150405.000000000Z") + "-" + dept, CaseNo: caseNo, Department: dept, BatchID: b.ID,
		Kind: up.Kind, Note: up.Note, FileName: up.FileName, Pages: up.Pages, Size: int64(len(up.Data)),
		SHA256: up.Digest.SHA256, SM3: up.Digest.SM3, By: by, At: now}
	raw, _ := json.Marshal(r)
	// The result record first: the plan that follows the batch knows it is no supplement.
	if err := d.store.PutOnce(ctx, storage.ResultKey(caseNo, r.ID), raw); err != nil {
		return nil, err
	}
	if err := storage.SaveBatch(ctx, d.o.Blobs, d.o.State, b); err != nil {
		return nil, err
	}
	if err := d.o.Queue.EnqueueOnce(ctx, tasks.NewPrepareTask(b.ID)); err != nil {
		return nil, errs.E(op, errs.Unavailable, "queue_unavailable", "The queue does not answer; the result is kept, try again.", err)
	}
	d.o.Log.Info("department result filed", "case_no", caseNo, "department", dept, "batch", b.ID, "kind", r.Kind, "pages", r.Pages)
	d.acknowledgeByResult(ctx, caseNo, dept)
	if err := d.o.Cases.RecordDelivery(ctx, caseNo, cases.Delivery{Department: dept, State: "answered", Attempts: d.attempts(ctx, caseNo, dept)}); err != nil {
		return nil, err
	}
	answered, err := d.answered(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	ans := &ResultAnswer{Result: r, Answered: []string{}, Waiting: []string{}}
	for _, id := range depts {
		if slices.Contains(answered, id) {
			ans.Answered = append(ans.Answered, id)
		} else {
			ans.Waiting = append(ans.Waiting, id)
		}
	}
	ans.State = c.State
	if len(ans.Waiting) == 0 {
		c, err = d.o.Cases.Advance(ctx, caseNo, 0, cases.StateResultReady, "results from "+strings.Join(ans.Answered, ", "), worker)
		if err != nil && errs.CodeOf(err) != "illegal_transition" { // another result moved it first
			return nil, err
		}
		if c != nil {
			ans.State = c.State
		} else {
			ans.State = cases.StateResultReady
		}
	}
	return ans, nil
}

// acknowledgeByResult acknowledges the department's packages of the case still open: its
// result shows it has them, and a package left "being delivered" beside an answered case is a
// contradiction on its desk. A failure is only logged; the result stands.
func (d *Desk) acknowledgeByResult(ctx context.Context, caseNo, dept string) {
	recs, err := d.tracker.Case(ctx, caseNo)
	if err != nil {
		d.o.Log.Warn("packages not acknowledged by the result", "case_no", caseNo, "department", dept, "err", err)
		return
	}
	for _, rec := range recs {
		if rec.Department != dept || (rec.State != delivery.StatePending && rec.State != delivery.StateDelivered) {
			continue
		}
		acked, err := d.dl.Acknowledge(ctx, rec.Key)
		if err != nil {
			d.o.Log.Warn("package not acknowledged by the result", "case_no", caseNo, "key", rec.Key, "err", err)
			continue
		}
		// The documents' `delivered` events, not the case's timeline: the result is its entry.
		if v, err := d.loadVersion(ctx, caseNo, acked.Version); err == nil && acked.DeliveredAt != nil {
			d.fileDelivered(ctx, acked, v.Documents)
		}
	}
}

// caseFor loads a case for a department's request: the department must exist and the
// case's matter must name it. It returns the matter's departments too.
func (d *Desk) caseFor(ctx context.Context, op, caseNo, dept string) (*cases.Case, []string, error) {
	if _, ok := d.o.Registry.Current().Get(dept); !ok {
		return nil, nil, errs.Errorf(op, errs.Forbidden, "unknown_department", "There is no department %q in the departments file.", dept)
	}
	c, err := d.o.Cases.Case(ctx, caseNo)
	if err != nil {
		return nil, nil, err
	}
	m, ok := d.o.Cases.Catalogue().Matter(c.Matter)
	if !ok || !slices.Contains(m.Departments, dept) {
		return nil, nil, errs.Errorf(op, errs.Forbidden, "not_your_case", "Case %s is not a case of department %s.", caseNo, dept)
	}
	return c, m.Departments, nil
}

func (d *Desk) attempts(ctx context.Context, caseNo, dept string) int {
	recs, _ := d.tracker.Case(ctx, caseNo)
	n := 0
	for _, r := range recs {
		if r.Department == dept {
			n = max(n, r.Attempts)
		}
	}
	return n
}

// answered lists the departments that uploaded a result to the case.
func (d *Desk) answered(ctx context.Context, caseNo string) ([]string, error) {
	rs, err := d.results(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		if !slices.Contains(out, r.Department) {
			out = append(out, r.Department)
		}
	}
	return out, nil
}

// Handout methods.
const (
	HandoutPickup = "pickup"
	HandoutMail   = "mail"
)

// HandoutInput is the window's record of the result reaching the applicant (§7.3).
type HandoutInput struct {
	Method string `json:"method"` // pickup or mail
	// Collector is who came for it (pickup): the applicant, or someone a power of attorney
	// on file names.
	Collector *cases.Party `json:"collector,omitempty"`
	// Confirmation is how the collector confirmed: "signature" (with Signature, a PNG as
	// base64) or "confirmed".
	Confirmation string `json:"confirmation,omitempty"`
	Signature    []byte `json:"signature,omitempty"`
	Carrier      string `json:"carrier,omitempty"` // mail
	Waybill      string `json:"waybill,omitempty"`
	Address      string `json:"address,omitempty"`
	Note         string `json:"note,omitempty"`
}

// Handout is the filed record of a handout.
type Handout struct {
	CaseNo        string `json:"case_no"`
	Method        string `json:"method"`
	CollectorName string `json:"collector_name,omitempty"`
	// CollectorID is the collector's resident ID number; the record is the case's, shown
	// masked to roles that may not see it.
	CollectorID  string    `json:"collector_id,omitempty"`
	Authority    string    `json:"authority,omitempty"` // applicant or power_of_attorney
	Confirmation string    `json:"confirmation,omitempty"`
	SignatureSHA string    `json:"signature_sha256,omitempty"`
	Carrier      string    `json:"carrier,omitempty"`
	Waybill      string    `json:"waybill,omitempty"`
	Address      string    `json:"address,omitempty"`
	Note         string    `json:"note,omitempty"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
	Departments  []string  `json:"departments"`
}

// HandOut records the result handed to the applicant: the collector's ID number is checked
// against the applicant's or against a power of attorney on file, a waybill against its
// carrier's format. The case moves to delivered, then closed, and each webhook department is
// told (a signed `handout` event).
func (d *Desk) HandOut(ctx context.Context, caseNo string, in HandoutInput, by cases.Actor) (*Handout, error) {
	const op = "desk.HandOut"
	c, err := d.o.Cases.Case(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	// A delivered case is one whose handout stopped before it closed: the same handout again
	// finishes it.
	if c.State != cases.StateResultReady && c.State != cases.StateDelivered {
		return nil, errs.Errorf(op, errs.Conflict, "illegal_transition", "Case %s is %s; only a case whose result is ready is handed out.", caseNo, c.State)
	}
	h := &Handout{CaseNo: caseNo, Method: in.Method, Note: strings.TrimSpace(in.Note), By: by.Name, At: d.o.Clock.Now().UTC()}
	switch in.Method {
	case HandoutPickup:
		if in.Collector == nil {
			return nil, errs.E(op, errs.Invalid, "missing_collector", "A pickup names the collector with name and id_number.", nil)
		}
		p := in.Collector.Normalize()
		p.Kind = cases.KindPerson
		if err := p.Validate(op, "collector"); err != nil {
			return nil, err
		}
		auth := collectorAuthority(c, p.IDNumber)
		if auth == "" {
			return nil, errs.E(op, errs.Forbidden, "collector_not_authorised",
				"The collector is neither the applicant nor named by a power of attorney on file.", nil)
		}
		switch in.Confirmation {
		case "signature":
			if len(in.Signature) == 0 || !bytes.HasPrefix(in.Signature, []byte("\x89PNG")) {
				return nil, errs.E(op, errs.Invalid, "bad_signature_image", "signature must be a PNG image (base64 in JSON).", nil)
			}
			sum := sha256.Sum256(in.Signature)
			h.SignatureSHA = hex.EncodeToString(sum[:])
		case "", "confirmed":
			in.Confirmation = "confirmed"
		default:
			return nil, errs.E(op, errs.Invalid, "bad_confirmation", "confirmation must be signature or confirmed.", nil)
		}
		h.CollectorName, h.CollectorID, h.Authority, h.Confirmation = p.Name, p.IDNumber, auth, in.Confirmation
	case HandoutMail:
		wb := cases.NormalizeWaybill(in.Waybill)
		if err := cases.CheckWaybill(in.Carrier, wb); err != nil {
			return nil, err
		}
		h.Carrier, h.Waybill, h.Address = in.Carrier, wb, strings.TrimSpace(in.Address)
		if h.Address == "" {
			h.Address = c.Applicant.Address
		}
	default:
		return nil, errs.E(op, errs.Invalid, "bad_method", "method must be pickup or mail.", nil)
	}
	if m, ok := d.o.Cases.Catalogue().Matter(c.Matter); ok {
		h.Departments = m.Departments
	}
	if h.SignatureSHA != "" {
		// The image is filed before the record that names its hash, so a record never names
		// an image that is not there; a retry of the same hand-out finds it filed already.
		if err := d.store.PutOnce(ctx, storage.HandoutSignatureKey(caseNo), in.Signature); err != nil && errs.KindOf(err) != errs.Conflict {
			return nil, err
		}
	}
	raw, _ := json.Marshal(h)
	if err := d.store.PutOnce(ctx, storage.HandoutKey(caseNo), raw); err != nil {
		if errs.KindOf(err) == errs.Conflict {
			// A retry after a failure below finishes the moves; anything else is a second handout.
			prev, gerr := d.handout(ctx, caseNo)
			if gerr != nil || prev.Method != h.Method || prev.Waybill != h.Waybill || prev.CollectorID != h.CollectorID {
				return nil, errs.Errorf(op, errs.Conflict, "already_handed_out", "Case %s was handed out already.", caseNo)
			}
			h = prev
		} else {
			return nil, err
		}
	}
	reason := "picked up by " + h.CollectorName + " (" + h.Authority + ")"
	if h.Method == HandoutMail {
		reason = "mailed by " + h.Carrier + ", waybill " + h.Waybill
	}
	if c.State == cases.StateResultReady {
		if _, err := d.o.Cases.Advance(ctx, caseNo, 0, cases.StateDelivered, reason, by); err != nil {
			return nil, err
		}
	}
	if _, err := d.o.Cases.Advance(ctx, caseNo, 0, cases.StateClosed, "handed out", by); err != nil {
		return nil, err
	}
	for _, dept := range h.Departments {
		t := tasks.NewNotifyTask(tasks.NotifyPayload{CaseNo: caseNo, Department: dept, Kind: "handout"})
		if err := d.o.Queue.EnqueueOnce(ctx, t); err != nil {
			d.o.Log.Error("department not told of the handout", "case_no", caseNo, "department", dept, "err", err)
		}
	}
	d.o.Log.Info("case handed out", "case_no", caseNo, "method", h.Method, "by", by.Name)
	return h, nil
}

// collectorAuthority says why the holder of idNumber may collect the case's result:
// "applicant", "power_of_attorney" (a power of attorney on file names them, or the submitter
// they are came with one), or "" when nothing does.
func collectorAuthority(c *cases.Case, idNumber string) string {
	if c.Applicant.IDNumber != "" && strings.EqualFold(c.Applicant.IDNumber, idNumber) {
		return "applicant"
	}
	hasPOA := false
	for _, f := range c.Facts {
		if f.Superseded || f.Type != "power_of_attorney" {
			continue
		}
		hasPOA = true
		if slices.ContainsFunc(f.IDNumbers, func(s string) bool { return strings.EqualFold(s, idNumber) }) {
			return "power_of_attorney"
		}
	}
	if hasPOA && c.Submitter != nil && strings.EqualFold(c.Submitter.IDNumber, idNumber) {
		return "power_of_attorney"
	}
	return ""
}

// HandoutSignature is the PNG the collector drew at a pickup hand-out of caseNo.
func (d *Desk) HandoutSignature(ctx context.Context, caseNo string) ([]byte, error) {
	return d.store.Get(ctx, storage.HandoutSignatureKey(caseNo))
}

func (d *Desk) handout(ctx context.Context, caseNo string) (*Handout, error) {
	raw, err := d.store.Get(ctx, storage.HandoutKey(caseNo))
	if err != nil {
		return nil, err
	}
	var h Handout
	return &h, json.Unmarshal(raw, &h)
}

// Event is what a department is told of a case after its package: format onewindow.event/1.
type Event struct {
	Format     string    `json:"format"`
	Kind       string    `json:"kind"` // handout
	CaseNo     string    `json:"case_no"`
	Department string    `json:"department"`
	At         time.Time `json:"at"`
	Method     string    `json:"method,omitempty"`
	Carrier    string    `json:"carrier,omitempty"`
	Waybill    string    `json:"waybill,omitempty"`
}

// EventKey is the idempotency key of an event sent to a department.
func EventKey(caseNo, kind, dept string) string {
	sum := sha256.Sum256([]byte("onewindow-event\x00" + caseNo + "\x00" + kind + "\x00" + dept))
	return hex.EncodeToString(sum[:16])
}

// HeaderEvent names the kind of an event delivery.
const HeaderEvent = delivery.HeaderEvent

// HandleNotify is the worker's handler of tasks.TypeNotify: it tells a department of the
// handout where the department reads (delivery.EventSender): signed like its packages to a
// webhook, as an object beside its packages in an S3 bucket. Pull departments read the case.
func (d *Desk) HandleNotify(ctx context.Context, t *asynq.Task) error {
	var pl tasks.NotifyPayload
	if err := tasks.Decode(t, &pl); err != nil {
		return err
	}
	es, ok := d.o.Sender.(delivery.EventSender)
	if !ok {
		return nil // a sender that takes no events
	}
	if dept, known := d.o.Registry.Current().Get(pl.Department); !known || dept.Kind == delivery.KindPull {
		return nil // removed from the departments file since the handout, or reads the case
	}
	h, err := d.handout(ctx, pl.CaseNo)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(Event{Format: "onewindow.event/1", Kind: pl.Kind, CaseNo: pl.CaseNo, Department: pl.Department, At: h.At,
		Method: h.Method, Carrier: h.Carrier, Waybill: h.Waybill})
	if err := es.SendEvent(ctx, pl.Department, pl.CaseNo, pl.Kind, EventKey(pl.CaseNo, pl.Kind, pl.Department), body); err != nil {
		return err
	}
	d.o.Log.Info("department told", "case_no", pl.CaseNo, "department", pl.Department, "kind", pl.Kind)
	return nil
}
