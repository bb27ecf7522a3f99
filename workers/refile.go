package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/archive"
	"onewindow/internal/errs"
	"onewindow/pipeline/assemble"
	"onewindow/pipeline/classify"
	"onewindow/storage"
)

// Task types of reviewers' corrections.
const (
	TypeRefile = "batch:refile" // file a batch's documents again as a reviewer regrouped them
	TypeTrain  = "model:train"  // teach the classifier's model a type a reviewer confirmed
)

type refilePayload struct {
	BatchID  string `json:"batch_id"`
	Revision int    `json:"revision"`
}

type trainPayload struct {
	DocumentID string `json:"document_id"`
	Type       string `json:"type"`
}

// NewRefileTask applies correction rev of a batch (filed beforehand, storage.CorrectionKey).
// Its ID makes the same revision run once however often it is asked for.
func NewRefileTask(batchID string, rev int) *asynq.Task {
	p, _ := json.Marshal(refilePayload{BatchID: batchID, Revision: rev})
	return asynq.NewTask(TypeRefile, p, asynq.TaskID(fmt.Sprintf("refile:%s:%d", batchID, rev)),
		asynq.Queue(QueueCritical), asynq.Retention(taskRetention))
}

// NewTrainTask trains the model on a filed document as type typ.
func NewTrainTask(docID, typ string) *asynq.Task {
	p, _ := json.Marshal(trainPayload{DocumentID: docID, Type: typ})
	return asynq.NewTask(TypeTrain, p, asynq.TaskID("train:"+docID+":"+typ), asynq.Queue(QueueCritical),
		asynq.Retention(taskRetention))
}

// RevisionDocumentID names document n of a batch's correction rev. Filed documents are never
// replaced in place, so each revision's documents get IDs of their own.
func RevisionDocumentID(batchID string, rev, n int) string {
	return fmt.Sprintf("%s-r%d-%03d", batchID, rev, n+1)
}

// RevisionOf is the correction a document ID was filed by: 0 for the first assembly.
func RevisionOf(batchID, docID string) int {
	rest, ok := strings.CutPrefix(docID, batchID+"-r")
	if !ok {
		return 0
	}
	num, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return 0
	}
	return n
}

// LatestRevision is the newest correction applied to a batch's documents (0: none).
func LatestRevision(b *storage.Batch) int {
	n := 0
	for _, d := range b.Documents {
		n = max(n, RevisionOf(b.ID, d.ID))
	}
	return n
}

