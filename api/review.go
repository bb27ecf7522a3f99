package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"onewindow/archive"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/internal/tasks"
	"onewindow/pipeline/classify"
	"onewindow/pipeline/pdfout"
	"onewindow/storage"
)

// Review is the reviewers' API: correct a batch's documents (regroup pages, change types),
// confirm a type, list what waits for review. Corrections are filed in the archive first and
// applied by a queued refile task; confirmations and corrections train the classifier.
// Register it with Server.Extra = append(Server.Extra, review.Routes).
type Review struct {
	Blobs    ReviewBlobs
	State    ReviewState
	Queue    Enqueuer
	Taxonomy *classify.Taxonomy
	Log      *slog.Logger
	// Retention is the hall's schedule: reviewers' notes are kept as what is not a document.
	Retention archive.RetentionPolicy
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
}

// ReviewBlobs is the object storage the reviewers' calls use.
type ReviewBlobs interface {
	PutBytes(ctx context.Context, bk storage.Bucket, key string, data []byte, o storage.PutOptions) (storage.ObjectInfo, error)
	Open(ctx context.Context, bk storage.Bucket, key string) (io.ReadCloser, storage.ObjectInfo, error)
}

// ReviewState is the part of the Redis indexes the reviewers' calls use.
type ReviewState interface {
	GetBatch(ctx context.Context, id string) (*storage.Batch, error)
	GetDocument(ctx context.Context, id string) (*storage.Document, error)
	PutDocument(ctx context.Context, d *storage.Document) error
	ReviewQueue(ctx context.Context, page, perPage int) ([]storage.Document, int, error)
}

// Routes adds the reviewers' calls; it has the signature of Server.Extra.
func (rv *Review) Routes(mux *http.ServeMux, authz httpx.Authorizer) {
	mux.Handle("PUT /api/v1/batches/{id}/documents", authz(auth.CapReview, rv.correctBatch))
	mux.Handle("PATCH /api/v1/documents/{id}", authz(auth.CapReview, rv.retypeDocument))
	mux.Handle("POST /api/v1/documents/{id}/confirm", authz(auth.CapReview, rv.confirmDocument))
	mux.Handle("PUT /api/v1/documents/{id}/fields", authz(auth.CapReview, rv.correctFields))
	mux.Handle("GET /api/v1/review", authz(auth.CapReview, rv.listReview))
	mux.Handle("GET /api/v1/review/model", authz(auth.CapReview, rv.modelInfo))
}

// CorrectionRequest is the body of PUT /api/v1/batches/{id}/documents.
type CorrectionRequest struct {
	Documents []CorrectionGroup `json:"documents"`
	Reason    string            `json:"reason,omitempty"`
}

// CorrectionGroup is one document of a correction: its pages in reading order, its type
// (empty: let the classifier decide) and the pages to turn.
type CorrectionGroup struct {
	Pages []int  `json:"pages"`
	Type  string `json:"type,omitempty"`
	// Rotations turn pages clockwise by 0, 90, 180 or 270 degrees, by upload page index; a
	// page not named keeps the rotation it has now, so 0 turns a page back as scanned.
	Rotations map[int]int `json:"rotations,omitempty"`
}

// CorrectionAccepted answers a correction: it is filed and queued as revision Revision.
type CorrectionAccepted struct {
	BatchID  string   `json:"batch_id"`
	Revision int      `json:"revision"`
	Status   string   `json:"status"` // queued
	Replaces []string `json:"replaces"`
}

const maxReviewBody = 1 << 20

func (rv *Review) now() time.Time {
	if rv.Now != nil {
		return rv.Now().UTC()
	}
	return time.Now().UTC()
}

