package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/internal/tasks"
	"onewindow/pipeline/pages"
	"onewindow/storage"
)

// received is one uploaded file, spooled to disk while its SHA-256 is computed.
type received struct {
	name string
	path string
	size int64
	sum  string // SHA-256, hex: the key it is kept under
	sm3  string
}

func (s *Server) createBatch(w http.ResponseWriter, r *http.Request, p auth.Principal) (err error) {
	const op = "api.createBatch"
	ctx := r.Context()
	defer func() { s.Metrics.Uploads.WithLabelValues(codeLabel(err)).Inc() }()

	idem := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(idem) > 200 || checkText(op, "Idempotency-Key", idem, 200) != nil {
		return errs.E(op, errs.Invalid, "bad_idempotency_key", "The Idempotency-Key must be printable UTF-8 of at most 200 bytes.", nil)
	}
	if r.ContentLength > s.Config.MaxUploadBytes {
		// Refused before a byte is read: nothing was received, so nothing is kept.
		return errs.Errorf(op, errs.TooLarge, "too_large", "The upload is %d bytes; this hall accepts at most %d.", r.ContentLength, s.Config.MaxUploadBytes)
	}
	r.Body = s.intakeBody(w, r)
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.E(op, errs.Invalid, "bad_request", "Send the scan as multipart/form-data with one or more file parts.", err)
	}
	batch := &storage.Batch{ID: newBatchID(), Status: storage.StatusQueued, Source: "scan", IdempotencyKey: idem,
		CreatedAt: s.Clock.Now().UTC()}
	if idem != "" {
		prior, err := s.priorClaim(ctx, idem)
		if err != nil {
			return err
		}
		if prior != nil {
			// A retry: read what it sends (every client then reads its answer) and compare.
			files, err := s.receiveParts(ctx, mr, batch, false)
			if err != nil {
				return s.tooLarge(op, err)
			}
			return s.answerRetry(w, r, prior, fingerprint(batch, files))
		}
		holder, mine, err := s.State.MarkReceiving(ctx, idem, batch.ID, receivingTTL)
		if err != nil {
			return err
		}
		if !mine {
			if !expectsContinue(r) {
				drain(r.Body)
			}
			s.Log.Info("upload refused: key in use", "batch", holder)
			httpx.SetRetryAfter(w, receivingTTL/2)
			return errs.E(op, errs.Conflict, "idempotency_key_in_use",
				"An upload with this Idempotency-Key is still being received; retry once it has been answered.", nil)
		}
		defer s.holdReceiving(ctx, idem, batch.ID)()
	}
	files, err := s.receiveParts(ctx, mr, batch, true)
	defer func() {
		for _, f := range files {
			os.Remove(f.path)
		}
	}()
	if err != nil {
		err = s.tooLarge(op, err)
		// What was received is kept, with why it was refused, as any refused upload is.
		s.keepRefused(ctx, files, batch, err)
		return err
	}
	if len(files) == 0 {
		return errs.E(op, errs.Invalid, "no_file", "The upload has no file part.", nil)
	}
	fp := fingerprint(batch, files)
	station, ok := p.StationFor(batch.Station)
	if !ok {
		return errs.E(op, errs.Forbidden, "wrong_station", "This token uploads for its own station only.", nil)
	}
	batch.Station = station
	// The bytes are filed before anything is judged, so even a refused upload is kept.
	for _, f := range files {
		if err := s.keepRaw(ctx, f); err != nil {
			return err
		}
		batch.Files = append(batch.Files, storage.BatchFile{SHA256: f.sum, SM3: f.sm3, Size: f.size, Name: f.name})
	}
	if err := s.validate(ctx, files, batch); err != nil {
		s.recordRejection(ctx, batch, err)
		return err
	}
	if idem != "" {
		prior, mine, err := s.claim(ctx, idem, batch.ID, fp)
		if err != nil {
			return err
		}
		if !mine {
			return s.answerRetry(w, r, prior, fp)
		}
	}
	if err := s.admit(ctx, batch); err != nil {
		if idem != "" {
			_ = s.State.ReleaseIdempotencyKey(context.WithoutCancel(ctx), idem, batch.ID)
		}
		return err
	}
	s.Log.Info("batch accepted", "batch", batch.ID, "case_no", batch.CaseNo, "pages", batch.PagesTotal,
		"files", len(files), "station", batch.Station, "by", p.Name, "active_content", activeKinds(batch))
	s.accepted(w, batch.ID, batch.Status)
	return nil
}

// tooLarge turns the body limit's error into the contract's 413.
func (s *Server) tooLarge(op string, err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errs.Errorf(op, errs.TooLarge, "too_large", "The upload is larger than the %d bytes this hall accepts.", s.Config.MaxUploadBytes)
	}
	return err
}

