package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"time"

	"onewindow/storage"
)

// FilingStore is what filing needs of the buckets: the archive written write-once, and the
// inbox the originals are copied from.
type FilingStore interface {
	CodeClaims
	Put(ctx context.Context, bk storage.Bucket, key string, r io.Reader, size int64, o storage.PutOptions) (storage.ObjectInfo, error)
	Exists(ctx context.Context, bk storage.Bucket, key string) (bool, error)
	Open(ctx context.Context, bk storage.Bucket, key string) (io.ReadCloser, storage.ObjectInfo, error)
	ExtendRetention(ctx context.Context, bk storage.Bucket, key, mode string, until time.Time) error
}

// Signer signs a filed PDF on its way into the archive. Sign returns the signed PDF; the
// record's digests are those of what it returns.
type Signer interface {
	Sign(ctx context.Context, pdf io.Reader, size int64) (io.Reader, error)
}

// Filer files documents: it claims the archival code, then writes the PDF, the text, the
// original scans and the e-file record (last) write-once, all under the retention the hall's
// schedule gives the document. Workers render; the Filer decides what is kept, where and for
// how long, so assembly and a reviewer's refiling file alike.
type Filer struct {
	Store     FilingStore
	Retention RetentionPolicy
	// CodePattern and Fonds make archival codes (ArchivalCodeFields); no pattern, no code.
	CodePattern, Fonds string
	// Signer, when set, signs every PDF just before it is written (sealPDF); nil files the
	// PDF as rendered.
	Signer Signer
}

// Filing is one document to file: what the pipeline made of some pages of a batch.
type Filing struct {
	DocumentID string
	Batch      *storage.Batch // case, station, applicant, matter, departments, the originals
	Title      string
	Type       string
	TypeName   string
	Confidence float64
	// NeedsReview asks a reviewer to look at the document's type.
	NeedsReview  bool
	Pages        []int       // upload page indexes
	Rotations    map[int]int // pages a reviewer turned: upload index → clockwise degrees
	Fields       map[string][]string
	FieldSources map[string]string
	Text         []byte
	// Events are the processing's provenance events; filing adds the originals' reading
	// notes and "filed".
	Events []Event
	// At is when the document is filed; zero: now.
	At time.Time
}

// RenderPDF writes the document's PDF to w; archivalCode is the code the PDF is to carry.
type RenderPDF func(w io.Writer, archivalCode string) error

