package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"onewindow/archive"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
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
	if len(idem) > 200 {
		return errs.E(op, errs.Invalid, "bad_idempotency_key", "The Idempotency-Key is longer than 200 characters.", nil)
	}
	if idem != "" {
		if b, ok := s.existingBatch(ctx, idem); ok {
			WriteJSON(w, http.StatusAccepted, map[string]string{"id": b.ID, "status": b.Status})
			return nil
		}
	}
	if r.ContentLength > s.Config.MaxUploadBytes {
		return errs.Errorf(op, errs.TooLarge, "too_large", "The upload is %d bytes; this hall accepts at most %d.", r.ContentLength, s.Config.MaxUploadBytes)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.Config.MaxUploadBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.E(op, errs.Invalid, "bad_request", "Send the scan as multipart/form-data with one or more file parts.", err)
	}
	batch := &storage.Batch{ID: newBatchID(), Status: storage.StatusQueued, Source: "scan", IdempotencyKey: idem,
		CreatedAt: time.Now().UTC()}
	files, err := s.receiveParts(mr, batch)
	defer func() {
		for _, f := range files {
			os.Remove(f.path)
		}
	}()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errs.Errorf(op, errs.TooLarge, "too_large", "The upload is larger than the %d bytes this hall accepts.", s.Config.MaxUploadBytes)
		}
		return err
	}
	if len(files) == 0 {
		return errs.E(op, errs.Invalid, "no_file", "The upload has no file part.", nil)
	}
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
		first, claimed, err := s.State.ClaimIdempotencyKey(ctx, idem, batch.ID)
		if err != nil {
			return err
		}
		if !claimed {
			WriteJSON(w, http.StatusAccepted, map[string]string{"id": first, "status": s.statusOf(ctx, first)})
			return nil
		}
	}
	if err := s.admit(ctx, batch); err != nil {
		if idem != "" {
			_ = s.State.ReleaseIdempotencyKey(context.WithoutCancel(ctx), idem, batch.ID)
		}
		return err
	}
	s.Log.Info("batch accepted", "batch", batch.ID, "case_no", batch.CaseNo, "pages", batch.PagesTotal,
		"files", len(files), "station", batch.Station, "by", p.Name)
	WriteJSON(w, http.StatusAccepted, map[string]string{"id": batch.ID, "status": batch.Status})
	return nil
}

// receiveParts reads the form: small fields into batch, file parts to temporary files.
func (s *Server) receiveParts(mr *multipart.Reader, batch *storage.Batch) ([]received, error) {
	const op = "api.receiveParts"
	var files []received
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return files, bodyError(op, err)
		}
		name := part.FormName()
		if part.FileName() == "" && name != "file" {
			value, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				return files, bodyError(op, err)
			}
			v := strings.TrimSpace(string(value))
			switch name {
			case "case_no":
				batch.CaseNo = v
			case "station":
				batch.Station = v
			case "applicant":
				batch.Applicant = v
			case "matter":
				batch.Matter = v
			case "departments":
				batch.Departments = strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(",，、;；", r) })
				for i := range batch.Departments {
					batch.Departments[i] = strings.TrimSpace(batch.Departments[i])
				}
				batch.Departments = slices.DeleteFunc(batch.Departments, func(d string) bool { return d == "" })
			case "source":
				if v != "scan" && v != "mail" {
					return files, errs.E(op, errs.Invalid, "bad_source", "source must be scan or mail.", nil)
				}
				batch.Source = v
			}
			continue
		}
		if name != "file" {
			continue
		}
		f, err := spool(part)
		if f.path != "" {
			files = append(files, f)
		}
		if err != nil {
			return files, bodyError(op, err)
		}
	}
}

func bodyError(op string, err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return errs.E(op, errs.Invalid, "bad_request", "The multipart body could not be read.", err)
}

func spool(part *multipart.Part) (received, error) {
	tmp, err := os.CreateTemp("", "onewindow-upload-*")
	if err != nil {
		return received{}, err
	}
	defer tmp.Close()
	d := archive.NewDigester()
	n, err := io.Copy(io.MultiWriter(tmp, d), part)
	sum := d.Sum()
	return received{name: part.FileName(), path: tmp.Name(), size: n, sum: sum.SHA256, sm3: sum.SM3}, err
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
	_, err = s.Blobs.Put(ctx, storage.Inbox, key, fh, f.size, storage.PutOptions{ContentType: "application/octet-stream",
		Metadata: map[string]string{"sha256": f.sum}})
	return err
}

// validate reads each file's structure (type, pages, encryption, pixel sizes) without OCR.
func (s *Server) validate(ctx context.Context, files []received, batch *storage.Batch) error {
	const op = "api.validate"
	lim := pages.Limits{MaxPages: s.Config.MaxPages, MaxPixels: s.Config.MaxPagePixels}
	total := 0
	for i, f := range files {
		data, err := os.ReadFile(f.path)
		if err != nil {
			return err
		}
		src, err := pages.Open(ctx, data, lim)
		if err != nil {
			return tasks.InputError(op, fmt.Errorf("file %d (%s): %w", i+1, f.name, err))
		}
		batch.Files[i].Kind = string(src.Kind())
		batch.Files[i].Pages = src.Len()
		total += src.Len()
		src.Close()
		if total > s.Config.MaxPages {
			return tasks.InputError(op, pages.ErrTooManyPages)
		}
	}
	batch.PagesTotal = total
	return nil
}

// admit files the manifest (MinIO first: it is the record), indexes it and queues the batch.
func (s *Server) admit(ctx context.Context, b *storage.Batch) error {
	if b.CaseNo == "" {
		b.CaseNo = newCaseNo(b.CreatedAt)
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

func (s *Server) existingBatch(ctx context.Context, idem string) (*storage.Batch, bool) {
	id, err := s.State.IdempotentBatch(ctx, idem)
	if err != nil || id == "" {
		return nil, false
	}
	b, err := s.State.GetBatch(ctx, id)
	if err != nil {
		return &storage.Batch{ID: id, Status: storage.StatusQueued}, true
	}
	return b, true
}

func (s *Server) statusOf(ctx context.Context, id string) string {
	if b, err := s.State.GetBatch(ctx, id); err == nil {
		return b.Status
	}
	return storage.StatusQueued
}

func (s *Server) getBatch(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	b, err := s.State.GetBatch(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
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