// keepRefused files the bytes of a refused upload (those of an over-limit file up to the
// limit) and why it was refused.
func (s *Server) keepRefused(ctx context.Context, files []received, batch *storage.Batch, cause error) {
	ctx = context.WithoutCancel(ctx)
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if err := s.keepRaw(ctx, f); err != nil {
			s.Log.Warn("cannot keep refused upload", "batch", batch.ID, "err", err)
			return
		}
		batch.Files = append(batch.Files, storage.BatchFile{SHA256: f.sum, SM3: f.sm3, Size: f.size, Name: f.name})
	}
	if len(batch.Files) > 0 {
		s.recordRejection(ctx, batch, cause)
	}
}

func activeKinds(b *storage.Batch) []string {
	var kinds []string
	for _, f := range b.Files {
		for _, k := range f.ActiveContent {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	return kinds
}

// keepRaw stores the upload content-addressed; the same bytes sent twice are stored once.
func (s *Server) keepRaw(ctx context.Context, f received) error {
	key := storage.RawKey(f.sum)
	if ok, err := s.Blobs.Exists(ctx, storage.Inbox, key); err != nil || ok {
		return err
	}
	fh, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer fh.Close()
	// A plain reader: minio-go then streams through one part buffer instead of one per thread.
	_, err = s.Blobs.Put(ctx, storage.Inbox, key, struct{ io.Reader }{fh}, f.size, storage.PutOptions{ContentType: "application/octet-stream",
		Metadata: map[string]string{"sha256": f.sum}})
	return err
}

// validate reads each file's structure (type, pages, encryption, pixel sizes) without OCR.
func (s *Server) validate(ctx context.Context, files []received, batch *storage.Batch) error {
	const op = "api.validate"
	lim := pages.Limits{MaxPages: s.Config.MaxPages, MaxPixels: s.Config.MaxPagePixels}
	total := 0
	for i, f := range files {
		data, unmap, err := mapFile(f.path)
		if err != nil {
			return err
		}
		err = s.readStructure(ctx, data, lim, &batch.Files[i])
		unmap()
		if err != nil {
			return tasks.InputError(op, fmt.Errorf("file %d (%s): %w", i+1, f.name, err))
		}
		total += batch.Files[i].Pages
		if total > s.Config.MaxPages {
			return tasks.InputError(op, pages.ErrTooManyPages)
		}
	}
	batch.PagesTotal = total
	return nil
}

func (s *Server) readStructure(ctx context.Context, data []byte, lim pages.Limits, f *storage.BatchFile) error {
	src, err := pages.Open(ctx, data, lim)
	if err != nil {
		return err
	}
	f.Kind = string(src.Kind())
	f.Pages = src.Len()
	src.Close()
	if src.Kind() == pages.KindPDF {
		// Kept as evidence but flagged; the filed PDF is made from the page images alone.
		if f.ActiveContent, err = pages.ActiveContent(ctx, data); err != nil {
			return err
		}
	}
	return nil
}

// admit files the manifest (MinIO first: it is the record), indexes it and queues the batch.
func (s *Server) admit(ctx context.Context, b *storage.Batch) error {
	if b.CaseNo == "" {
		b.CaseNo = newCaseNo(s.Clock.In(b.CreatedAt)) // numbered by the hall's day
	}
	if err := storage.SaveBatch(ctx, s.Blobs, s.State, b); err != nil {
		return err
	}
	if err := s.Queue.EnqueueOnce(ctx, tasks.NewPrepareTask(b.ID)); err != nil {
		return errs.E("api.admit", errs.Unavailable, "queue_unavailable", "The queue does not answer; the upload is kept, try again.", err)
	}
	return nil
}

func (s *Server) recordRejection(ctx context.Context, b *storage.Batch, cause error) {
	b.Status = storage.StatusFailed
	b.Error = &storage.BatchError{Code: errs.CodeOf(cause), Message: errs.MessageOf(cause)}
	if err := storage.SaveRejection(ctx, s.Blobs, b); err != nil {
		s.Log.Warn("cannot record rejected upload", "batch", b.ID, "err", err)
	}
	s.Metrics.Failures.WithLabelValues(errs.CodeOf(cause)).Inc()
}

func (s *Server) getBatch(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	b, err := s.batch(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !p.SeesStation(b.Station) {
		return errs.E("api.getBatch", errs.NotFound, "batch_not_found", "No batch has that ID.", nil)
	}
	if b.Documents == nil {
		b.Documents = []storage.Document{}
	}
	if !p.SeesFullIDs() { // as for each document on its own
		for i := range b.Documents {
			b.Documents[i].Fields = auth.MaskFields(b.Documents[i].Fields)
		}
	}
	if b.DroppedPages == nil {
		b.DroppedPages = []storage.DroppedPage{}
	}
	WriteJSON(w, http.StatusOK, b)
	return nil
}

func newBatchID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// newCaseNo makes a case number for batches that arrive without one.
func newCaseNo(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("OW%s%06d", t.Format("20060102"), (int(b[0])<<16|int(b[1])<<8|int(b[2]))%1000000)
}

func codeLabel(err error) string {
	if err == nil {
		return "accepted"
	}
	return errs.CodeOf(err)
}