func (rv *Review) correctBatch(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	const op = "api.correctBatch"
	var req CorrectionRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	b, err := rv.State.GetBatch(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !p.SeesStation(b.Station) {
		return errs.E(op, errs.NotFound, "batch_not_found", "No batch has that ID.", nil)
	}
	if b.Status != storage.StatusDone {
		return errs.E(op, errs.Conflict, "batch_not_done", "Only a finished batch can be corrected; wait until its status is done.", nil)
	}
	if err := ValidateCorrection(b, req.Documents, rv.knownType); err != nil {
		return err
	}
	// A page keeps its rotation unless the request names it, so a client that only regroups
	// does not turn pages back.
	turned := map[int]int{}
	for _, d := range b.Documents {
		for pg, deg := range d.Rotations {
			turned[pg] = deg
		}
	}
	docs := make([]storage.CorrectedDocument, len(req.Documents))
	for i, g := range req.Documents {
		docs[i] = storage.CorrectedDocument{Pages: g.Pages, Type: g.Type, Train: g.Type != ""}
		for _, pg := range g.Pages {
			deg, named := g.Rotations[pg]
			if !named {
				deg = turned[pg]
			}
			if deg != 0 {
				if docs[i].Rotations == nil {
					docs[i].Rotations = map[int]int{}
				}
				docs[i].Rotations[pg] = deg
			}
		}
	}
	return rv.submit(w, r, p, b, docs, req.Reason)
}

// retypeDocument is the shortcut for a type-only fix: the batch keeps its grouping and only
// this document is filed again, with the new type.
func (rv *Review) retypeDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	const op = "api.retypeDocument"
	var req struct {
		Type   string `json:"type"`
		Reason string `json:"reason,omitempty"`
	}
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if req.Type == "" {
		return errs.E(op, errs.Invalid, "missing_type", "Send the document's type, e.g. {\"type\": \"id_card\"}.", nil)
	}
	if !rv.knownType(req.Type) {
		return errs.Errorf(op, errs.Invalid, "unknown_type", "%q is not a document type of this hall.", req.Type)
	}
	d, b, err := rv.liveDocument(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if req.Type == d.Type {
		return rv.confirm(w, r, p, d)
	}
	docs := make([]storage.CorrectedDocument, len(b.Documents))
	for i, bd := range b.Documents {
		docs[i] = storage.CorrectedDocument{Pages: bd.Pages, Type: bd.Type, Rotations: bd.Rotations}
		if bd.ID == d.ID {
			docs[i].Type, docs[i].Train = req.Type, true
		}
	}
	return rv.submit(w, r, p, b, docs, req.Reason)
}

func (rv *Review) confirmDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d, _, err := rv.liveDocument(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return rv.confirm(w, r, p, d)
}

// confirm files a note that a reviewer confirmed d's type, takes d off the review list and
// queues training on it.
func (rv *Review) confirm(w http.ResponseWriter, r *http.Request, p auth.Principal, d *storage.Document) error {
	ctx := r.Context()
	note := storage.Confirmation{DocumentID: d.ID, Type: d.Type, By: p.Name, Role: p.Role, At: rv.now()}
	data, _ := json.MarshalIndent(note, "", " ")
	if _, err := rv.Blobs.PutBytes(ctx, storage.Archive, storage.ConfirmedKey(d.ID), data, rv.noteOptions()); err != nil &&
		!errors.Is(err, storage.ErrExists) {
		return err
	}
	if err := rv.Queue.EnqueueOnce(ctx, tasks.NewTrainTask(d.ID, d.Type)); err != nil {
		return err
	}
	d.NeedsReview, d.ReviewedBy = false, p.Name
	if err := rv.State.PutDocument(ctx, d); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, d)
	return nil
}

