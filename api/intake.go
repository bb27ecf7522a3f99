package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"onewindow/archive"
	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/storage"
)

// Intake limits beyond the configured upload size.
const (
	maxParts      = 256  // file parts and fields together; 500 parts is no scan
	maxFieldBytes = 1024 // a form value
	maxNameBytes  = 255  // a file name or field name
	// defaultBodyIdle cuts off a client that sends nothing for this long mid-body.
	defaultBodyIdle = 60 * time.Second
	// receivingTTL bounds how long a process that died mid-upload blocks its key (a scan
	// station retrying after a crash waits at most this long); a living one renews the mark
	// every third of it, so only a Redis stall longer than this could let a second upload in,
	// and the key's write-once claim in MinIO still answers that one with the first batch.
	receivingTTL = 20 * time.Second
)

// formFields are the form's value fields; "file" parts carry the scan.
var formFields = []string{"case_no", "station", "source", "applicant", "matter", "departments"}

// idleReader renews the connection's read deadline before every read, so a client that
// stalls is cut off without a limit on how long a large, moving upload may take.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (d *idleReader) Read(p []byte) (int, error) {
	_ = d.rc.SetReadDeadline(time.Now().Add(d.idle)) // unsupported on test recorders: fine
	return d.r.Read(p)
}

func (d *idleReader) Close() error { return nil }

// intakeBody bounds the request body by size and by idleness.
func (s *Server) intakeBody(w http.ResponseWriter, r *http.Request) io.ReadCloser {
	idle := s.BodyIdleTimeout
	if idle <= 0 {
		idle = defaultBodyIdle
	}
	limited := http.MaxBytesReader(w, r.Body, s.Config.MaxUploadBytes)
	return &idleReader{r: limited, rc: http.NewResponseController(w), idle: idle}
}

// receiveParts reads the form strictly: value fields into batch, file parts to temporary
// files (store) or only through the digests (a retry being compared with its first try).
func (s *Server) receiveParts(ctx context.Context, mr *multipart.Reader, batch *storage.Batch, store bool) ([]received, error) {
	const op = "api.receiveParts"
	var files []received
	seen := map[string]bool{}
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return files, err
		}
		part, err := mr.NextPart()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return files, bodyError(op, err)
		}
		if n > maxParts {
			return files, errs.Errorf(op, errs.TooLarge, "too_many_parts", "The form has more than %d parts.", maxParts)
		}
		name := part.FormName()
		if err := checkText(op, "field name", name, maxNameBytes); err != nil {
			return files, err
		}
		if name == "" {
			return files, errs.E(op, errs.Invalid, "bad_part", "A form part has no name (Content-Disposition: form-data; name=...).", nil)
		}
		fileName := part.FileName()
		if fileName != "" {
			if err := checkText(op, "file name", fileName, maxNameBytes); err != nil {
				return files, errs.E(op, errs.Invalid, "bad_filename", errs.MessageOf(err), err)
			}
		}
		if name == "file" {
			f, err := s.receiveFile(part, fileName, store)
			if f.path != "" || !store {
				files = append(files, f)
			}
			if err != nil {
				return files, bodyError(op, err)
			}
			continue
		}
		if !slices.Contains(formFields, name) {
			return files, errs.Errorf(op, errs.Invalid, "unknown_field", "The form field %q is not one this call takes (file, %s).", name, strings.Join(formFields, ", "))
		}
		if fileName != "" {
			return files, errs.Errorf(op, errs.Invalid, "unexpected_file", "The form field %q is a value, not a file.", name)
		}
		if seen[name] {
			return files, errs.Errorf(op, errs.Invalid, "duplicate_field", "The form field %q is given twice.", name)
		}
		seen[name] = true
		value, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return files, bodyError(op, err)
		}
		if err := checkText(op, name, string(value), maxFieldBytes); err != nil {
			return files, err
		}
		if err := setField(op, batch, name, strings.TrimSpace(string(value))); err != nil {
			return files, err
		}
	}
}

