package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/archive"
	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/pipeline"
	"onewindow/pipeline/assemble"
	"onewindow/pipeline/extract"
	"onewindow/pipeline/pdfout"
	"onewindow/pipeline/stamp"
	"onewindow/storage"
)

func errBadPageList(pl tasks.PagePayload, cause error) error {
	return errs.E("workers.page", errs.Internal, "bad_page_list",
		fmt.Sprintf("The page list of batch %s has no page %d.", pl.BatchID, pl.Index), cause)
}

// assembleBatch runs once all pages are done: it plans the documents, files each one and
// marks the batch done. Filing is write-once, so a second run reuses what the first filed.
func (p *Processor) assembleBatch(ctx context.Context, t *asynq.Task) error {
	var pl tasks.BatchPayload
	if err := tasks.Decode(t, &pl); err != nil {
		return err
	}
	b, err := p.loadBatch(ctx, pl.BatchID)
	if err != nil {
		return err
	}
	if b.Status == storage.StatusFailed {
		return nil
	}
	if b.Status == storage.StatusDone {
		return p.tellCase(ctx, b, 0) // a redelivered task after filing: the desk may not know yet
	}
	p.refreshModel(ctx)
	gathered := p.stage(pipeline.StageGather)
	results, in, err := p.loadPages(ctx, b)
	if err != nil {
		return err
	}
	gathered()
	filed, err := p.filedCodes(ctx, b)
	if err != nil {
		return err
	}
	plans := p.Planner.PlanInCase(in, filed)
	// The desk may have typed the applicant and the matter in; else the documents say them.
	applicant, matter := assemble.CaseFacts(plans)
	if b.Applicant == "" {
		b.Applicant = applicant
	}
	if b.Matter == "" {
		b.Matter = matter
	}
	docs := make([]storage.Document, 0, len(plans))
	for n, plan := range plans {
		d, err := p.fileDocument(ctx, b, DocumentID(b.ID, n), plan, results, in, nil)
		if err != nil {
			return err
		}
		docs = append(docs, *d)
	}
	b.Documents = docs
	b.DroppedPages = []storage.DroppedPage{}
	for _, r := range results {
		if r.Dropped != "" {
			b.DroppedPages = append(b.DroppedPages, storage.DroppedPage{Index: r.Index, Reason: r.Dropped})
		}
	}
	b.Status = storage.StatusDone
	b.PagesDone = b.PagesTotal
	b.Error = nil
	if err := p.saveBatch(ctx, b); err != nil {
		return err
	}
	p.Metrics.Batches.WithLabelValues(storage.StatusDone).Inc()
	if !b.CreatedAt.IsZero() {
		p.Metrics.BatchSeconds.Observe(time.Since(b.CreatedAt).Seconds())
	}
	p.Log.Info("batch done", "batch", b.ID, "case_no", b.CaseNo, "documents", len(docs), "dropped", len(b.DroppedPages))
	return p.tellCase(ctx, b, 0)
}

// filedCodes are the ID numbers and credit codes that b's case filed in its other batches
// (superseded documents left out): a near miss of one of them in b is taken as that code.
func (p *Processor) filedCodes(ctx context.Context, b *storage.Batch) ([]extract.Code, error) {
	if b.CaseNo == "" {
		return nil, nil
	}
	docs, err := p.State.CaseDocuments(ctx, b.CaseNo)
	if err != nil {
		return nil, err
	}
	var out []extract.Code
	for _, d := range docs {
		if d.BatchID == b.ID || len(d.SupersededBy) > 0 {
			continue
		}
		for _, v := range d.Fields["id_numbers"] {
			out = append(out, extract.Code{Kind: extract.KindID, Value: v})
		}
		for _, v := range d.Fields["uscc"] {
			out = append(out, extract.Code{Kind: extract.KindUSCC, Value: v})
		}
	}
	return out, nil
}

// tellCase queues the front desk's look at a filed batch of a case (revision rev of its
// documents); its task ID makes it once per revision.
func (p *Processor) tellCase(ctx context.Context, b *storage.Batch, rev int) error {
	if b.CaseNo == "" {
		return nil
	}
	return p.Queue.EnqueueOnce(ctx, tasks.NewCaseBatchTask(b.ID, b.CaseNo, rev))
}

