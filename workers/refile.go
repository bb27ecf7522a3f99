package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/archive"
	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/pipeline"
	"onewindow/pipeline/assemble"
	"onewindow/pipeline/ocr"
	"onewindow/storage"
)

// refileBatch applies a reviewer's correction: groups whose pages and type are unchanged keep
// their document; every other group is filed as a new document; each replaced document gets a
// write-once note naming its successors; the batch lists the new set; stated types train the
// model. Every step is safe to repeat, so a retried or redelivered task ends the same way.
func (p *Processor) refileBatch(ctx context.Context, t *asynq.Task) error {
	const op = "workers.refile"
	var pl tasks.RefilePayload
	if err := tasks.Decode(t, &pl); err != nil {
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
		rec, err := archive.ReadRecord(ctx, p.Blobs, id)
		if err != nil {
			return err
		}
		base[i] = archive.DocumentFromRecord(rec)
	}
	// Which groups are a replaced document as it was: those keep their ID.
	targets := make([]string, len(c.Documents))
	kept := make([]*storage.Document, len(c.Documents))
	for i, g := range c.Documents {
		targets[i] = storage.RevisionDocumentID(b.ID, c.Revision, i)
		for _, d := range base {
			// A page turned differently is a different PDF, so a rotation alone refiles.
			if slices.Equal(d.Pages, g.Pages) && (g.Type == "" || g.Type == d.Type) && len(g.Fields) == 0 &&
				storage.SameRotations(d.Rotations, g.Rotations) {
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
	turned, err := p.readTurned(ctx, b, c, kept, results, in)
	if err != nil {
		return err
	}
	groups := make([]assemble.Group, len(c.Documents))
	for i, g := range c.Documents {
		groups[i] = assemble.Group{Pages: g.Pages, Type: g.Type, Fields: g.Fields, Rotations: g.Rotations}
	}
	known, err := p.caseCodes(ctx, b)
	if err != nil {
		return err
	}
	plans := p.Planner.PlanGroups(in, groups, known)
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
		} else if d, err = p.fileDocument(ctx, b, targets[i], plans[i], results, in,
			append(slices.Clip(corrected), turned[i]...)); err != nil {
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
	return p.tellCase(ctx, b, c.Revision)
}

// readTurned reads again every page a reviewer turned in the groups to be filed anew: the
// engine read it the wrong way up, so its text, codes and type came out of a page read
// sideways or upside down. The page is turned as the reviewer said and read without
// orientation detection; its new reading replaces in's, in the page as shown. It answers,
// for each group, the event that says which pages were read again. A page the engine
// cannot read turned keeps its earlier reading.
func (p *Processor) readTurned(ctx context.Context, b *storage.Batch, c storage.Correction, kept []*storage.Document,
	results []storage.PageResult, in []assemble.Page) ([][]archive.Event, error) {
	events := make([][]archive.Event, len(c.Documents))
	for i, g := range c.Documents {
		if kept[i] != nil {
			continue
		}
		var read []string
		for n, pg := range g.Pages {
			turn := pipeline.NormalTurn(g.Rotations[pg])
			if turn == 0 || pg < 0 || pg >= len(in) {
				continue
			}
			page, ok, err := p.readTurnedPage(ctx, b, pg, turn, results[pg])
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			in[pg].OCR, in[pg].OCRShown = &page, true
			read = append(read, fmt.Sprintf("page %d turned %d°", n+1, turn))
		}
		if len(read) > 0 {
			events[i] = []archive.Event{{Type: "ocr", Agent: "tesseract", Time: time.Now().UTC(),
				Detail: "read again as the reviewer turned it: " + strings.Join(read, ", ")}}
		}
	}
	return events, nil
}

// readTurnedPage reads page pg of b again turned by turn, or takes the reading an earlier
// refile kept (a retried task, a later correction of the same document), so a page is read
// turned once. ok is false when the engine cannot read it: the page keeps its first reading.
func (p *Processor) readTurnedPage(ctx context.Context, b *storage.Batch, pg, turn int, res storage.PageResult) (pipeline.OCRPage, bool, error) {
	key := storage.TurnedOCRKey(b.ID, pg, turn)
	var page pipeline.OCRPage
	err := p.getJSON(ctx, storage.Work, key, &page)
	if err == nil {
		return page, true, nil
	}
	if errs.KindOf(err) != errs.NotFound {
		return page, false, err
	}
	img, err := p.pageImage(ctx, res)
	if err != nil {
		return page, false, err
	}
	page, _, err = p.Engines.RecognizeTurned(ctx, img, turn)
	if errors.Is(err, ocr.ErrEngineCrashed) || errors.Is(err, ocr.ErrBadImage) {
		p.Log.Warn("cannot read a turned page again; it keeps its earlier reading",
			"batch", b.ID, "page", pg, "turn", turn, "err", err)
		return page, false, nil
	}
	if err != nil {
		return page, false, err
	}
	// Kept for the next refile and for the redacted copies, which cover personal numbers
	// where this reading found them.
	boxes, _ := json.Marshal(page)
	if _, err := p.Blobs.PutBytes(ctx, storage.Work, key, boxes, storage.PutOptions{ContentType: "application/json"}); err != nil {
		return page, false, err
	}
	return page, true, nil
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
	o := storage.PutOptions{ContentType: "application/json", IfAbsent: true}.WithLock(p.Filer.Retention.Until("", "", time.Now()))
	if _, err := p.Blobs.PutBytes(ctx, storage.Archive, key, data, o); err != nil && !errors.Is(err, storage.ErrExists) {
		return err
	}
	return nil
}

// trainDocument teaches the model a filed document's confirmed type.
func (p *Processor) trainDocument(ctx context.Context, t *asynq.Task) error {
	var pl tasks.TrainPayload
	if err := tasks.Decode(t, &pl); err != nil {
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