// refileBatch applies a reviewer's correction: groups whose pages and type are unchanged keep
// their document; every other group is filed as a new document; each replaced document gets a
// write-once note naming its successors; the batch lists the new set; stated types train the
// model. Every step is safe to repeat, so a retried or redelivered task ends the same way.
func (p *Processor) refileBatch(ctx context.Context, t *asynq.Task) error {
	const op = "workers.refile"
	var pl refilePayload
	if err := decode(t, &pl); err != nil {
		return err
	}
	var c storage.Correction
	if err := p.getJSON(ctx, storage.Archive, storage.CorrectionKey(pl.BatchID, pl.Revision), &c); err != nil {
		return err
	}
	b, err := p.loadBatch(ctx, c.BatchID)
	if err != nil {
		return err
	}
	if b.Status != storage.StatusDone {
		return errs.E(op, errs.Conflict, "batch_not_done", "Only a finished batch can be corrected.", nil)
	}
	base := make([]*storage.Document, len(c.Replaces))
	for i, id := range c.Replaces {
		var rec archive.Record
		if err := p.getJSON(ctx, storage.Archive, storage.DocumentRecordKey(id), &rec); err != nil {
			return err
		}
		base[i] = DocumentFromRecord(&rec)
	}
	// Which groups are a replaced document as it was: those keep their ID.
	targets := make([]string, len(c.Documents))
	kept := make([]*storage.Document, len(c.Documents))
	for i, g := range c.Documents {
		targets[i] = RevisionDocumentID(b.ID, c.Revision, i)
		for _, d := range base {
			if slices.Equal(d.Pages, g.Pages) && (g.Type == "" || g.Type == d.Type) {
				kept[i], targets[i] = d, d.ID
			}
		}
	}
	current := documentIDs(b.Documents)
	applied := slices.Equal(current, targets)
	if !applied && !slices.Equal(current, c.Replaces) {
		return errs.E(op, errs.Conflict, "batch_changed",
			fmt.Sprintf("Batch %s changed since correction %d was asked for.", b.ID, c.Revision), nil)
	}

	p.refreshModel(ctx)
	results, in, err := p.loadPages(ctx, b)
	if err != nil {
		return err
	}
	groups := make([]assemble.Group, len(c.Documents))
	for i, g := range c.Documents {
		groups[i] = assemble.Group{Pages: g.Pages, Type: g.Type}
	}
	plans := p.Planner.PlanGroups(in, groups)
	detail := fmt.Sprintf("revision %d of batch %s replaces %s", c.Revision, b.ID, strings.Join(c.Replaces, ", "))
	if c.Reason != "" {
		detail += ": " + c.Reason
	}
	corrected := []archive.Event{{Type: "corrected", Agent: "reviewer:" + c.By, Time: c.At, Detail: detail}}
	docs := make([]storage.Document, len(c.Documents))
	var examples []Example
	for i, g := range c.Documents {
		var d *storage.Document
		if kept[i] != nil {
			d = kept[i]
		} else if d, err = p.fileDocument(ctx, b, targets[i], plans[i], results, in, corrected); err != nil {
			return err
		}
		if g.Train && g.Type != "" {
			// A person stated this type: it is confirmed, and the model learns it.
			if err := p.noteConfirmed(ctx, d, c.By, c.Role, c.At); err != nil {
				return err
			}
			d.NeedsReview, d.ReviewedBy = false, c.By
			if err := p.State.PutDocument(ctx, d); err != nil {
				return err
			}
			examples = append(examples, Example{DocumentID: d.ID, Type: g.Type, Text: pagesText(in, g.Pages)})
		}
		docs[i] = *d
	}
	for _, old := range base {
		if slices.Contains(targets, old.ID) {
			continue
		}
		if err := p.supersede(ctx, c, old, docs); err != nil {
			return err
		}
	}
	if !applied {
		reincluded := map[int]bool{}
		for _, g := range c.Documents {
			for _, pg := range g.Pages {
				reincluded[pg] = true
			}
		}
		dropped := []storage.DroppedPage{}
		for _, dp := range b.DroppedPages {
			if !reincluded[dp.Index] {
				dropped = append(dropped, dp)
			}
		}
		b.Documents, b.DroppedPages = docs, dropped
		if err := p.saveBatch(ctx, b); err != nil {
			return err
		}
	}
	if p.Model != nil && len(examples) > 0 {
		if _, err := p.Model.Train(ctx, examples); err != nil {
			return err
		}
	}
	p.Log.Info("batch corrected", "batch", b.ID, "revision", c.Revision, "by", c.By,
		"documents", len(docs), "replaced", len(base)-countKept(kept), "trained", len(examples))
	return nil
}

// supersede files the note beside a replaced document and marks its index entry, which keeps
// answering with the documents that replaced it.
func (p *Processor) supersede(ctx context.Context, c storage.Correction, old *storage.Document, now []storage.Document) error {
	by := []string{}
	for _, d := range now {
		if slices.ContainsFunc(d.Pages, func(pg int) bool { return slices.Contains(old.Pages, pg) }) {
			by = append(by, d.ID)
		}
	}
	note := storage.Supersession{DocumentID: old.ID, SupersededBy: by, BatchID: c.BatchID, Revision: c.Revision,
		By: c.By, At: c.At, Reason: c.Reason}
	if err := p.putNote(ctx, storage.SupersededKey(old.ID), note); err != nil {
		return err
	}
	// The note filed first wins; a repeated run reads it back rather than trusting itself.
	if err := p.getJSON(ctx, storage.Archive, storage.SupersededKey(old.ID), &note); err != nil {
		return err
	}
	old.SupersededBy = note.SupersededBy
	if err := p.State.PutDocument(ctx, old); err != nil {
		return err
	}
	if p.Filed != nil {
		p.Filed(ctx, old) // search drops it when it reads the note
	}
	return nil
}