// loadPages reads what the page tasks stored about every page of b.
func (p *Processor) loadPages(ctx context.Context, b *storage.Batch) ([]storage.PageResult, []assemble.Page, error) {
	results := make([]storage.PageResult, b.PagesTotal)
	in := make([]assemble.Page, b.PagesTotal)
	for i := range results {
		if err := p.getJSON(ctx, storage.Work, storage.PageResultKey(b.ID, i), &results[i]); err != nil {
			return nil, nil, err
		}
		in[i] = assemble.Page{Index: i, Dropped: results[i].Dropped, Dark: results[i].Dark}
		if results[i].OCRKey != "" {
			var words pipeline.OCRPage
			if err := p.getJSON(ctx, storage.Work, results[i].OCRKey, &words); err != nil {
				return nil, nil, err
			}
			in[i].OCR = &words
		}
	}
	return results, in, nil
}

func (p *Processor) getJSON(ctx context.Context, bk storage.Bucket, key string, v any) error {
	data, err := p.Blobs.Get(ctx, bk, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errs.E("workers.getJSON", errs.Internal, "bad_object", "A stored object is not valid JSON: "+key, err)
	}
	return nil
}

// DocumentID is deterministic so that re-running assembly finds what it filed before.
func DocumentID(batchID string, n int) string { return fmt.Sprintf("%s-%03d", batchID, n+1) }

// fileDocument files plan as document id (unless an earlier run did), indexes and announces
// it. extra events (a reviewer's correction) go into a newly filed record.
func (p *Processor) fileDocument(ctx context.Context, b *storage.Batch, id string, plan assemble.Document,
	results []storage.PageResult, in []assemble.Page, extra []archive.Event) (*storage.Document, error) {
	var rec archive.Record
	filed, err := archive.ReadRecord(ctx, p.Blobs, id)
	if err == nil {
		rec = *filed
	}
	switch {
	case err == nil:
		// Filed by an earlier run that died before the batch was marked done.
	case errs.KindOf(err) == errs.NotFound:
		if rec, err = p.buildAndFile(ctx, b, id, plan, results, in, extra); err != nil {
			return nil, err
		}
		p.Metrics.Documents.WithLabelValues(rec.Type).Inc()
	default:
		return nil, err
	}
	d := archive.DocumentFromRecord(&rec)
	indexed := p.stage(pipeline.StageIndex)
	if err := p.State.PutDocument(ctx, d); err != nil {
		return nil, err
	}
	if p.Filed != nil {
		p.Filed(ctx, d)
	}
	indexed()
	return d, nil
}