// submit fixes the correction's revision number by filing it write-once, then queues it.
func (rv *Review) submit(w http.ResponseWriter, r *http.Request, p auth.Principal, b *storage.Batch,
	docs []storage.CorrectedDocument, reason string) error {
	const op = "api.correct"
	ctx := r.Context()
	c := storage.Correction{BatchID: b.ID, Revision: storage.LatestRevision(b) + 1, By: p.Name, Role: p.Role,
		At: rv.now(), Reason: reason, Documents: docs}
	for _, d := range b.Documents {
		c.Replaces = append(c.Replaces, d.ID)
	}
	data, _ := json.MarshalIndent(c, "", " ")
	_, err := rv.Blobs.PutBytes(ctx, storage.Archive, storage.CorrectionKey(b.ID, c.Revision), data, rv.noteOptions())
	if errors.Is(err, storage.ErrExists) {
		// That revision was asked for and is not applied yet; make sure it is queued.
		if err := rv.Queue.EnqueueOnce(ctx, tasks.NewRefileTask(b.ID, c.Revision)); err != nil {
			return err
		}
		return errs.Errorf(op, errs.Conflict, "correction_pending",
			"Correction %d of this batch is still being applied; try again when the batch lists its documents.", c.Revision)
	}
	if err != nil {
		return err
	}
	if err := rv.Queue.EnqueueOnce(ctx, tasks.NewRefileTask(b.ID, c.Revision)); err != nil {
		return err
	}
	rv.Log.Info("correction queued", "batch", b.ID, "revision", c.Revision, "by", p.Name, "documents", len(docs))
	WriteJSON(w, http.StatusAccepted, CorrectionAccepted{BatchID: b.ID, Revision: c.Revision, Status: "queued", Replaces: c.Replaces})
	return nil
}

