package archivedesk

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"onewindow/archive"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/storage"
)

// auditedRoutes are the accesses the audit log records, by route pattern.
var auditedRoutes = map[string]string{
	"GET /api/v1/search":                             "search",
	"GET /api/v1/documents/{id}":                     "view",
	"GET /api/v1/documents/{id}/pdf":                 "view_pdf",
	"GET /api/v1/documents/{id}/text":                "view_text",
	"GET /api/v1/documents/{id}/link":                "link",
	"GET /api/v1/documents/{id}/events":              "view_events",
	"GET /api/v1/export":                             "export",
	"GET /api/v1/report":                             "report",
	"PUT /api/v1/admin/documents/{id}/legal-hold":    "legal_hold",
	"POST /api/v1/admin/documents/{id}/legal-hold":   "legal_hold",
	"DELETE /api/v1/admin/documents/{id}/legal-hold": "legal_hold",
	// Writes through the queue dashboard (with --dashboard-writes) delete, cancel or rerun work.
	"POST /admin/queues/":   "queue_write",
	"PUT /admin/queues/":    "queue_write",
	"PATCH /admin/queues/":  "queue_write",
	"DELETE /admin/queues/": "queue_write",
}

// AuditRequest fits api.Server.Audit: it logs the accesses auditedRoutes names, with the
// purpose the caller states in X-Purpose (percent-encoded if not ASCII) or ?purpose=. It runs
// before the handler; if the entry cannot be written the access is refused. Once the answer is
// sent, a second entry records the outcome (status, bytes, error code) and refers to the first,
// so the log tells a denied or failed access from one that delivered.
func (d *Desk) AuditRequest(r *http.Request, p auth.Principal) (httpx.AuditDone, error) {
	action := auditedRoutes[r.Pattern]
	if action == "" || d.Audit == nil {
		return nil, nil
	}
	q := r.URL.Query()
	purpose := r.Header.Get("X-Purpose")
	if u, err := url.PathUnescape(purpose); err == nil {
		purpose = u
	}
	if purpose == "" {
		purpose = q.Get("purpose")
	}
	q.Del("purpose")
	object := r.PathValue("id")
	if object == "" {
		object = q.Get("case_no")
	}
	e := archive.AuditEntry{Who: p.Name, Role: p.Role, Action: action, Object: object, Query: q.Encode(),
		Purpose: purpose, Remote: r.RemoteAddr}
	logged, err := d.Audit.Append(r.Context(), e)
	if err != nil {
		d.Log.Error("ACCESS AUDIT: cannot log an access; refusing it", "who", p.Name, "action", action, "object", object, "err", err)
		return nil, errs.E("desk.audit", errs.Unavailable, "audit_unavailable",
			"The access log cannot be written just now, so the access is refused. Try again shortly.", err)
	}
	ctx := context.WithoutCancel(r.Context()) // the client may be gone; the outcome is still logged
	return func(status int, bytes int64, code string) {
		out := archive.AuditEntry{Who: p.Name, Role: p.Role, Action: action, Object: object, Ref: logged.Seq,
			Status: status, Bytes: bytes, Code: code}
		if _, err := d.Audit.Append(ctx, out); err != nil {
			d.Log.Error("ACCESS AUDIT: cannot log an access's outcome", "who", p.Name, "action", action,
				"object", object, "entry", logged.Seq, "status", status, "err", err)
		}
		if contentAccess[action] && status < 300 {
			d.fileAccessEvent(ctx, object, p, action, purpose, logged.Seq)
		}
	}, nil
}

// contentAccess are the audited actions that reach a document's content; each success is
// also filed as an "accessed" provenance event beside the document.
var contentAccess = map[string]bool{"view": true, "view_pdf": true, "view_text": true, "link": true}

// fileAccessEvent files an "accessed" event beside the document, under the access log's
// retention. The access log holds the full entry; the event refers to it.
func (d *Desk) fileAccessEvent(ctx context.Context, docID string, p auth.Principal, action, purpose string, seq int64) {
	now := d.Clock.Now()
	detail := fmt.Sprintf("%s, access log entry %d", action, seq)
	if purpose != "" {
		detail += ", purpose: " + purpose
	}
	ev := archive.Event{Type: "accessed", Agent: "token:" + p.Name, Time: now, Detail: detail}
	rule := archive.RetentionRule{Years: 1, Mode: cmp.Or(d.RetentionMode, "GOVERNANCE")}
	if d.Audit != nil {
		rule.Years = max(d.Audit.RetentionYears, 1)
	}
	o := storage.PutOptions{}.WithLock(rule.Lock(now))
	if err := archive.SaveEvent(ctx, d.Blobs, docID, ev, o); err != nil {
		d.Log.Error("cannot file an access event", "document", docID, "entry", seq, "err", err)
	}
}

// VerifyAudit walks the access log's chain.
func (d *Desk) VerifyAudit(ctx context.Context) (*archive.AuditVerification, error) {
	head, err := archive.ReadAuditHead(ctx, d.State)
	if err != nil {
		d.Log.Warn("audit verify: no head in Redis; the last entry is vouched by nothing", "err", err)
	}
	return archive.VerifyAudit(ctx, d.Blobs, head, 8)
}