func (p *Processor) buildAndFile(ctx context.Context, b *storage.Batch, id string, plan assemble.Document,
	results []storage.PageResult, in []assemble.Page, extra []archive.Event) (archive.Record, error) {
	now := time.Now().UTC()
	rule := p.retention(plan.Type, b.Matter)
	retain := storage.PutOptions{RetainUntil: now.AddDate(rule.Years, 0, 0), RetentionMode: rule.Mode, IfAbsent: true}

	// The text is fixed before any page is stamped: the stamp's verification URL carries its
	// digest (archive.VerifyURL), since the PDF's own digest cannot be inside the PDF.
	texts := make([]string, len(plan.Pages))
	for i, idx := range plan.Pages {
		if in[idx].OCR != nil {
			texts[i] = in[idx].OCR.Text
		}
	}
	text := []byte(strings.Join(texts, "\f"))
	textDigests, _ := archive.DigestOf(bytes.NewReader(text))

	tmp, err := os.CreateTemp("", "onewindow-doc-*.pdf")
	if err != nil {
		return archive.Record{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	// The code is claimed before the PDF that carries it is written, so a rerun writes the same.
	archivalCode, err := archive.AssignArchivalCode(ctx, p.Blobs, p.Config.ArchivalCodePattern, archive.ArchivalCodeFields{
		Fonds: p.Config.FondsCode, FiledAt: now, RetentionYears: rule.Years, CaseNo: b.CaseNo, BatchID: b.ID,
		Type: plan.Type, Revision: storage.RevisionOf(b.ID, id)}, id, retain)
	if err != nil {
		return archive.Record{}, err
	}
	dig := archive.NewDigester()
	w := pdfout.NewWriter(io.MultiWriter(tmp, dig), pdfMeta(plan, b, id, archivalCode))
	for i, idx := range plan.Pages {
		r := results[idx]
		fetched := p.stage(pipeline.StageFetch)
		data, err := p.Blobs.Get(ctx, storage.Work, r.ImageKey)
		if err != nil {
			return archive.Record{}, err
		}
		fetched()
		img := pipeline.PageImage{Data: data, Format: r.Format, Width: r.Width, Height: r.Height, DPI: r.DPI}
		page := pdfout.Page{Image: img, OCR: in[idx].OCR}
		if p.Stamper != nil {
			stamped := p.stage(pipeline.StageStamp)
			wpt, hpt := pdfout.PageSize(img)
			info := stamp.PageInfo{PageNo: i + 1, PageCount: len(plan.Pages), CaseNo: b.CaseNo, Station: b.Station,
				Date: b.CreatedAt, WidthPt: wpt, HeightPt: hpt, DPI: img.DPI}
			if i == 0 {
				info.VerifyID = archive.VerifyURL(p.publicBaseURL(), id, textDigests.SHA256)
			}
			if in[idx].OCR != nil {
				info.Words = in[idx].OCR.Words
			}
			ov, err := p.Stamper.PageOverlay(info)
			if err != nil {
				return archive.Record{}, err
			}
			page.Overlay, page.OverlayResources = ov.Ops, ov.Resources
			stamped()
		}
		written := p.stage(pipeline.StagePDF)
		if err := w.AddPage(page); err != nil {
			return archive.Record{}, err
		}
		written()
	}
	written := p.stage(pipeline.StagePDF)
	if err := w.Close(); err != nil {
		return archive.Record{}, err
	}
	written()
	defer p.stage(pipeline.StageFile)()
	pdfDigests := dig.Sum()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return archive.Record{}, err
	}
	if _, err := p.Blobs.Put(ctx, storage.Archive, storage.DocumentPDFKey(id), tmp, pdfDigests.Size,
		withType(retain, "application/pdf")); err != nil && err != storage.ErrExists {
		return archive.Record{}, err
	}
	if _, err := p.Blobs.PutBytes(ctx, storage.Archive, storage.DocumentTextKey(id), text,
		withType(retain, "text/plain; charset=utf-8")); err != nil && err != storage.ErrExists {
		return archive.Record{}, err
	}
	rec := archive.Record{
		DocumentID: id, Title: titleOf(plan, b), Type: plan.Type, TypeName: plan.TypeName, Confidence: plan.Confidence,
		NeedsReview: plan.NeedsReview, CaseNo: b.CaseNo, BatchID: b.ID, Station: b.Station, Source: b.Source,
		Applicant: b.Applicant, Matter: b.Matter, Departments: b.Departments,
		Pages: plan.Pages, PageCount: len(plan.Pages), Fields: plan.Fields, FieldSources: plan.FieldSources, ReceivedAt: b.CreatedAt, FiledAt: now,
		Retention: archive.Retention{Mode: retain.RetentionMode, Until: retain.RetainUntil}, ArchivalCode: archivalCode,
		Files: []archive.File{
			{Role: "pdf", Bucket: "archive", Key: storage.DocumentPDFKey(id), Format: "application/pdf", Digests: pdfDigests},
			{Role: "text", Bucket: "archive", Key: storage.DocumentTextKey(id), Format: "text/plain", Digests: textDigests},
		},
		Events: []archive.Event{
			{Type: "received", Agent: "station:" + b.Station, Time: b.CreatedAt},
			{Type: "digitised", Agent: "onewindow", Time: now, Detail: fmt.Sprintf("%d pages", len(plan.Pages))},
			{Type: "ocr", Agent: "tesseract", Time: now},
			{Type: "classified", Agent: "onewindow", Time: now, Detail: fmt.Sprintf("%s %.2f", plan.Type, plan.Confidence)},
			{Type: "stamped", Agent: "onewindow", Time: now},
		},
	}
	rec.Events = append(rec.Events, extra...)
	rec.Events = append(rec.Events, readingNotes(b.Files, plan.Pages, b.CreatedAt)...)
	rec.Events = append(rec.Events, archive.Event{Type: "filed", Agent: "onewindow", Time: now})
	for _, f := range b.Files {
		if err := p.keepOriginal(ctx, f, retain); err != nil {
			return archive.Record{}, err
		}
		rec.Files = append(rec.Files, archive.File{Role: "original", Bucket: "archive", Key: storage.OriginalKey(f.SHA256),
			Format: f.Kind, Digests: archive.Digests{SHA256: f.SHA256, SM3: f.SM3, Size: f.Size}})
	}
	flagActiveContent(&rec, b.Files)
	recData, _ := json.MarshalIndent(rec, "", " ")
	if _, err := p.Blobs.PutBytes(ctx, storage.Archive, storage.DocumentRecordKey(id), recData,
		withType(retain, "application/json")); err != nil && err != storage.ErrExists {
		return archive.Record{}, err
	}
	return rec, nil
}

// keepOriginal files an upload's bytes in the archive beside the documents made from it, under
// retention at least as long as this document's: the documents of a batch, and of any batch
// that sent the same bytes, share one copy, kept as long as the longest of them needs.
func (p *Processor) keepOriginal(ctx context.Context, f storage.BatchFile, retain storage.PutOptions) error {
	key := storage.OriginalKey(f.SHA256)
	ok, err := p.Blobs.Exists(ctx, storage.Archive, key)
	if err != nil {
		return err
	}
	if !ok {
		rc, _, err := p.Blobs.Open(ctx, storage.Inbox, storage.RawKey(f.SHA256))
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = p.Blobs.Put(ctx, storage.Archive, key, rc, f.Size, withType(retain, "application/octet-stream"))
		if err == nil {
			return nil
		}
		if err != storage.ErrExists { // else filed meanwhile by another document
			return err
		}
	}
	return p.Blobs.ExtendRetention(ctx, storage.Archive, key, retain.RetentionMode, retain.RetainUntil)
}

// retention is how long, and how, a filed document of type typ in a case for matter is kept:
// the hall's schedule (--retention-by-type, --retention-by-matter), else the defaults.
func (p *Processor) retention(typ, matter string) archive.RetentionRule {
	rule := p.Retention.For(typ, matter)
	if rule.Years == 0 { // no schedule configured
		rule = archive.RetentionRule{Years: p.Config.RetentionYears, Mode: p.Config.RetentionMode}
	}
	if rule.Mode == "" {
		rule.Mode = p.Config.RetentionMode
	}
	return rule
}

// publicBaseURL is where people reach this installation's verification page: the setting,
// else the API's own address.
func (p *Processor) publicBaseURL() string {
	if p.Config.PublicBaseURL != "" {
		return p.Config.PublicBaseURL
	}
	return "http://" + p.Config.Addr
}

func withType(o storage.PutOptions, contentType string) storage.PutOptions {
	o.ContentType = contentType
	return o
}

// pdfMeta is the filed PDF's metadata: its PDF/A XMP packet carries the record's title, case
// number and archival code, so the file alone says what it is and where it belongs.
func pdfMeta(plan assemble.Document, b *storage.Batch, id, archivalCode string) pdfout.Meta {
	props := []pdfout.Property{{Name: "DocumentID", Value: id, Description: "onewindow document ID"}}
	if b.CaseNo != "" {
		props = append(props, pdfout.Property{Name: "CaseNo", Value: b.CaseNo, Description: "case number (受理号)"})
	}
	if archivalCode != "" {
		props = append(props, pdfout.Property{Name: "ArchivalCode", Value: archivalCode, Description: "archival code (档号)"})
	}
	return pdfout.Meta{Title: titleOf(plan, b), Subject: plan.Type, Keywords: []string{b.CaseNo, id, archivalCode},
		Creator: "onewindow", CreationDate: b.CreatedAt, Identifier: archivalCode, Language: "zh-CN", Properties: props}
}

func titleOf(plan assemble.Document, b *storage.Batch) string {
	if plan.Title != "" {
		return plan.Title
	}
	name := plan.TypeName
	if name == "" {
		name = plan.Type
	}
	return b.CaseNo + " " + name
}