// noteConfirmed files the write-once note that a reviewer confirmed d's type.
func (p *Processor) noteConfirmed(ctx context.Context, d *storage.Document, by, role string, at time.Time) error {
	return p.putNote(ctx, storage.ConfirmedKey(d.ID),
		storage.Confirmation{DocumentID: d.ID, Type: d.Type, By: by, Role: role, At: at})
}

// putNote files a small JSON note in the archive, write-once under the archive's retention;
// a note already there is left as it is.
func (p *Processor) putNote(ctx context.Context, key string, v any) error {
	data, _ := json.MarshalIndent(v, "", " ")
	o := storage.PutOptions{ContentType: "application/json", IfAbsent: true, RetentionMode: p.Config.RetentionMode,
		RetainUntil: time.Now().UTC().AddDate(p.Config.RetentionYears, 0, 0)}
	if _, err := p.Blobs.PutBytes(ctx, storage.Archive, key, data, o); err != nil && !errors.Is(err, storage.ErrExists) {
		return err
	}
	return nil
}

// trainDocument teaches the model a filed document's confirmed type.
func (p *Processor) trainDocument(ctx context.Context, t *asynq.Task) error {
	var pl trainPayload
	if err := decode(t, &pl); err != nil {
		return err
	}
	if p.Model == nil {
		return nil
	}
	text, err := p.Blobs.Get(ctx, storage.Archive, storage.DocumentTextKey(pl.DocumentID))
	if err != nil {
		return err
	}
	_, err = p.Model.Train(ctx, []Example{{DocumentID: pl.DocumentID, Type: pl.Type, Text: string(text)}})
	return err
}

func (p *Processor) refreshModel(ctx context.Context) {
	if p.Model == nil {
		return
	}
	if err := p.Model.Refresh(ctx); err != nil {
		// Classifying with the model as last loaded is better than not filing.
		p.Log.Warn("cannot reload the classifier model", "err", err)
	}
}

func pagesText(in []assemble.Page, pages []int) string {
	texts := make([]string, len(pages))
	for i, pg := range pages {
		if pg >= 0 && pg < len(in) && in[pg].OCR != nil {
			texts[i] = in[pg].OCR.Text
		}
	}
	return strings.Join(texts, "\f")
}