// liveDocument finds a document that can still be reviewed, and its batch.
func (rv *Review) liveDocument(ctx context.Context, p auth.Principal, id string) (*storage.Document, *storage.Batch, error) {
	const op = "api.review"
	d, err := rv.State.GetDocument(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !p.SeesStation(d.Station) { // a scan station fixes its own stacks only
		return nil, nil, errs.E(op, errs.NotFound, "document_not_found", "No document has that ID.", nil)
	}
	if len(d.SupersededBy) > 0 {
		return nil, nil, errs.Errorf(op, errs.Conflict, "document_superseded",
			"Document %s was replaced by a correction; review its successors %v.", d.ID, d.SupersededBy)
	}
	b, err := rv.State.GetBatch(ctx, d.BatchID)
	if err != nil {
		return nil, nil, err
	}
	if b.Status != storage.StatusDone {
		return nil, nil, errs.E(op, errs.Conflict, "batch_not_done", "The document's batch is not finished.", nil)
	}
	if !slices.ContainsFunc(b.Documents, func(bd storage.Document) bool { return bd.ID == d.ID }) {
		return nil, nil, errs.E(op, errs.Conflict, "correction_pending",
			"A correction of this document's batch is being applied; try again shortly.", nil)
	}
	return d, b, nil
}

// ReviewList is the answer of GET /api/v1/review.
type ReviewList struct {
	Total     int                `json:"total"`
	Page      int                `json:"page"`
	PerPage   int                `json:"per_page"`
	Documents []storage.Document `json:"documents"`
}

func (rv *Review) listReview(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	const op = "api.listReview"
	page, perPage, err := pageParams(op, r.URL.Query())
	if err != nil {
		return err
	}
	docs, total, err := rv.State.ReviewQueue(r.Context(), page, perPage)
	if err != nil {
		return err
	}
	// A scan station reviews its own stacks; the others' leave its page and its count.
	n := len(docs)
	docs = slices.DeleteFunc(docs, func(d storage.Document) bool { return !p.SeesStation(d.Station) })
	total -= n - len(docs)
	if docs == nil {
		docs = []storage.Document{}
	}
	WriteJSON(w, http.StatusOK, ReviewList{Total: total, Page: page, PerPage: perPage, Documents: docs})
	return nil
}

// ModelInfo is the answer of GET /api/v1/review/model.
type ModelInfo struct {
	Examples    int            `json:"examples"`
	ByType      map[string]int `json:"by_type"`
	MinExamples int            `json:"min_examples"`
	Active      bool           `json:"active"` // the model has a say in classification
	UpdatedAt   *time.Time     `json:"updated_at,omitempty"`
}

func (rv *Review) modelInfo(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	info := ModelInfo{ByType: map[string]int{}, MinExamples: classify.MinModelExamples}
	rc, _, err := rv.Blobs.Open(r.Context(), storage.Work, storage.ModelKey)
	switch {
	case errs.KindOf(err) == errs.NotFound:
	case err != nil:
		return err
	default:
		defer rc.Close()
		var stored storage.StoredModel
		if err := json.NewDecoder(rc).Decode(&stored); err != nil {
			return errs.E("api.modelInfo", errs.Internal, "bad_model", "The stored classifier model is not valid JSON.", err)
		}
		for _, typ := range stored.Trained {
			info.ByType[typ]++
			info.Examples++
		}
		info.UpdatedAt = &stored.UpdatedAt
	}
	info.Active = info.Examples >= classify.MinModelExamples && len(info.ByType) >= 2
	WriteJSON(w, http.StatusOK, info)
	return nil
}

func (rv *Review) knownType(t string) bool {
	tax := rv.Taxonomy
	if tax == nil {
		tax = classify.Default()
	}
	return slices.Contains(tax.Names(), t)
}

// noteOptions file reviewers' notes like documents: write-once under retention.
func (rv *Review) noteOptions() storage.PutOptions {
	return storage.PutOptions{ContentType: "application/json", IfAbsent: true}.WithLock(rv.Retention.Until("", "", rv.now()))
}

// ValidateCorrection checks a reviewer's grouping against a batch: at least one document,
// none empty, known types, pages within the batch, no page twice, every page of the batch's
// current documents present (pages it dropped may come back or stay out), and rotations of
// 0, 90, 180 or 270 degrees for pages of their own document.
func ValidateCorrection(b *storage.Batch, groups []CorrectionGroup, known func(string) bool) error {
	const op = "api.ValidateCorrection"
	if len(groups) == 0 {
		return errs.E(op, errs.Invalid, "no_documents", "Send the batch's documents: {\"documents\": [{\"pages\": [0, 1], \"type\": \"...\"}]}.", nil)
	}
	seen := map[int]int{}
	for i, g := range groups {
		if len(g.Pages) == 0 {
			return errs.Errorf(op, errs.Invalid, "empty_document", "Document %d has no pages.", i+1)
		}
		if g.Type != "" && !known(g.Type) {
			return errs.Errorf(op, errs.Invalid, "unknown_type", "Document %d: %q is not a document type of this hall.", i+1, g.Type)
		}
		for _, pg := range g.Pages {
			if pg < 0 || pg >= b.PagesTotal {
				return errs.Errorf(op, errs.Invalid, "page_out_of_range",
					"Document %d: page %d is not in the batch (pages 0 to %d).", i+1, pg, b.PagesTotal-1)
			}
			if prev, dup := seen[pg]; dup {
				return errs.Errorf(op, errs.Invalid, "duplicate_page",
					"Page %d is in document %d and again in document %d; each page belongs to one document.", pg, prev+1, i+1)
			}
			seen[pg] = i
		}
		for pg, deg := range g.Rotations {
			if !pdfout.ValidRotation(deg) {
				return errs.Errorf(op, errs.Invalid, "bad_rotation",
					"Document %d: page %d is turned by %d degrees; send 0, 90, 180 or 270 (clockwise).", i+1, pg, deg)
			}
			if !slices.Contains(g.Pages, pg) {
				return errs.Errorf(op, errs.Invalid, "rotation_page_not_in_document",
					"Document %d: a rotation names page %d, which is not among its pages %v; name the document's own pages.", i+1, pg, g.Pages)
			}
		}
	}
	var missing []int
	for _, d := range b.Documents {
		for _, pg := range d.Pages {
			if _, ok := seen[pg]; !ok {
				missing = append(missing, pg)
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return errs.Errorf(op, errs.Invalid, "missing_page",
			"Pages %v of the batch's documents are in no document; every kept page must be placed once.", missing)
	}
	return nil
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxReviewBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.E("api.decodeBody", errs.Invalid, "bad_json", fmt.Sprintf("The body is not the JSON this call takes: %v.", err), err)
	}
	return nil
}