// checkText refuses over-long, non-UTF-8 and control-character values, each with its code.
func checkText(op, what, v string, limit int) error {
	switch {
	case len(v) > limit:
		return errs.Errorf(op, errs.Invalid, "field_too_long", "The %s is longer than %d bytes.", what, limit)
	case !utf8.ValidString(v):
		return errs.Errorf(op, errs.Invalid, "bad_encoding", "The %s is not valid UTF-8.", what)
	case strings.ContainsFunc(v, unicode.IsControl):
		return errs.Errorf(op, errs.Invalid, "control_character", "The %s contains a control character.", what)
	}
	return nil
}

func setField(op string, batch *storage.Batch, name, v string) error {
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
			return errs.E(op, errs.Invalid, "bad_source", "source must be scan or mail.", nil)
		}
		batch.Source = v
	}
	return nil
}

func bodyError(op string, err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, os.ErrDeadlineExceeded):
		return errs.E(op, errs.Invalid, "body_timeout", "The upload stalled; the connection is closed.", err)
	case errs.KindOf(err) != errs.Internal:
		return err
	}
	return errs.E(op, errs.Invalid, "bad_request", "The multipart body could not be read.", err)
}

// receiveFile copies one file part through a fixed buffer to a temporary file (or nowhere)
// while its digests are computed: memory stays the same for any size.
func (s *Server) receiveFile(part io.Reader, name string, store bool) (received, error) {
	d := archive.NewDigester()
	var w io.Writer = d
	f := received{name: name}
	if store {
		tmp, err := os.CreateTemp(s.SpoolDir, "onewindow-upload-*")
		if err != nil {
			return received{}, err
		}
		defer tmp.Close()
		f.path = tmp.Name()
		w = io.MultiWriter(tmp, d)
	}
	n, err := io.CopyBuffer(w, part, make([]byte, 64<<10))
	sum := d.Sum()
	f.size, f.sum, f.sm3 = n, sum.SHA256, sum.SM3
	return f, err
}

