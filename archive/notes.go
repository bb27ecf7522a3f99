package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"onewindow/internal/errs"
	"onewindow/storage"
)

// DocumentFromRecord is the index entry of a filed document.
func DocumentFromRecord(r *Record) *storage.Document {
	d := &storage.Document{ID: r.DocumentID, BatchID: r.BatchID, CaseNo: r.CaseNo, Type: r.Type, TypeName: r.TypeName,
		Title: r.Title, Confidence: r.Confidence, Pages: r.Pages, Rotations: r.Rotations, Fields: r.Fields, Station: r.Station,
		CreatedAt: r.FiledAt, NeedsReview: r.NeedsReview, Applicant: r.Applicant, Matter: r.Matter,
		ArchivalCode: r.ArchivalCode}
	for _, f := range r.Files {
		if f.Role == "pdf" {
			d.SHA256, d.SM3, d.Size = f.SHA256, f.SM3, f.Size
		}
	}
	if d.Fields == nil {
		d.Fields = map[string][]string{}
	}
	return d
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
