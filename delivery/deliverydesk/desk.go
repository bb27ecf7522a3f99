// Package desk is the delivery desk: it sends a case's digitised package to every department
// of its matter when the case is accepted and again when a supplement arrives, tracks each
// delivery, takes the departments' results back and records how the result reached the
// applicant. The engine (registry, manifests, signing, senders, retry policy) is package
// delivery; the case's rules are package cases; this package wires them to storage, the queue
// and the API.
package deliverydesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/archive"
	"onewindow/cases"
	"onewindow/delivery"
	"onewindow/internal/clock"
	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/storage"
)

// CaseReader is what the delivery desk needs of the case desk; *casedesk.Desk implements it.
type CaseReader interface {
	Case(ctx context.Context, caseNo string) (*cases.Case, error)
	Catalogue() *cases.Catalogue
	RecordDelivery(ctx context.Context, caseNo string, dl cases.Delivery) error
	Advance(ctx context.Context, caseNo string, version int, to, reason string, by cases.Actor) (*cases.Case, error)
}

// Enqueuer queues tasks once by their ID; *tasks.Queue implements it.
type Enqueuer interface {
	EnqueueOnce(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error
}

// Options configure a Desk. Cases, Registry, Blobs, State and Queue are required.
type Options struct {
	Cases    CaseReader
	Registry *delivery.Registry
	Blobs    *storage.Blobs
	State    *storage.State
	Queue    Enqueuer
	// Sender sends packages; default a delivery.Router over webhook, S3 and pull senders
	// whose links are presigned by Blobs.
	Sender delivery.Sender
	// LinkExpiry is how long a manifest's document links work (default 24h).
	LinkExpiry time.Duration
	// Hall names the hall in S3 bags (Source-Organization).
	Hall string
	// Retention is the hall's schedule, which keeps the `delivered` provenance events as what
	// is not a document (without a default: 30 years, GOVERNANCE).
	Retention archive.RetentionPolicy
	// Clock is the hall's: sending times, and the day a department's due date is judged
	// against. Zero: the system's clock in clock.DefaultZone.
	Clock clock.Clock
	Log   *slog.Logger
	// Signer signs S3 bags' tag manifests (archive.BagSignatureName) and webhook bodies
	// (delivery.HeaderOrigin); nil: unsigned.
	Signer archive.ManifestSigner
}

// Desk is the delivery desk. It is safe for concurrent use.
type Desk struct {
	o       Options
	store   *storage.DeliveryStore
	tracker *Tracker
	dl      *delivery.Deliverer
}

// New checks the options and builds the senders.
func New(o Options) (*Desk, error) {
	if o.Cases == nil || o.Registry == nil || o.Blobs == nil || o.State == nil || o.Queue == nil {
		return nil, errors.New("delivery desk: Cases, Registry, Blobs, State and Queue are required")
	}
	if o.LinkExpiry <= 0 {
		o.LinkExpiry = 24 * time.Hour
	}
	if o.Retention.Default.Years <= 0 {
		o.Retention.Default = archive.RetentionRule{Years: 30, Mode: "GOVERNANCE"}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Sender == nil {
		docs := documents{o.Blobs}
		o.Sender = &delivery.Router{Registry: o.Registry,
			Webhook: delivery.NewWebhookSender(o.Registry, delivery.WebhookOptions{Links: docs, LinkExpiry: o.LinkExpiry, Signer: o.Signer}),
			S3:      delivery.NewS3Sender(o.Registry, docs, delivery.S3Options{Organization: o.Hall, Signer: o.Signer}),
			Pull:    delivery.PullSender{}}
	}
	store := storage.NewDeliveryStore(o.Blobs, o.State)
	tr := &Tracker{Store: store}
	return &Desk{o: o, store: store, tracker: tr,
		dl: &delivery.Deliverer{Sender: o.Sender, Tracker: tr, Log: o.Log, Now: o.Clock.Now}}, nil
}

// Reindex rebuilds the delivery lists in Redis from MinIO (part of `reindex`).
func (d *Desk) Reindex(ctx context.Context) (int, error) { return d.tracker.Reindex(ctx) }

// Tracker is the desk's delivery tracker.
func (d *Desk) Tracker() *Tracker { return d.tracker }

// documents reads filed documents for senders: presigned links and streams of their PDFs.
type documents struct{ b *storage.Blobs }

func (s documents) Link(ctx context.Context, docID string, expiry time.Duration) (string, error) {
	return s.b.PresignGet(ctx, storage.Archive, storage.DocumentPDFKey(docID), expiry)
}

func (s documents) OpenDocument(ctx context.Context, docID string) (io.ReadCloser, error) {
	rc, _, err := s.b.Open(ctx, storage.Archive, storage.DocumentPDFKey(docID))
	return rc, err
}

// worker is who the desk's own changes of a case are filed by.
var worker = cases.Actor{Name: "delivery", Role: "worker", Desk: "delivery"}

// AfterEvent is the case desk's hook (casedesk.WithAfterEvent): a decision to accept, its
// notice filed, or a batch filed for a case, queues a plan task that decides what goes out.
// It only enqueues; the plan runs once the case's view has the event. The notice's own plan
// sends the package as soon as the notice is out, and also when it came late (filed by the
// window's retry) after the decision's plan had given up waiting.
func (d *Desk) AfterEvent(ctx context.Context, caseNo string, e cases.Event) {
	switch e.Type {
	case cases.EvDecided:
		var data cases.DecidedData
		if json.Unmarshal(e.Data, &data) != nil || !sends(data.State) {
			return
		}
	case cases.EvNoticeFiled:
		var n cases.NoticeRef
		if json.Unmarshal(e.Data, &n) != nil {
			return
		}
		if k, _ := cases.NoticeKindOf(n.Kind); !k.Sends {
			return
		}
	case cases.EvBatchDone:
	default:
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.o.Queue.EnqueueOnce(ctx, tasks.NewPlanTask(caseNo, e.Seq)); err != nil {
		// The case keeps its event; a re-push or the next batch plans the packages again.
		d.o.Log.Error("packages not planned: the queue does not answer", "case_no", caseNo, "seq", e.Seq, "err", err)
	}
}

// sends reports whether a case in state has packages sent to its departments.
func sends(state string) bool {
	switch state {
	case cases.StateAccepted, cases.StateAcceptedWithDeficiencies, cases.StateInReview:
		return true
	}
	return false
}

// Version is one version of a case's package: which documents went to which departments.
type Version struct {
	CaseNo      string    `json:"case_no"`
	Version     int       `json:"version"`
	Documents   []string  `json:"documents"`
	Departments []string  `json:"departments"`
	Seq         int       `json:"seq"` // the case event that made it
	At          time.Time `json:"at"`
}

// Register adds the desk's task handlers to a worker's mux.
func (d *Desk) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(tasks.TypePlan, d.HandlePlan)
	mux.HandleFunc(tasks.TypeDeliver, d.HandleDeliver)
	mux.HandleFunc(tasks.TypeNotify, d.HandleNotify)
}

// HandlePlan is the worker's handler of tasks.TypePlan.
func (d *Desk) HandlePlan(ctx context.Context, t *asynq.Task) error {
	var pl tasks.PlanPayload
	if err := tasks.Decode(t, &pl); err != nil {
		return err
	}
	_, err := d.Plan(ctx, pl.CaseNo, pl.Seq)
	return err
}

// Plan sends a case's package to every department of its matter: version 1 once it is
// accepted, a new version when its documents changed since the last one. Planning again
// without a change queues nothing new. seq is the event the plan follows: a case view older
// than it is retried.
func (d *Desk) Plan(ctx context.Context, caseNo string, seq int) (*Version, error) {
	const op = "desk.Plan"
	c, err := d.o.Cases.Case(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	if c.Version < seq {
		return nil, errs.Errorf(op, errs.Unavailable, "case_view_behind", "Case %s is not yet at version %d.", caseNo, seq)
	}
	if !sends(c.State) {
		return nil, nil
	}
	if noticePending(c, d.o.Clock.Now()) {
		return nil, errs.Errorf(op, errs.Unavailable, "notice_pending", "Case %s is decided but its notice is not filed yet.", caseNo)
	}
	depts := d.departmentsOf(c)
	if len(depts) == 0 {
		d.o.Log.Warn("case accepted but its matter names no known department", "case_no", caseNo, "matter", c.Matter)
		return nil, nil
	}
	docs, err := d.packageDocuments(ctx, c)
	if err != nil {
		return nil, err
	}
	v, err := d.version(ctx, c, docs, depts, seq)
	if err != nil {
		return nil, err
	}
	had := false // a department has this version already
	for _, dept := range v.Departments {
		if err := d.queue(ctx, c.CaseNo, dept, c.DueFor(dept), v.Version, 0); err != nil {
			return nil, err
		}
		if rec, err := d.tracker.Get(ctx, delivery.IdempotencyKey(c.CaseNo, dept, v.Version)); err == nil && rec.DeliveredAt != nil {
			had = true
		}
	}
	// A case accepted after its supplements (from accepted_with_deficiencies) whose package
	// the departments have already goes into review now: no delivery will move it.
	if had && c.State == cases.StateAccepted {
		d.intoReview(ctx, c.CaseNo, "the departments have package version "+strconv.Itoa(v.Version))
	}
	return v, nil
}

// noticeWait is how long a plan waits for the notice of the decision it follows. The window
// hands the applicant the acceptance notice before the case flows to the departments, and the
// window's answer to its decision shows the case as decided, not already in review. A notice
// that never comes (its rendering failed) holds the packages back no longer than this.
const noticeWait = 30 * time.Second

// noticePending reports whether the case's latest decision is recent and its notice not yet
// on the case.
func noticePending(c *cases.Case, now time.Time) bool {
	for i := len(c.Events) - 1; i >= 0; i-- {
		if e := c.Events[i]; e.Type == cases.EvDecided {
			return !c.HasNotice(e.Seq) && now.Sub(e.At) < noticeWait
		}
	}
	return false
}

// departmentsOf are the departments the case's matter names that the registry knows; a
// joint matter names several.
func (d *Desk) departmentsOf(c *cases.Case) []string {
	m, ok := d.o.Cases.Catalogue().Matter(c.Matter)
	if !ok {
		return nil
	}
	set := d.o.Registry.Current()
	var out []string
	for _, id := range m.Departments {
		if _, ok := set.Get(id); ok {
			out = append(out, id)
		} else {
			d.o.Log.Error("matter names a department the departments file lacks", "matter", c.Matter, "department", id)
		}
	}
	return out
}

// packageDocuments are the case's documents that count, without the departments' own results.
func (d *Desk) packageDocuments(ctx context.Context, c *cases.Case) ([]string, error) {
	results, err := d.results(ctx, c.CaseNo)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, id := range c.Documents {
		doc, err := d.o.State.GetDocument(ctx, id)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(results, func(r Result) bool { return r.BatchID == doc.BatchID }) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// version returns the package version for docs: the last one when it has the same documents
// (widened to departments added since), else a new one filed write-once.
func (d *Desk) version(ctx context.Context, c *cases.Case, docs, depts []string, seq int) (*Version, error) {
	for attempt := 0; attempt < 5; attempt++ {
		raws, err := d.store.PackageVersions(ctx, c.CaseNo)
		if err != nil {
			return nil, err
		}
		var last *Version
		if len(raws) > 0 {
			last = &Version{}
			if err := json.Unmarshal(raws[len(raws)-1], last); err != nil {
				return nil, errs.E("desk.version", errs.Internal, "bad_version", "A package version does not decode.", err)
			}
			if slices.Equal(last.Documents, docs) {
				// Departments added to the matter since get the same version.
				for _, id := range depts {
					if !slices.Contains(last.Departments, id) {
						last.Departments = append(last.Departments, id)
					}
				}
				return last, nil
			}
		}
		v := &Version{CaseNo: c.CaseNo, Version: 1, Documents: docs, Departments: depts, Seq: seq, At: d.o.Clock.Now().UTC()}
		if last != nil {
			v.Version = last.Version + 1
		}
		raw, _ := json.Marshal(v)
		err = d.store.PutOnce(ctx, storage.PackageVersionKey(c.CaseNo, v.Version), raw)
		if errs.KindOf(err) == errs.Conflict {
			continue // another plan filed this version first: compare with it
		}
		if err != nil {
			return nil, err
		}
		d.o.Log.Info("package version filed", "case_no", c.CaseNo, "version", v.Version, "documents", len(docs), "departments", depts)
		return v, nil
	}
	return nil, errs.E("desk.version", errs.Unavailable, "version_contended", "Package versions changed too often meanwhile.", nil)
}

// loadVersion reads version n of a case's package.
func (d *Desk) loadVersion(ctx context.Context, caseNo string, n int) (*Version, error) {
	raw, err := d.store.Get(ctx, storage.PackageVersionKey(caseNo, n))
	if err != nil {
		return nil, err
	}
	var v Version
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errs.E("desk.loadVersion", errs.Internal, "bad_version", "A package version does not decode.", err)
	}
	return &v, nil
}

// queue records a package as pending and queues its task; repush > 0 queues a re-push.
func (d *Desk) queue(ctx context.Context, caseNo, dept, due string, version, repush int) error {
	key := delivery.IdempotencyKey(caseNo, dept, version)
	p := delivery.Package{Department: dept, Manifest: delivery.Manifest{PackageID: delivery.PackageID(caseNo, dept, version),
		IdempotencyKey: key, Version: version, CaseNo: caseNo, DueDate: due}}
	rec, err := d.dl.Queued(ctx, p)
	if err != nil {
		return err
	}
	if repush == 0 && rec.State != delivery.StatePending {
		return nil // delivered, acknowledged or given up already: a re-push sends it again
	}
	t := tasks.NewDeliverTask(tasks.DeliverPayload{CaseNo: caseNo, Department: dept, Version: version, Key: key}, repush)
	if err := d.o.Queue.EnqueueOnce(ctx, t); err != nil {
		return err
	}
	if rec.Attempts == 0 {
		d.record(ctx, rec)
	}
	return nil
}

// record puts a delivery's state on its case's timeline. A joint case's departments answer
// at once, and each record is a change of the one case, so a change another one took first
// is tried again after a pause; a failure in the end is only logged, the delivery's own
// record being the truth.
func (d *Desk) record(ctx context.Context, rec delivery.Delivery) {
	// A department that answered stays answered on the case: a late attempt's news is older.
	if answered, err := d.answered(ctx, rec.CaseNo); err == nil && slices.Contains(answered, rec.Department) {
		return
	}
	var err error
	for try := 0; try < 6; try++ {
		err = d.o.Cases.RecordDelivery(ctx, rec.CaseNo, cases.Delivery{Department: rec.Department, State: string(rec.State), Attempts: rec.Attempts})
		if errs.CodeOf(err) != "version_conflict" {
			break
		}
		select {
		case <-time.After(time.Duration(50+rand.IntN(200<<try)) * time.Millisecond):
		case <-ctx.Done():
		}
	}
	if err != nil {
		d.o.Log.Warn("delivery not recorded on the case", "case_no", rec.CaseNo, "department", rec.Department, "err", err)
	}
}

// HandleDeliver is the worker's handler of tasks.TypeDeliver: one attempt at one package.
func (d *Desk) HandleDeliver(ctx context.Context, t *asynq.Task) error {
	var pl tasks.DeliverPayload
	if err := tasks.Decode(t, &pl); err != nil {
		return err
	}
	p, docs, err := d.buildPackage(ctx, pl.CaseNo, pl.Department, pl.Version)
	if err != nil {
		return err
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	if !ok {
		maxRetry = delivery.MaxRetry
	}
	rec, sendErr := d.dl.Deliver(ctx, p, retried, maxRetry)
	// The timeline gets the first failed attempt and every change of state, not each of a
	// day's retries: each entry is a change of the case, which all its departments share.
	if rec.Key != "" && (rec.State != delivery.StatePending || rec.Attempts <= 1) {
		d.after(ctx, rec, docs)
	}
	if sendErr != nil && !errs.Retryable(sendErr) {
		return fmt.Errorf("%w: %w", sendErr, asynq.SkipRetry)
	}
	return sendErr
}

// buildPackage makes the package of version n of a case for a department, its documents
// read from their filed records.
func (d *Desk) buildPackage(ctx context.Context, caseNo, dept string, n int) (delivery.Package, []string, error) {
	c, err := d.o.Cases.Case(ctx, caseNo)
	if err != nil {
		return delivery.Package{}, nil, err
	}
	v, err := d.loadVersion(ctx, caseNo, n)
	if err != nil {
		return delivery.Package{}, nil, err
	}
	docs := make([]delivery.Document, 0, len(v.Documents))
	for _, id := range v.Documents {
		doc, err := d.o.State.GetDocument(ctx, id)
		if err != nil {
			return delivery.Package{}, nil, err
		}
		docs = append(docs, delivery.Document{ID: doc.ID, Type: doc.Type, Fields: doc.Fields, Pages: len(doc.Pages),
			SHA256: doc.SHA256, SM3: doc.SM3, Size: doc.Size})
	}
	dp, ok := d.o.Registry.Current().Get(dept)
	if !ok {
		// Removed from the file since: the sender refuses it, and the package is masked.
		dp = &delivery.Department{ID: dept}
	}
	a := delivery.Applicant{Name: c.Applicant.Name, IDNumber: c.Applicant.IDNumber, USCC: c.Applicant.USCC, Phone: c.Applicant.Phone}
	p := delivery.NewPackage(delivery.Case{No: c.CaseNo, Matter: c.Matter, Version: n, Applicant: a, DueDate: c.DueFor(dept)}, dp, docs, d.o.Clock.Now())
	return p, v.Documents, nil
}

// after follows an attempt: the case's timeline, the `delivered` events of the documents,
// and an accepted case moving into review once a department has its package.
func (d *Desk) after(ctx context.Context, rec delivery.Delivery, docs []string) {
	d.record(ctx, rec)
	if rec.DeliveredAt == nil || (rec.State != delivery.StateDelivered && rec.State != delivery.StateAcknowledged) {
		return
	}
	d.fileDelivered(ctx, rec, docs)
	d.intoReview(ctx, rec.CaseNo, "package "+rec.PackageID+" delivered to "+rec.Department)
}

// fileDelivered files a `delivered` provenance event beside each document of the package.
// The event's time is the delivery's, so a task run again files nothing twice.
func (d *Desk) fileDelivered(ctx context.Context, rec delivery.Delivery, docs []string) {
	at := rec.DeliveredAt.UTC()
	o := storage.PutOptions{}.WithLock(d.o.Retention.Until("", "", at))
	for _, id := range docs {
		ev := archive.Event{Type: "delivered", Agent: "department:" + rec.Department, Time: at,
			Detail: fmt.Sprintf("package %s (idempotency key %s) by %s", rec.PackageID, rec.Key, rec.Kind)}
		if err := archive.SaveEvent(ctx, d.o.Blobs, id, ev, o); err != nil && !errors.Is(err, storage.ErrExists) {
			d.o.Log.Error("delivered event not filed", "document", id, "case_no", rec.CaseNo, "err", err)
		}
	}
}

// intoReview moves an accepted case to in_review; a case already past it stays.
func (d *Desk) intoReview(ctx context.Context, caseNo, reason string) {
	c, err := d.o.Cases.Case(ctx, caseNo)
	if err != nil || c.State != cases.StateAccepted {
		return
	}
	if _, err := d.o.Cases.Advance(ctx, caseNo, 0, cases.StateInReview, reason, worker); err != nil && errs.CodeOf(err) != "illegal_transition" {
		d.o.Log.Warn("case not moved into review", "case_no", caseNo, "err", err)
	}
}
