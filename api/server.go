// Package api is the HTTP face of onewindow: intake of scanned batches, their status, filed
// documents, the archive calls and the operator endpoints. Handlers translate HTTP to calls
// on storage and the queue; errors become the contract's JSON error bodies here.
package api

import (
	"context"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"onewindow/internal/auth"
	"onewindow/internal/clock"
	"onewindow/internal/config"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/internal/metrics"
	"onewindow/storage"
)

// Blobs is the part of object storage the API uses.
type Blobs interface {
	Put(ctx context.Context, bk storage.Bucket, key string, r io.Reader, size int64, o storage.PutOptions) (storage.ObjectInfo, error)
	PutBytes(ctx context.Context, bk storage.Bucket, key string, data []byte, o storage.PutOptions) (storage.ObjectInfo, error)
	Open(ctx context.Context, bk storage.Bucket, key string) (io.ReadCloser, storage.ObjectInfo, error)
	Get(ctx context.Context, bk storage.Bucket, key string) ([]byte, error)
	Exists(ctx context.Context, bk storage.Bucket, key string) (bool, error)
	List(ctx context.Context, bk storage.Bucket, prefix string) iter.Seq2[storage.ObjectInfo, error]
	Ping(ctx context.Context) error
}

// State is the part of the Redis indexes the API uses.
type State interface {
	PutBatch(ctx context.Context, b *storage.Batch) error
	GetBatch(ctx context.Context, id string) (*storage.Batch, error)
	IdempotentBatch(ctx context.Context, key string) (string, error)
	MarkReceiving(ctx context.Context, key, batchID string, ttl time.Duration) (string, bool, error)
	ExtendReceiving(ctx context.Context, key, batchID string, ttl time.Duration) error
	DoneReceiving(ctx context.Context, key, batchID string) error
	ClaimIdempotencyKey(ctx context.Context, key, batchID string) (string, bool, error)
	ReleaseIdempotencyKey(ctx context.Context, key, batchID string) error
	GetDocument(ctx context.Context, id string) (*storage.Document, error)
	Ping(ctx context.Context) error
}

// Enqueuer puts tasks on the queue once, with their type's policy (tasks.Queue).
type Enqueuer interface {
	EnqueueOnce(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error
}

// Server holds what the handlers need.
type Server struct {
	Config  config.Config
	Blobs   Blobs
	State   State
	Queue   Enqueuer
	Tokens  *auth.Tokens
	Log     *slog.Logger
	Metrics *metrics.Metrics
	// Ready reports whether the OCR engine can start; nil means the API runs without workers.
	OCRReady func() error
	// Dashboard is the queue dashboard (asynqmon with ReadOnly), served to operators under
	// /admin/queues/; DashboardWrite, if set, is the same with writes allowed, used for
	// operators' and admins' pages and writes.
	Dashboard      http.Handler
	DashboardWrite http.Handler
	// Extra lets other packages (the archive) add routes; each gets the mux and the auth wrapper.
	Extra []httpx.Routes
	// Audit, if set, is called for every authorised request before its handler; it logs the
	// accesses it cares about (by r.Pattern) and an error refuses the request: an access that
	// cannot be logged does not happen. The AuditDone it returns, if any, is told how the
	// request ended, once the answer is sent.
	Audit func(r *http.Request, p auth.Principal) (AuditDone, error)
	// BodyIdleTimeout cuts off an upload that sends nothing for this long (0: a minute).
	BodyIdleTimeout time.Duration
	// ViewerPDF is the hall's choice for roles that see ID numbers masked asking for a PDF:
	// ViewerPDFRefuse ("" too) or ViewerPDFRedacted.
	ViewerPDF string
	// SpoolDir holds uploads while they are received ("": the system's temporary directory).
	SpoolDir string
	// Clock is the hall's: the day in case numbers given to batches without one, and the
	// time the verification page shows. Zero: the system's clock in clock.DefaultZone.
	Clock clock.Clock
}

// AuditDone is told a request's outcome (httpx.AuditDone).
type AuditDone = httpx.AuditDone

// HandlerFunc is a handler that returns an error instead of writing one.
type HandlerFunc = httpx.HandlerFunc

// Handler builds the routes.
func (s *Server) Handler() http.Handler {
	s.Log = slog.New(WithRequestIDs(s.Log.Handler()))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))

	// Whoever holds a stamped page may check it, without a token (verify.go).
	mux.HandleFunc("GET /verify/{id}", s.verify)
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	s.Routes(mux, s.auth)
	for _, add := range s.Extra {
		add(mux, s.auth)
	}
	mux.HandleFunc(apiFallback, s.methodNotAllowed(mux))
	return s.observe(s.rateLimit(mux))
}