func documentIDs(docs []storage.Document) []string {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

func countKept(kept []*storage.Document) int {
	n := 0
	for _, d := range kept {
		if d != nil {
			n++
		}
	}
	return n
}

// ModelBlobs is the object storage the model store needs.
type ModelBlobs interface {
	Stat(ctx context.Context, bk storage.Bucket, key string) (storage.ObjectInfo, error)
	Open(ctx context.Context, bk storage.Bucket, key string) (io.ReadCloser, storage.ObjectInfo, error)
	PutIfMatch(ctx context.Context, bk storage.Bucket, key string, data []byte, etag, contentType string) (storage.ObjectInfo, error)
}

// ModelStore keeps the classifier's learned model in the work bucket (storage.ModelKey) and
// Model, which the planners classify with, in step with it. Every worker trains through it;
// writes are conditional on the ETag read, so concurrent trainers never lose each other's
// examples.
type ModelStore struct {
	Blobs ModelBlobs
	Model *classify.Model // shared with the planners; reloaded in place

	mu   sync.Mutex
	etag string
}

// Example is one document of a type a person stated.
type Example struct {
	DocumentID string
	Type       string
	Text       string
}

// StoredModel is the model object: the n-gram counts and which documents they came from, so
// that training on a document twice (a retried task) counts it once.
type StoredModel struct {
	Model     json.RawMessage   `json:"model"`
	Trained   map[string]string `json:"trained"` // document ID -> type
	UpdatedAt time.Time         `json:"updated_at"`
}

// Refresh reloads the model if the stored object changed; a Stat when it did not.
func (s *ModelStore) Refresh(ctx context.Context) error {
	info, err := s.Blobs.Stat(ctx, storage.Work, storage.ModelKey)
	if errs.KindOf(err) == errs.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	same := info.ETag == s.etag
	s.mu.Unlock()
	if same {
		return nil
	}
	stored, etag, err := s.load(ctx)
	if err != nil {
		return err
	}
	return s.adopt(stored, etag)
}

// Train adds examples not trained before and stores the model; it returns how many it added.
func (s *ModelStore) Train(ctx context.Context, examples []Example) (int, error) {
	for attempt := 0; ; attempt++ {
		stored, etag, err := s.load(ctx)
		if err != nil {
			return 0, err
		}
		m := classify.NewModel()
		if stored.Model != nil {
			if err := m.UnmarshalJSON(stored.Model); err != nil {
				return 0, errs.E("workers.ModelStore", errs.Internal, "bad_model", "The stored classifier model does not load.", err)
			}
		}
		added := 0
		for _, e := range examples {
			if _, done := stored.Trained[e.DocumentID]; done {
				continue
			}
			m.Train(e.Text, e.Type)
			stored.Trained[e.DocumentID] = e.Type
			added++
		}
		if added == 0 {
			return 0, s.adopt(stored, etag)
		}
		stored.Model, _ = m.MarshalJSON()
		stored.UpdatedAt = time.Now().UTC()
		data, _ := json.Marshal(stored)
		info, err := s.Blobs.PutIfMatch(ctx, storage.Work, storage.ModelKey, data, etag, "application/json")
		if errors.Is(err, storage.ErrChanged) && attempt < 20 {
			continue // another worker trained meanwhile: start again from its model
		}
		if err != nil {
			return 0, err
		}
		return added, s.adopt(stored, info.ETag)
	}
}

// load reads the stored model; none yet is an empty one with ETag "".
func (s *ModelStore) load(ctx context.Context) (*StoredModel, string, error) {
	stored := &StoredModel{Trained: map[string]string{}}
	rc, info, err := s.Blobs.Open(ctx, storage.Work, storage.ModelKey)
	if errs.KindOf(err) == errs.NotFound {
		return stored, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(stored); err != nil {
		return nil, "", errs.E("workers.ModelStore", errs.Internal, "bad_model", "The stored classifier model is not valid JSON.", err)
	}
	if stored.Trained == nil {
		stored.Trained = map[string]string{}
	}
	return stored, info.ETag, nil
}

func (s *ModelStore) adopt(stored *StoredModel, etag string) error {
	if s.Model != nil && stored.Model != nil {
		if err := s.Model.UnmarshalJSON(stored.Model); err != nil {
			return errs.E("workers.ModelStore", errs.Internal, "bad_model", "The stored classifier model does not load.", err)
		}
	}
	s.mu.Lock()
	s.etag = etag
	s.mu.Unlock()
	return nil
}

// NoteGetter reads small objects.
type NoteGetter interface {
	Get(ctx context.Context, bk storage.Bucket, key string) ([]byte, error)
}

// ApplyReviewNotes adds to a document's index entry, built from its record, what reviewers
// filed beside it since: that a correction superseded it, or that a reviewer confirmed its
// type. Reindex calls it so that Redis rebuilt from MinIO answers as before.
func ApplyReviewNotes(ctx context.Context, g NoteGetter, d *storage.Document) error {
	var sup storage.Supersession
	switch data, err := g.Get(ctx, storage.Archive, storage.SupersededKey(d.ID)); {
	case err == nil:
		if err := json.Unmarshal(data, &sup); err != nil {
			return fmt.Errorf("superseded note of %s: %w", d.ID, err)
		}
		d.SupersededBy = sup.SupersededBy
	case errs.KindOf(err) != errs.NotFound:
		return err
	}
	var conf storage.Confirmation
	switch data, err := g.Get(ctx, storage.Archive, storage.ConfirmedKey(d.ID)); {
	case err == nil:
		if err := json.Unmarshal(data, &conf); err != nil {
			return fmt.Errorf("confirmed note of %s: %w", d.ID, err)
		}
		d.NeedsReview, d.ReviewedBy = false, conf.By
	case errs.KindOf(err) != errs.NotFound:
		return err
	}
	return nil
}