// File files f write-once and returns its record. The archival code is claimed before render
// is called, so a rerun of the same filing writes the same PDF; objects an earlier run wrote
// are kept as they are.
func (fl *Filer) File(ctx context.Context, f Filing, render RenderPDF) (Record, error) {
	at := f.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	b := f.Batch
	lock := fl.Retention.Until(f.Type, b.Matter, at)
	retain := storage.PutOptions{IfAbsent: true}.WithLock(lock)
	code, err := AssignArchivalCode(ctx, fl.Store, fl.CodePattern, ArchivalCodeFields{
		Fonds: fl.Fonds, FiledAt: at, RetentionYears: fl.Retention.For(f.Type, b.Matter).Years, CaseNo: b.CaseNo,
		BatchID: b.ID, Type: f.Type, Revision: storage.RevisionOf(b.ID, f.DocumentID)}, f.DocumentID, retain)
	if err != nil {
		return Record{}, err
	}
	tmp, err := os.CreateTemp("", "onewindow-doc-*.pdf")
	if err != nil {
		return Record{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	dig := NewDigester()
	if err := render(io.MultiWriter(tmp, dig), code); err != nil {
		return Record{}, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return Record{}, err
	}
	pdf, pdfDigests, signed, err := fl.sealPDF(ctx, tmp, dig)
	if err != nil {
		return Record{}, err
	}
	if pdf != tmp {
		defer pdf.Close()
	}
	id := f.DocumentID
	if err := putOnce(fl.Store.Put(ctx, storage.Archive, storage.DocumentPDFKey(id), pdf, pdfDigests.Size,
		withType(retain, "application/pdf"))); err != nil {
		return Record{}, err
	}
	textDigests, _ := DigestOf(bytes.NewReader(f.Text))
	if err := putOnce(fl.Store.PutBytes(ctx, storage.Archive, storage.DocumentTextKey(id), f.Text,
		withType(retain, "text/plain; charset=utf-8"))); err != nil {
		return Record{}, err
	}
	rec := Record{
		DocumentID: id, Title: f.Title, Type: f.Type, TypeName: f.TypeName, Confidence: f.Confidence,
		NeedsReview: f.NeedsReview, CaseNo: b.CaseNo, BatchID: b.ID, Station: b.Station, Source: b.Source,
		Applicant: b.Applicant, Matter: b.Matter, Departments: b.Departments,
		Pages: f.Pages, PageCount: len(f.Pages), Rotations: f.Rotations, Fields: f.Fields, FieldSources: f.FieldSources, ReceivedAt: b.CreatedAt, FiledAt: at,
		Retention: Retention{Mode: lock.Mode, Until: lock.Until}, ArchivalCode: code,
		Files: []File{
			{Role: "pdf", Bucket: "archive", Key: storage.DocumentPDFKey(id), Format: "application/pdf", Digests: pdfDigests},
			{Role: "text", Bucket: "archive", Key: storage.DocumentTextKey(id), Format: "text/plain", Digests: textDigests},
		},
	}
	rec.Events = append(slices.Clone(f.Events), readingNotes(b.Files, f.Pages, b.CreatedAt)...)
	if signed != nil {
		signed.Time = at // part of filing; the detail names the signing time
		rec.Events = append(rec.Events, *signed)
	}
	rec.Events = append(rec.Events, Event{Type: "filed", Agent: "onewindow", Time: at})
	for _, o := range b.Files {
		if err := fl.keepOriginal(ctx, o, retain); err != nil {
			return Record{}, err
		}
		rec.Files = append(rec.Files, File{Role: "original", Bucket: "archive", Key: storage.OriginalKey(o.SHA256),
			Format: o.Kind, Digests: Digests{SHA256: o.SHA256, SM3: o.SM3, Size: o.Size}})
	}
	flagActiveContent(&rec, b.Files)
	data, _ := json.MarshalIndent(rec, "", " ")
	if err := putOnce(fl.Store.PutBytes(ctx, storage.Archive, storage.DocumentRecordKey(id), data,
		withType(retain, "application/json"))); err != nil {
		return Record{}, err
	}
	return rec, nil
}

// sealPDF is the one place the final bytes of a filed PDF pass before they are written: the
// Signer's, when there is one, spooled to learn their size and digests. A signer that signs
// by appending (PAdES) continues the rendering's digests and appends to the rendered file,
// which costs no second copy and no second reading of the PDF, and gives the record its
// "signed" event.
func (fl *Filer) sealPDF(ctx context.Context, rendered *os.File, dig *Digester) (*os.File, Digests, *Event, error) {
	d := dig.Sum()
	if fl.Signer == nil {
		return rendered, d, nil, nil
	}
	if as, ok := fl.Signer.(interface {
		SignAppend(context.Context, io.ReaderAt, int64, *Digester) ([]byte, Event, error)
	}); ok {
		upd, ev, err := as.SignAppend(ctx, rendered, d.Size, dig)
		if err != nil {
			return nil, Digests{}, nil, err
		}
		if _, err := rendered.WriteAt(upd, d.Size); err != nil {
			return nil, Digests{}, nil, err
		}
		dig.Write(upd)
		if _, err := rendered.Seek(0, io.SeekStart); err != nil {
			return nil, Digests{}, nil, err
		}
		return rendered, dig.Sum(), &ev, nil
	}
	signed, err := fl.Signer.Sign(ctx, rendered, d.Size)
	if err != nil {
		return nil, Digests{}, nil, err
	}
	spool, err := os.CreateTemp("", "onewindow-signed-*.pdf")
	if err != nil {
		return nil, Digests{}, nil, err
	}
	os.Remove(spool.Name()) // the open file stays readable until it is closed
	out := NewDigester()
	if _, err := io.Copy(io.MultiWriter(spool, out), signed); err != nil {
		spool.Close()
		return nil, Digests{}, nil, err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		spool.Close()
		return nil, Digests{}, nil, err
	}
	return spool, out.Sum(), nil, nil
}

// keepOriginal files an upload's bytes in the archive beside the documents made from it, under
// retention at least as long as this document's: the documents of a batch, and of any batch
// that sent the same bytes, share one copy, kept as long as the longest of them needs.
func (fl *Filer) keepOriginal(ctx context.Context, f storage.BatchFile, retain storage.PutOptions) error {
	key := storage.OriginalKey(f.SHA256)
	ok, err := fl.Store.Exists(ctx, storage.Archive, key)
	if err != nil {
		return err
	}
	if !ok {
		rc, _, err := fl.Store.Open(ctx, storage.Inbox, storage.RawKey(f.SHA256))
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = fl.Store.Put(ctx, storage.Archive, key, rc, f.Size, withType(retain, "application/octet-stream"))
		if !errors.Is(err, storage.ErrExists) { // else filed meanwhile by another document
			return err
		}
	}
	return fl.Store.ExtendRetention(ctx, storage.Archive, key, retain.RetentionMode, retain.RetainUntil)
}

// putOnce takes an object an earlier run wrote as written: filing is write-once.
func putOnce(_ storage.ObjectInfo, err error) error {
	if errors.Is(err, storage.ErrExists) {
		return nil
	}
	return err
}

func withType(o storage.PutOptions, contentType string) storage.PutOptions {
	o.ContentType = contentType
	return o
}