// LegalHoldResult is what a legal-hold change did.
type LegalHoldResult struct {
	DocumentID string   `json:"document_id"`
	LegalHold  bool     `json:"legal_hold"`
	Objects    []string `json:"objects"`            // archive objects now held or released
	NotHeld    []string `json:"not_held,omitempty"` // listed objects in buckets without object lock
	// StillHeld are shared originals a release left held, for another document of the batch
	// made from them is under legal hold too.
	StillHeld []string `json:"still_held,omitempty"`
	Event     string   `json:"event"`
}

// SetLegalHold puts every archive object of a document (record, PDF, text, original scans)
// under legal hold or releases it, then files the change as an event beside the record. An
// original is shared by the documents of its batch, so a release leaves it held while another
// of them is. Originals an older version left in the inbox, which has no object lock, are
// named in NotHeld.
func (d *Desk) SetLegalHold(ctx context.Context, docID string, on bool, by, reason string) (*LegalHoldResult, error) {
	rec, err := archive.ReadRecord(ctx, d.Blobs, docID)
	if err != nil {
		return nil, err
	}
	res := &LegalHoldResult{DocumentID: docID, LegalHold: on, Objects: []string{}}
	keys := []string{storage.DocumentRecordKey(docID)}
	var heldSibling *bool
	for _, f := range rec.Files {
		switch {
		case f.Bucket != "archive":
			res.NotHeld = append(res.NotHeld, f.Bucket+"/"+f.Key)
		case f.Role == "original" && !on:
			if heldSibling == nil {
				held, err := d.siblingHeld(ctx, rec)
				if err != nil {
					return nil, err
				}
				heldSibling = &held
			}
			if *heldSibling {
				res.StillHeld = append(res.StillHeld, "archive/"+f.Key)
			} else {
				keys = append(keys, f.Key)
			}
		default:
			keys = append(keys, f.Key)
		}
	}
	for _, k := range keys {
		if err := d.Blobs.SetLegalHold(ctx, storage.Archive, k, on); err != nil {
			return nil, err
		}
		res.Objects = append(res.Objects, "archive/"+k)
	}
	typ := "legal_hold_released"
	if on {
		typ = "legal_hold_set"
	}
	ev := archive.Event{Type: typ, Agent: "token:" + by, Time: d.Clock.Now(), Detail: reason}
	until := rec.Retention.Until
	if !until.After(ev.Time) { // the document's retention ran out: the event is kept a year
		until = archive.RetentionRule{Years: 1}.Lock(ev.Time).Until
	}
	if err := archive.SaveEvent(ctx, d.Blobs, docID, ev, storage.PutOptions{RetentionMode: d.retentionMode(rec),
		RetainUntil: until, LegalHold: on}); err != nil {
		return nil, err
	}
	res.Event = "archive/" + archive.EventKey(docID, ev)
	d.Log.Info("legal hold changed", "document", docID, "on", on, "by", by, "objects", len(res.Objects))
	return res, nil
}

func (d *Desk) retentionMode(rec *archive.Record) string {
	if rec.Retention.Mode != "" {
		return rec.Retention.Mode
	}
	if d.RetentionMode != "" {
		return d.RetentionMode
	}
	return "GOVERNANCE"
}

// siblingHeld reports whether another document of rec's batch is under legal hold.
func (d *Desk) siblingHeld(ctx context.Context, rec *archive.Record) (bool, error) {
	b, err := storage.LoadManifest(ctx, d.Blobs, rec.BatchID)
	if errs.KindOf(err) == errs.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, doc := range b.Documents {
		if doc.ID == rec.DocumentID {
			continue
		}
		lock, err := d.Blobs.LockOf(ctx, storage.Archive, storage.DocumentRecordKey(doc.ID))
		if errs.KindOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return false, err
		}
		if lock.LegalHold {
			return true, nil
		}
	}
	return false, nil
}

func (d *Desk) legalHold(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var body struct {
		On     *bool  `json:"on"`
		Reason string `json:"reason"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body); err != nil || body.On == nil {
		return errs.E("desk.legalHold", errs.Invalid, "bad_body", `Send {"on": true} or {"on": false}, optionally with "reason".`, err)
	}
	reason := body.Reason
	if reason == "" {
		reason = r.Header.Get("X-Purpose")
	}
	res, err := d.SetLegalHold(r.Context(), r.PathValue("id"), *body.On, p.Name, reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

// link hands out a presigned URL to a document's PDF or text that expires in minutes.
func (d *Desk) link(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	q := r.URL.Query()
	var key string
	switch q.Get("file") {
	case "", "pdf":
		key = storage.DocumentPDFKey(id)
	case "text":
		key = storage.DocumentTextKey(id)
	default:
		return badParam("file", "use pdf or text.")
	}
	minutes := 10
	if s := q.Get("minutes"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 60 {
			return badParam("minutes", "use 1 to 60.")
		}
		minutes = n
	}
	ok, err := d.Blobs.Exists(r.Context(), storage.Archive, key)
	if err != nil {
		return err
	}
	if !ok {
		return errs.E("desk.link", errs.NotFound, "document_not_found", "No filed document has that ID.", nil)
	}
	expiry := time.Duration(minutes) * time.Minute
	u, err := d.Blobs.PresignGet(r.Context(), storage.Archive, key, expiry)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"url": u, "expires_at": time.Now().UTC().Add(expiry).Truncate(time.Second),
		"document_id": id, "file": strings.TrimPrefix(key, storage.DocumentPrefix(id))})
	return nil
}