// fingerprint identifies a request by what it asked for: the fields as given and the files'
// digests in order. The same Idempotency-Key with another fingerprint is another request.
func fingerprint(b *storage.Batch, files []received) string {
	h := sha256.New()
	fmt.Fprintf(h, "case_no=%q\nstation=%q\nsource=%q\napplicant=%q\nmatter=%q\ndepartments=%q\n",
		b.CaseNo, b.Station, b.Source, b.Applicant, b.Matter, strings.Join(b.Departments, "\x1f"))
	for _, f := range files {
		fmt.Fprintf(h, "file=%s %d\n", f.sum, f.size)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mapFile maps a spooled upload read-only, so that reading its structure puts its pages in
// the page cache, not on the heap.
func mapFile(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() == 0 {
		return []byte{}, func() {}, nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() { _ = syscall.Munmap(data) }, nil
}

// priorClaim finds the batch an Idempotency-Key was used for: in Redis, else in its durable
// claim in the inbox (Redis may have been lost). A claim whose batch was never recorded (the
// first try failed after claiming) does not count.
func (s *Server) priorClaim(ctx context.Context, key string) (*storage.IdempotencyClaim, error) {
	id, err := s.State.IdempotentBatch(ctx, key)
	if err != nil {
		return nil, err
	}
	claim, err := s.readClaim(ctx, key)
	if err != nil {
		return nil, err
	}
	switch {
	case claim == nil && id == "":
		return nil, nil
	case claim == nil: // bound before claims were kept in the inbox: no fingerprint to compare
		claim = &storage.IdempotencyClaim{BatchID: id}
	case id == "":
		// Redis lost the binding; put it back for the next retry.
		_, _, _ = s.State.ClaimIdempotencyKey(ctx, key, claim.BatchID)
	}
	if _, err := s.batch(ctx, claim.BatchID); err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return nil, nil
		}
		return nil, err
	}
	return claim, nil
}

func (s *Server) readClaim(ctx context.Context, key string) (*storage.IdempotencyClaim, error) {
	rc, _, err := s.Blobs.Open(ctx, storage.Inbox, storage.IdempotencyClaimKey(key))
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var c storage.IdempotencyClaim
	if err := json.NewDecoder(io.LimitReader(rc, 1<<16)).Decode(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// claim binds key to the batch durably (write-once in the inbox) and in Redis. It returns the
// claim that holds the key: this one, or one another process made first.
func (s *Server) claim(ctx context.Context, key, batchID, fp string) (*storage.IdempotencyClaim, bool, error) {
	c := &storage.IdempotencyClaim{BatchID: batchID, Fingerprint: fp, CreatedAt: time.Now().UTC()}
	data, _ := json.Marshal(c)
	_, err := s.Blobs.PutBytes(ctx, storage.Inbox, storage.IdempotencyClaimKey(key), data,
		storage.PutOptions{ContentType: "application/json", IfAbsent: true})
	if errors.Is(err, storage.ErrExists) {
		prior, err := s.priorClaim(ctx, key)
		if err != nil {
			return nil, false, err
		}
		if prior != nil {
			return prior, false, nil
		}
		// The claim names a batch that was never recorded: its upload failed; take the key over.
		_, err = s.Blobs.PutBytes(ctx, storage.Inbox, storage.IdempotencyClaimKey(key), data,
			storage.PutOptions{ContentType: "application/json"})
		if err != nil {
			return nil, false, err
		}
	} else if err != nil {
		return nil, false, err
	}
	first, won, err := s.State.ClaimIdempotencyKey(ctx, key, batchID)
	if err != nil {
		return nil, false, err
	}
	if !won && first != batchID {
		// Redis held a binding older than the durable claim (from before claims were kept).
		return &storage.IdempotencyClaim{BatchID: first}, false, nil
	}
	return c, true, nil
}

// answerRetry answers a request whose key was used before: the first batch if it is the same
// request, 422 if it is another.
func (s *Server) answerRetry(w http.ResponseWriter, r *http.Request, prior *storage.IdempotencyClaim, fp string) error {
	ctx := r.Context()
	if prior.Fingerprint != "" && prior.Fingerprint != fp {
		return errs.E("api.createBatch", errs.Unprocessable, "idempotency_key_reused",
			"This Idempotency-Key was used for another upload (other fields or files); use a new key for a new upload.", nil)
	}
	b, err := s.batch(ctx, prior.BatchID)
	if err != nil {
		return err
	}
	if b.Status == storage.StatusQueued {
		// The first try may have ended before its task was queued; queueing is once per batch.
		if err := s.Queue.EnqueueOnce(ctx, tasks.NewPrepareTask(b.ID)); err != nil {
			s.Log.Warn("cannot queue a retried batch", "batch", b.ID, "err", err)
		}
	}
	s.accepted(w, b.ID, b.Status)
	return nil
}

// batch reads a batch from Redis, or from its manifest when Redis does not have it.
func (s *Server) batch(ctx context.Context, id string) (*storage.Batch, error) {
	return storage.LoadBatch(ctx, s.State, s.Blobs, id)
}

// accepted answers 202 with where to follow the batch.
func (s *Server) accepted(w http.ResponseWriter, id, status string) {
	w.Header().Set("Location", "/api/v1/batches/"+id)
	WriteJSON(w, http.StatusAccepted, map[string]string{"id": id, "status": status})
}

// holdReceiving renews the receiving mark of key until the returned stop is called.
func (s *Server) holdReceiving(ctx context.Context, key, batchID string) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(receivingTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.State.ExtendReceiving(ctx, key, batchID, receivingTTL); err != nil {
					s.Log.WarnContext(ctx, "cannot renew an upload's receiving mark", "batch", batchID, "err", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		_ = s.State.DoneReceiving(context.WithoutCancel(ctx), key, batchID)
	}
}

// expectsContinue reports whether the client waits for 100 Continue before sending its body:
// such a client can be answered without reading it.
func expectsContinue(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Expect"), "100-continue")
}

// drain reads what is left of a body (bounded by intakeBody), so that a client that does not
// wait for 100 Continue reads its answer instead of a reset connection.
func drain(r io.Reader) {
	_, _ = io.CopyBuffer(io.Discard, r, make([]byte, 64<<10))
}
