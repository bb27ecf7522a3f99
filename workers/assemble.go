package workers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/archive"
	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/pipeline"
	"onewindow/pipeline/assemble"
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
	known, err := p.caseCodes(ctx, b)
	if err != nil {
		return err
	}
	plans := p.Planner.PlanInCase(in, known)
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
	return storage.GetJSON(ctx, p.Blobs, bk, key, v)
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

// buildAndFile renders plan's PDF and hands it to the archive to file.
func (p *Processor) buildAndFile(ctx context.Context, b *storage.Batch, id string, plan assemble.Document,
	results []storage.PageResult, in []assemble.Page, extra []archive.Event) (archive.Record, error) {
	now := time.Now().UTC()
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
	events := []archive.Event{
		{Type: "received", Agent: "station:" + b.Station, Time: b.CreatedAt},
		{Type: "digitised", Agent: "onewindow", Time: now, Detail: fmt.Sprintf("%d pages", len(plan.Pages))},
		{Type: "ocr", Agent: "tesseract", Time: now},
		{Type: "classified", Agent: "onewindow", Time: now, Detail: fmt.Sprintf("%s %.2f", plan.Type, plan.Confidence)},
		{Type: "stamped", Agent: "onewindow", Time: now},
	}
	f := archive.Filing{DocumentID: id, Batch: b, Title: titleOf(plan, b), Type: plan.Type, TypeName: plan.TypeName,
		Confidence: plan.Confidence, NeedsReview: plan.NeedsReview, Pages: plan.Pages, Rotations: plan.Rotations, Fields: plan.Fields,
		FieldSources: plan.FieldSources, Text: text, Events: append(events, extra...), At: now}
	filing := func() {}
	defer func() { filing() }()
	return p.Filer.File(ctx, f, func(out io.Writer, archivalCode string) error {
		err := p.renderPDF(ctx, out, b, id, archivalCode, plan, results, in, textDigests.SHA256)
		filing = p.stage(pipeline.StageFile)
		return err
	})
}

// renderPDF writes plan's PDF to out: the page images with their text layer and stamp.
func (p *Processor) renderPDF(ctx context.Context, out io.Writer, b *storage.Batch, id, archivalCode string,
	plan assemble.Document, results []storage.PageResult, in []assemble.Page, textSHA256 string) error {
	w := pdfout.NewWriter(out, pdfMeta(plan, b, id, archivalCode))
	for i, idx := range plan.Pages {
		fetched := p.stage(pipeline.StageFetch)
		img, err := p.pageImage(ctx, results[idx])
		if err != nil {
			return err
		}
		fetched()
		page := pdfout.Page{Image: img, OCR: in[idx].OCR, Rotate: plan.Rotations[idx], OCRShown: in[idx].OCRShown}
		if p.Stamper != nil {
			stamped := p.stage(pipeline.StageStamp)
			wpt, hpt := pdfout.PageSize(img)
			info := stamp.PageInfo{PageNo: i + 1, PageCount: len(plan.Pages), CaseNo: b.CaseNo, Station: b.Station,
				Date: b.CreatedAt, WidthPt: wpt, HeightPt: hpt, DPI: img.DPI, Rotate: page.Rotate, WordsShown: page.OCRShown}
			if i == 0 {
				info.VerifyID = archive.VerifyURL(p.publicBaseURL(), id, textSHA256)
			}
			if in[idx].OCR != nil {
				info.Words = in[idx].OCR.Words
			}
			ov, err := p.Stamper.PageOverlay(info)
			if err != nil {
				return err
			}
			page.Overlay, page.OverlayResources = ov.Ops, ov.Resources
			stamped()
		}
		written := p.stage(pipeline.StagePDF)
		if err := w.AddPage(page); err != nil {
			return err
		}
		written()
	}
	defer p.stage(pipeline.StagePDF)()
	return w.Close()
}

// pageImage reads the page image the pipeline worked on (the upright or shrunk copy, if any).
func (p *Processor) pageImage(ctx context.Context, r storage.PageResult) (pipeline.PageImage, error) {
	data, err := p.Blobs.Get(ctx, storage.Work, r.ImageKey)
	if err != nil {
		return pipeline.PageImage{}, err
	}
	return pipeline.PageImage{Data: data, Format: r.Format, Width: r.Width, Height: r.Height, DPI: r.DPI}, nil
}

// publicBaseURL is where people reach this installation's verification page: the setting,
// else the API's own address.
func (p *Processor) publicBaseURL() string {
	if p.Config.PublicBaseURL != "" {
		return p.Config.PublicBaseURL
	}
	return "http://" + p.Config.Addr
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
