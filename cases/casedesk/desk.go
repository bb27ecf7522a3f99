// Package desk is the front desk's service: it opens, changes and lists cases, files their
// notices, logs mail and serves all of it over HTTP. The rules live in package cases; this
// package loads a case's events, asks cases for the next event, files it write-once through
// the store and refreshes the cached view.
package casedesk

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"onewindow/cases"
	"onewindow/cases/notice"
	"onewindow/internal/clock"
	"onewindow/internal/errs"
	"onewindow/internal/fields"
	"onewindow/storage"
)

// Store is what the desk keeps cases in; *storage.CaseStore implements it.
type Store interface {
	AppendEvent(ctx context.Context, caseNo string, seq int, data []byte) error
	Events(ctx context.Context, caseNo string) ([][]byte, error)
	CaseNos(ctx context.Context) ([]string, error)
	PutView(ctx context.Context, ix storage.CaseIndex, view []byte) (bool, error)
	View(ctx context.Context, caseNo string) ([]byte, int, error)
	Views(ctx context.Context, caseNos []string) ([][]byte, error)
	ListCases(ctx context.Context, q storage.CaseQuery) ([]string, int64, error)
	NextCaseSeq(ctx context.Context, period string) (int64, error)
	PutNotice(ctx context.Context, caseNo, id string, pdf []byte) error
	Notice(ctx context.Context, caseNo, id string) ([]byte, error)
	PutMail(ctx context.Context, id string, data []byte, create bool) error
	Mail(ctx context.Context, id string) ([]byte, error)
	MailOfDay(ctx context.Context, day time.Time) ([][]byte, error)
}

var _ Store = (*storage.CaseStore)(nil)

// Options configure a Desk. Store, Notices are required; zero values of the rest take defaults.
type Options struct {
	Store     Store
	Notices   *notice.Renderer
	Catalogue *cases.Catalogue // default: the bundled sample
	Calendar  *cases.Calendar  // default: the bundled calendar
	// CaseNoPattern numbers new cases (cases.FormatCaseNo); default cases.DefaultCaseNoPattern.
	CaseNoPattern string
	// Clock is the hall's, for dates, due dates, case numbers and notices; zero: the system's
	// clock in clock.DefaultZone.
	Clock    clock.Clock
	Notifier Notifier // tells applicants; nil: nobody is told
	// Messages are what the notifier says when a case changes (decisions, result ready,
	// handed out); nil: the bundled texts.
	Messages *Messages
	Log      *slog.Logger
	// Signer signs notices, receipts and registers; nil: they carry the seal picture only.
	Signer PDFSigner
}

// Desk is the case service. It is safe for concurrent use.
type Desk struct {
	store     Store
	notices   *notice.Renderer
	signer    PDFSigner
	catalogue atomic.Pointer[cases.Catalogue]
	cal       *cases.Calendar
	pattern   string
	hall      clock.Clock
	notifier  Notifier
	messages  *Messages
	log       *slog.Logger
}