// Routes adds the API's own authenticated routes, each with the capability a caller needs.
func (s *Server) Routes(mux *http.ServeMux, authz httpx.Authorizer) {
	mux.Handle("POST /api/v1/batches", authz(auth.CapUpload, s.createBatch))
	mux.Handle("GET /api/v1/batches", authz(auth.CapListBatches, s.listBatches))
	mux.Handle("GET /api/v1/batches/{id}", authz(auth.CapReadDocuments, s.getBatch))
	mux.Handle("GET /api/v1/batches/{id}/pages/{n}/thumb", authz(auth.CapSeePages, s.getPageThumb))
	mux.Handle("GET /api/v1/documents/{id}", authz(auth.CapReadDocuments, s.getDocument))
	mux.Handle("GET /api/v1/documents/{id}/pdf", authz(auth.CapReadDocuments, s.getDocumentPDF))
	mux.Handle("GET /api/v1/documents/{id}/text", authz(auth.CapReadDocuments, s.getDocumentText))
	s.dashboardRoutes(mux, authz)
}

// apiFallback catches API paths no route takes with the request's method.
const apiFallback = "/api/"

var errNotFound = errs.E("api", errs.NotFound, "not_found", "No such API call.", nil)

// dashboardRoutes serves the queue dashboard to operators: pages and reads through
// Dashboard (read-only) unless DashboardWrite is set; writes only through DashboardWrite,
// each one logged and passed to Audit under its own method pattern.
func (s *Server) dashboardRoutes(mux *http.ServeMux, authz httpx.Authorizer) {
	if s.Dashboard == nil {
		return
	}
	mux.Handle("GET /admin/queues/", authz(auth.CapOps, func(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
		if s.DashboardWrite != nil {
			s.DashboardWrite.ServeHTTP(w, r)
		} else {
			s.Dashboard.ServeHTTP(w, r)
		}
		return nil
	}))
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		mux.Handle(m+" /admin/queues/", authz(auth.CapOps, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
			if s.DashboardWrite == nil {
				return errs.E("api.dashboard", errs.Forbidden, "dashboard_read_only", "The queue dashboard is read-only on this installation.", nil)
			}
			s.Log.InfoContext(r.Context(), "queue dashboard write", "method", r.Method, "path", r.URL.Path, "by", p.Name, "role", p.Role)
			s.DashboardWrite.ServeHTTP(w, r)
			return nil
		}))
	}
}

// auth wraps h so it runs only for a token whose role holds c (auth.Can).
func (s *Server) auth(c auth.Cap, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.Tokens.Authenticate(r)
		if err != nil {
			if strings.HasPrefix(r.URL.Path, "/admin/") {
				w.Header().Set("WWW-Authenticate", `Basic realm="onewindow admin (password: admin token)"`)
			}
			s.writeError(w, r, err)
			return
		}
		setPrincipal(r.Context(), p.Name)
		if !auth.Can(p.Role, c) {
			s.writeError(w, r, errs.E("api.auth", errs.Forbidden, "forbidden", "This token's role may not do that.", nil))
			return
		}
		var done AuditDone
		if s.Audit != nil {
			if done, err = s.Audit(r, p); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if done == nil {
			if err := h(w, r, p); err != nil {
				s.writeError(w, r, err)
			}
			return
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		code := ""
		if err := h(rec, r, p); err != nil {
			s.writeError(rec, r, err)
			code = errs.CodeOf(err)
		}
		// The client has its whole answer before the outcome is logged.
		_ = http.NewResponseController(rec).Flush()
		done(rec.status, rec.bytes, code)
	})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	ok := true
	for name, check := range map[string]func() error{
		"redis": func() error { return s.State.Ping(ctx) },
		"minio": func() error { return s.Blobs.Ping(ctx) },
		"ocr": func() error {
			if s.OCRReady == nil {
				return nil
			}
			return s.OCRReady()
		},
	} {
		if err := check(); err != nil {
			checks[name] = err.Error()
			ok = false
		} else {
			checks[name] = "ok"
		}
	}
	code := http.StatusOK
	if !ok {
		code = http.StatusServiceUnavailable
	}
	WriteJSON(w, code, checks)
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, s.Log, err)
}

// WriteJSON answers v as JSON with status (httpx.WriteJSON).
func WriteJSON(w http.ResponseWriter, status int, v any) { httpx.WriteJSON(w, status, v) }

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

func (r *statusRecorder) Write(p []byte) (int, error) {
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