// New checks the options and returns a Desk.
func New(o Options) (*Desk, error) {
	if o.Store == nil || o.Notices == nil {
		return nil, errors.New("desk: Store and Notices are required")
	}
	if o.Catalogue == nil {
		o.Catalogue = cases.DefaultCatalogue()
	}
	if o.Calendar == nil {
		o.Calendar = cases.DefaultCalendar()
	}
	if o.CaseNoPattern == "" {
		o.CaseNoPattern = cases.DefaultCaseNoPattern
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if _, err := cases.FormatCaseNo(o.CaseNoPattern, o.Clock.Now(), 1); err != nil {
		return nil, err
	}
	d := &Desk{store: o.Store, notices: o.Notices, cal: o.Calendar, pattern: o.CaseNoPattern, hall: o.Clock,
		notifier: o.Notifier, messages: o.Messages, log: o.Log, signer: o.Signer}
	if d.notifier != nil {
		if d.messages == nil {
			d.messages = DefaultMessages()
		}
		d.store = WithAfterEvent(d.store, d.tellApplicant) // the applicant hears of each change
	}
	d.catalogue.Store(o.Catalogue)
	if now := d.clock(); !o.Calendar.Covers(now) || !o.Calendar.Covers(now.AddDate(0, 2, 0)) {
		d.log.Warn("the working-day calendar does not cover the coming months: due dates count weekends only; give a newer --calendar-file",
			"year", now.Year())
	}
	return d, nil
}

// SetCatalogue replaces the matter catalogue (a reload); cases keep the matter code they have.
func (d *Desk) SetCatalogue(c *cases.Catalogue) { d.catalogue.Store(c) }

// Catalogue is the matter catalogue in use.
func (d *Desk) Catalogue() *cases.Catalogue { return d.catalogue.Load() }

// clock is the hall's current time: every date the desk decides is the hall's.
func (d *Desk) clock() time.Time { return d.hall.Now() }

func (d *Desk) matter(op, code string) (cases.Matter, error) {
	m, ok := d.Catalogue().Matter(code)
	if !ok {
		return cases.Matter{}, errs.Errorf(op, errs.Unprocessable, "unknown_matter", "There is no matter %q in the catalogue.", code)
	}
	return m, nil
}

// load replays a case from its events in the archive: the record, never the cache.
func (d *Desk) load(ctx context.Context, caseNo string) (*cases.Case, error) {
	evs, err := d.events(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	return cases.Replay(evs)
}

// events reads a case's events with their data, in order.
func (d *Desk) events(ctx context.Context, caseNo string) ([]cases.Event, error) {
	if !cases.ValidCaseNo(caseNo) {
		return nil, errs.Errorf("desk.load", errs.NotFound, "case_not_found", "There is no case %s.", caseNo)
	}
	raws, err := d.store.Events(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	evs := make([]cases.Event, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &evs[i]); err != nil {
			return nil, errs.E("desk.load", errs.Internal, "bad_event", "A case event does not decode.", err)
		}
	}
	return evs, nil
}

// Case returns a case's view: the cache when it has one, else a replay that refills it.
func (d *Desk) Case(ctx context.Context, caseNo string) (*cases.Case, error) {
	if !cases.ValidCaseNo(caseNo) {
		return nil, errs.Errorf("desk.Case", errs.NotFound, "case_not_found", "There is no case %s.", caseNo)
	}
	if raw, _, err := d.store.View(ctx, caseNo); err == nil && raw != nil {
		var c cases.Case
		if json.Unmarshal(raw, &c) == nil {
			return &c, nil
		}
	}
	c, err := d.load(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	d.cache(ctx, c)
	return c, nil
}

// cache writes a case's view and index entries; a failure is logged, as the view is rebuilt
// from the events on the next read that misses.
func (d *Desk) cache(ctx context.Context, c *cases.Case) {
	raw, err := json.Marshal(c)
	if err == nil {
		_, err = d.store.PutView(ctx, d.index(c), raw)
	}
	if err != nil {
		d.log.WarnContext(ctx, "case view not cached", "case_no", c.CaseNo, "version", c.Version, "err", err)
	}
}

func (d *Desk) index(c *cases.Case) storage.CaseIndex {
	ix := storage.CaseIndex{CaseNo: c.CaseNo, Version: c.Version, State: c.State, Matter: c.Matter}
	if m, ok := d.Catalogue().Matter(c.Matter); ok {
		ix.Departments = m.Departments
	}
	if t, err := time.Parse(time.DateOnly, c.DueDate); err == nil {
		ix.Due = t
	}
	switch c.State {
	case cases.StateAccepted, cases.StateAcceptedWithDeficiencies, cases.StateInReview:
		ix.Open = true
	}
	if c.State == cases.StateAcceptedWithDeficiencies {
		for _, it := range c.Deferred {
			t, err := time.Parse(time.DateOnly, it.DueDate)
			if !it.Supplied && err == nil && (ix.SupplementDue.IsZero() || t.Before(ix.SupplementDue)) {
				ix.SupplementDue = t
			}
		}
	}
	return ix
}

// maxRetries bounds how often an internal change is recomputed after another desk's change
// took its version.
const maxRetries = 8

// change applies step to the current case and files the events it returns. With version > 0
// the case must still be at that version (If-Match), else version_conflict; with version 0
// a conflict with another desk reloads the case and runs step again. step returning no events
// changes nothing.
func (d *Desk) change(ctx context.Context, caseNo string, version int, step func(c *cases.Case) ([]cases.Event, error)) (*cases.Case, []cases.Event, error) {
	for attempt := 0; ; attempt++ {
		c, err := d.load(ctx, caseNo)
		if err != nil {
			return nil, nil, err
		}
		if version > 0 && c.Version != version {
			d.cache(ctx, c)
			return nil, nil, errs.Errorf("desk.change", errs.Conflict, "version_conflict",
				"Case %s is at version %d, not %d; reload it and try again.", caseNo, c.Version, version)
		}
		evs, err := step(c)
		if err != nil {
			return nil, nil, err
		}
		filed, err := d.file(ctx, caseNo, c, evs)
		if len(filed) > 0 {
			d.cache(ctx, c)
		}
		if err == nil {
			return c, filed, nil
		}
		// Another desk took the version: a client's If-Match change is refused, an internal
		// one (version 0) is recomputed on the new state.
		if errs.CodeOf(err) != "version_conflict" || version > 0 || len(filed) > 0 || attempt == maxRetries {
			return nil, nil, err
		}
	}
}

// file appends events of case caseNo in order, applying each to c; it stops at the first
// failure.
func (d *Desk) file(ctx context.Context, caseNo string, c *cases.Case, evs []cases.Event) ([]cases.Event, error) {
	var filed []cases.Event
	for _, e := range evs {
		raw, err := json.Marshal(e)
		if err != nil {
			return filed, errs.E("desk.file", errs.Internal, "", "", err)
		}
		if err := d.store.AppendEvent(ctx, caseNo, e.Seq, raw); err != nil {
			return filed, err
		}
		if err := c.Apply(e); err != nil {
			return filed, err
		}
		filed = append(filed, e)
		d.log.InfoContext(ctx, "case event filed", "case_no", caseNo, "seq", e.Seq, "type", e.Type, "by", e.By, "state", c.State)
	}
	return filed, nil
}

// OpenInput is a request to open a case.
type OpenInput struct {
	CaseNo    string       `json:"case_no,omitempty"` // empty: numbered by the hall's pattern
	Matter    string       `json:"matter"`
	Applicant cases.Party  `json:"applicant"`
	Submitter *cases.Party `json:"submitter,omitempty"` // the agent (经办人) who hands in for the applicant
	// Representative is an organisation's legal representative (法定代表人); optional.
	Representative *cases.Party `json:"representative,omitempty"`
	Channel        string       `json:"channel,omitempty"`
	Window         string       `json:"window,omitempty"` // default: the clerk's station, if any
	By             cases.Actor  `json:"-"`
}

// Open opens a case. Without a case number it takes the next one of the hall's sequence;
// a number already used (a sequence reset after a Redis loss) is skipped.
func (d *Desk) Open(ctx context.Context, in OpenInput) (*cases.Case, error) {
	const op = "desk.Open"
	m, err := d.matter(op, in.Matter)
	if err != nil {
		return nil, err
	}
	now := d.clock()
	for attempt := 0; attempt < 50; attempt++ {
		no := strings.TrimSpace(in.CaseNo)
		if no == "" {
			seq, err := d.store.NextCaseSeq(ctx, d.period(now))
			if err != nil {
				return nil, err
			}
			if no, err = cases.FormatCaseNo(d.pattern, now, seq); err != nil {
				return nil, err
			}
		}
		e, err := cases.Open(m, d.cal, cases.OpenInput{CaseNo: no, Applicant: in.Applicant, Submitter: in.Submitter,
			Representative: in.Representative, Window: cmp.Or(strings.TrimSpace(in.Window), station(in.By)),
			Channel: in.Channel, By: in.By, At: now})
		if err != nil {
			return nil, err
		}
		c := &cases.Case{}
		_, err = d.file(ctx, no, c, []cases.Event{e})
		if errs.CodeOf(err) == "version_conflict" {
			if in.CaseNo != "" {
				return nil, errs.Errorf(op, errs.Conflict, "case_exists", "Case %s already exists.", in.CaseNo)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		d.cache(ctx, c)
		return c, nil
	}
	return nil, errs.Errorf(op, errs.Internal, "case_no_exhausted", "No free case number was found.")
}

// period is the part of the clock the case-number pattern resets with.
func (d *Desk) period(now time.Time) string {
	switch {
	case strings.Contains(d.pattern, "{dd}"):
		return now.Format("d20060102")
	case strings.Contains(d.pattern, "{mm}"):
		return now.Format("m200601")
	case strings.Contains(d.pattern, "{yyyy}"), strings.Contains(d.pattern, "{yy}"):
		return now.Format("y2006")
	}
	return "all"
}

// BatchDone records the documents of a finished batch of a case and recomputes its check.
// Workers call it when a batch with a case number is filed; calling it twice changes nothing.
// A case number no case has is NotFound (case_not_found), which is not worth a retry.
func (d *Desk) BatchDone(ctx context.Context, caseNo, batchID string, docs []cases.DocumentFacts) error {
	_, _, err := d.change(ctx, caseNo, 0, func(c *cases.Case) ([]cases.Event, error) {
		m, err := d.matter("desk.BatchDone", c.Matter)
		if err != nil {
			return nil, err
		}
		e, ok, err := cases.BatchDone(c, m, d.cal, batchID, docs, cases.Actor{Name: "pipeline", Role: "worker"}, d.clock())
		if err != nil || !ok {
			return nil, err
		}
		return []cases.Event{e}, nil
	})
	return err
}

// DecideInput is a window's decision.
type DecideInput struct {
	Decision string   `json:"decision"`
	Reason   string   `json:"reason,omitempty"`
	Refusals []string `json:"refusals,omitempty"`
}

// Decide files a decision taken on version of a case (0: the current one) and the notice it
// orders, rendered and filed write-once beside the case.
func (d *Desk) Decide(ctx context.Context, caseNo string, version int, in DecideInput, by cases.Actor) (*cases.Case, error) {
	var decided cases.Event
	c, _, err := d.change(ctx, caseNo, version, func(c *cases.Case) ([]cases.Event, error) {
		m, err := d.matter("desk.Decide", c.Matter)
		if err != nil {
			return nil, err
		}
		e, err := cases.Decide(c, m, d.cal, cases.DecisionInput{Decision: in.Decision, Reason: in.Reason, Refusals: in.Refusals, By: by, At: d.clock()})
		if err != nil {
			return nil, err
		}
		decided = e
		return []cases.Event{e}, nil
	})
	if errs.CodeOf(err) == "version_conflict" {
		if c, e, ok := d.unnoticedDecision(ctx, caseNo, version, in); ok {
			return d.decisionNotice(ctx, c, e, by)
		}
	}
	if err != nil {
		return nil, err
	}
	return d.decisionNotice(ctx, c, decided, by)
}

// decisionNotice files the notice a decided event orders.
func (d *Desk) decisionNotice(ctx context.Context, c *cases.Case, decided cases.Event, by cases.Actor) (*cases.Case, error) {
	var data cases.DecidedData
	if err := json.Unmarshal(decided.Data, &data); err != nil {
		return nil, errs.E("desk.Decide", errs.Internal, "", "", err)
	}
	m, _ := d.Catalogue().Matter(c.Matter)
	n := notice.FromDecision(c, m, data, decided.Reason, decided.At)
	// The notice names who decided, and where: the case's window, else the decider's station,
	// else the general window every application comes through (DB22/T 2871.2 §7.1.1).
	n.Clerk = decided.By
	n.Window = cmp.Or(n.Window, station(cases.Actor{Role: decided.Role, Desk: decided.Desk}), "综合窗口")
	return d.fileNotice(ctx, c, decided.Seq, n, by)
}

// station is the station an actor works at, "" when it is known by its role alone.
func station(a cases.Actor) string {
	if a.Desk == a.Role {
		return ""
	}
	return a.Desk
}

// unnoticedDecision finds the decision a window retries because its notice failed (storage
// went away between filing the decision and its notice): the same decision and reason, made
// on the version the retry names, whose notice is not on the case. The retry files the notice
// instead of failing on the version the decision itself moved on.
func (d *Desk) unnoticedDecision(ctx context.Context, caseNo string, version int, in DecideInput) (*cases.Case, cases.Event, bool) {
	if version <= 0 {
		return nil, cases.Event{}, false
	}
	evs, err := d.events(ctx, caseNo)
	if err != nil || len(evs) <= version {
		return nil, cases.Event{}, false
	}
	e := evs[version] // the event that followed the version the window saw
	var data cases.DecidedData
	if e.Seq != version+1 || e.Type != cases.EvDecided || e.Reason != in.Reason ||
		json.Unmarshal(e.Data, &data) != nil || data.Decision != in.Decision {
		return nil, cases.Event{}, false
	}
	for _, later := range evs[version+1:] {
		if later.Type == cases.EvDecided {
			return nil, cases.Event{}, false // decided again since: the retry is stale
		}
	}
	c, err := cases.Replay(evs)
	if err != nil || c.HasNotice(e.Seq) {
		return nil, cases.Event{}, false
	}
	return c, e, true
}

// fileNotice renders a notice, files its PDF under an ID made from the event that ordered it
// (so a retry files the same notice) and records it on the case.
func (d *Desk) fileNotice(ctx context.Context, c *cases.Case, seq int, n notice.Data, by cases.Actor) (*cases.Case, error) {
	id := cases.NoticeID(c.CaseNo, seq)
	start := time.Now()
	pdf, err := d.notices.Render(n)
	if err == nil {
		pdf, err = d.sign(ctx, pdf, "notice")
	}
	if err != nil {
		return nil, err
	}
	if err := d.store.PutNotice(ctx, c.CaseNo, id, pdf); err != nil {
		return nil, err
	}
	d.log.InfoContext(ctx, "notice filed", "case_no", c.CaseNo, "notice", id, "kind", n.Kind, "bytes", len(pdf), "ms", time.Since(start).Milliseconds())
	c, _, err = d.change(ctx, c.CaseNo, 0, func(c *cases.Case) ([]cases.Event, error) {
		if c.HasNotice(seq) {
			return nil, nil
		}
		e, err := cases.AddNotice(c, id, n.Kind, by, d.clock())
		return []cases.Event{e}, err
	})
	return c, err
}

// noticeCase is the case a notice ID belongs to.
func noticeCase(id string) (string, bool) {
	i := strings.LastIndex(id, ".n")
	if i <= 0 || !cases.ValidCaseNo(id[:i]) {
		return "", false
	}
	for _, r := range id[i+2:] {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return id[:i], len(id) > i+2
}

// NoticePDF reads a filed notice.
func (d *Desk) NoticePDF(ctx context.Context, id string) ([]byte, error) {
	no, ok := noticeCase(id)
	if !ok {
		return nil, errs.Errorf("desk.NoticePDF", errs.NotFound, "notice_not_found", "There is no notice %s.", id)
	}
	return d.store.Notice(ctx, no, id)
}

// Advance moves a decided case to in_review, result_ready, delivered or closed.
func (d *Desk) Advance(ctx context.Context, caseNo string, version int, to, reason string, by cases.Actor) (*cases.Case, error) {
	c, _, err := d.change(ctx, caseNo, version, func(c *cases.Case) ([]cases.Event, error) {
		e, err := cases.Advance(c, to, reason, by, d.clock())
		return []cases.Event{e}, err
	})
	return c, err
}

// RecordDelivery records the state of a case's package at a department (for the delivery
// workers); the same state again changes nothing.
func (d *Desk) RecordDelivery(ctx context.Context, caseNo string, dl cases.Delivery) error {
	_, _, err := d.change(ctx, caseNo, 0, func(c *cases.Case) ([]cases.Event, error) {
		for _, x := range c.Deliveries {
			if x == dl {
				return nil, nil
			}
		}
		e, err := cases.RecordDelivery(c, dl, cases.Actor{Name: "delivery", Role: "worker"}, d.clock())
		return []cases.Event{e}, err
	})
	return err
}

// Reindex rebuilds every case's view and index entries from the archive; it answers how many.
func (d *Desk) Reindex(ctx context.Context) (int, error) {
	nos, err := d.store.CaseNos(ctx)
	if err != nil {
		return 0, err
	}
	for _, no := range nos {
		if err := d.reindexCase(ctx, no); err != nil {
			return 0, err
		}
	}
	return len(nos), nil
}

// reindexCase rebuilds one case's view and index entries from its events.
func (d *Desk) reindexCase(ctx context.Context, caseNo string) error {
	c, err := d.load(ctx, caseNo)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = d.store.PutView(ctx, d.index(c), raw)
	return err
}

// OpenAPI is this desk's part of the OpenAPI document ({"paths", "components": {"schemas"}}),
// for the API to merge into the one it serves.
//
//go:embed openapi.json
var OpenAPI []byte

// Counts are the case figures the metrics export: open cases past their time limit, open
// cases due within two working days, and cases whose owed 容缺 materials are late.
func (d *Desk) Counts(ctx context.Context) (map[string]int64, error) {
	today := d.clock()
	out := map[string]int64{}
	for name, q := range map[string]storage.CaseQuery{
		"overdue":             {Open: true, DueTo: today.AddDate(0, 0, -1), Limit: 1},
		"due_within_2_days":   {Open: true, DueFrom: today, DueTo: d.cal.AddWorkingDays(today, 2), Limit: 1},
		"supplements_overdue": {Supplements: true, DueTo: today.AddDate(0, 0, -1), Limit: 1},
	} {
		_, n, err := d.store.ListCases(ctx, q)
		if err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, nil
}

// OverdueSupplements counts the cases accepted with deficiencies whose owed materials are
// late, for the metrics.
func (d *Desk) OverdueSupplements(ctx context.Context) (int64, error) {
	_, n, err := d.store.ListCases(ctx, storage.CaseQuery{Supplements: true, DueTo: d.clock().AddDate(0, 0, -1), Limit: 1})
	return n, err
}

// Facts turns filed documents (as the workers index them) into what the completeness check
// reads: type, the ID numbers and credit codes found, and whether a correction replaced it.
func Facts(docs []*storage.Document) []cases.DocumentFacts {
	out := make([]cases.DocumentFacts, 0, len(docs))
	for _, d := range docs {
		out = append(out, cases.DocumentFacts{ID: d.ID, Type: d.Type, IDNumbers: d.Fields[fields.IDNumbers], USCC: d.Fields[fields.USCC],
			Superseded: len(d.SupersededBy) > 0})
	}
	return out
}
