// Package web serves the hall's desks to browsers: sign-in, the scan station, review, the
// archivist's search, the operators' page and the case, courier and department desks. Pages
// are server-rendered from embedded templates and call the API in process with the signed-in
// principal in the request's context, so the API's one authorisation policy and its masking
// decide what a page may show. Only cmd imports this package.
package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"onewindow/internal/auth"
	"onewindow/internal/clock"
	"onewindow/internal/httpx"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the web desks.
type Options struct {
	// API is the whole API handler; pages call it in process.
	API http.Handler
	// Tokens checks sign-in tokens and passwords (the API's tokens file).
	Tokens *auth.Tokens
	// SessionKey signs session cookies and CSRF tokens; at least 32 bytes.
	SessionKey []byte
	Log        *slog.Logger
	// Secure sets the Secure flag on cookies (the hall serves HTTPS).
	Secure bool
	// QueueDashboardPath is where the queue dashboard is mounted (default /admin/queues/).
	QueueDashboardPath string
	// PollEvery is how often the batch page's live progress asks the API (default 1s).
	PollEvery time.Duration
	// SessionTTL is how long a sign-in lasts (default 12h).
	SessionTTL time.Duration
	// Clock is the hall's: the times and overdue dates pages show, and sessions expire by it.
	// Zero: the system's clock in clock.DefaultZone.
	Clock clock.Clock
	// SignInLimit, if set, limits failed sign-ins per client address (httpx.ClientKey): over
	// it the form answers 429 before any password is checked, so guessing is slow and bcrypt
	// cannot be made to burn the CPU. A sign-in that succeeds costs nothing.
	SignInLimit *httpx.Limiter
	// WatchStatus, if set, reports the watched folder for the operators' page.
	WatchStatus func(ctx context.Context) (WatchStatus, error)
	// EvidenceStatus, if set, reports the time-stamp schedule for the operators' page.
	EvidenceStatus func(ctx context.Context) (EvidenceStatus, error)
}

// EvidenceStatus is what the operators' page shows of the time-stamp schedule: copies filed
// without a time-stamp stamped later, and archive time-stamps renewing ageing evidence.
type EvidenceStatus struct {
	Off      bool      // no schedule or no time-stamp service
	LastRun  time.Time // zero: no run yet
	Stamped  int
	Renewed  int
	Waiting  int
	Checked  int
	Next     time.Time
	Failures []string // plain Chinese
}

// WatchStatus is what the operators' page shows of a watched scanner folder.
type WatchStatus struct {
	Dir     string
	Waiting int          // files not yet finished being written or not yet taken
	Recent  []WatchEntry // the latest outcomes, newest first
}

// WatchEntry is one file the watched folder took: uploaded (BatchID set) or refused (Code).
type WatchEntry struct {
	Name    string
	At      time.Time
	BatchID string
	Code    string
	Message string
}

type site struct {
	opts  Options
	log   *slog.Logger
	pages pages
	keys  keys
}

// New builds the web desks' handler, to be mounted at "/" beside the API's routes.
func New(opts Options) (http.Handler, error) {
	if opts.API == nil || opts.Tokens == nil {
		return nil, errors.New("web: API and Tokens are required")
	}
	if len(opts.SessionKey) < 32 {
		return nil, errors.New("web: the session key needs at least 32 bytes")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.QueueDashboardPath == "" {
		opts.QueueDashboardPath = "/admin/queues/"
	}
	if opts.PollEvery <= 0 {
		opts.PollEvery = time.Second
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	pg, err := parsePages(funcs(opts.Clock))
	if err != nil {
		return nil, err
	}
	s := &site{opts: opts, log: opts.Log, pages: pg, keys: deriveKeys(opts.SessionKey)}
	static, _ := fs.Sub(staticFS, "static")

	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("POST /signin", s.signIn)
	mux.HandleFunc("POST /signout", s.signOut)
	mux.HandleFunc("POST /lang", s.setLang)

	mux.Handle("GET /scan", s.page(auth.CapUpload, s.scanForm))
	mux.Handle("POST /scan", s.page(auth.CapUpload, s.scanUpload))
	mux.Handle("GET /batches/{id}", s.page(signedIn, s.batchPage))
	mux.Handle("GET /batches/{id}/progress", s.page(signedIn, s.batchProgress))
	mux.Handle("GET /batches/{id}/pages/{n}/thumb", s.page(signedIn, s.pageThumb))
	mux.Handle("POST /batches/{id}/regroup", s.page(auth.CapReview, s.regroup))
	mux.Handle("POST /documents/{id}/type", s.page(auth.CapReview, s.retype))
	mux.Handle("POST /documents/{id}/confirm", s.page(auth.CapReview, s.confirm))
	mux.Handle("GET /review", s.page(auth.CapReview, s.reviewList))

	mux.Handle("GET /search", s.page(auth.CapArchiveRead, s.search))
	mux.Handle("GET /documents/{id}", s.page(signedIn, s.documentPage))
	mux.Handle("GET /documents/{id}/pdf", s.page(signedIn, s.documentPDF))
	mux.Handle("GET /export", s.page(auth.CapArchiveRead, s.export))
	mux.Handle("GET /report", s.page(auth.CapArchiveRead, s.report))
	mux.Handle("POST /documents/{id}/hold", s.page(auth.CapArchiveRead, s.legalHold))

	mux.Handle("GET /ops", s.page(auth.CapOps, s.ops))
	mux.Handle("POST /ops/batches/{id}/retry", s.page(auth.CapOps, s.retryBatch))

	mux.Handle("GET /cases", s.page(auth.CapCaseWindow, s.caseList))
	mux.Handle("POST /cases", s.page(auth.CapCaseWindow, s.caseCreate))
	mux.Handle("GET /cases/{no}", s.page(auth.CapCasePage, s.casePage))
	mux.Handle("POST /cases/{no}/decision", s.page(auth.CapCaseWindow, s.caseDecision))
	mux.Handle("POST /cases/{no}/results", s.page(auth.CapDepartment, s.caseResult))
	mux.Handle("POST /cases/{no}/handout", s.page(auth.CapCaseWindow, s.caseHandout))
	mux.Handle("GET /cases/{no}/handout/signature", s.page(auth.CapCasePage, s.handoutSignature))
	mux.Handle("GET /notices/{id}/pdf", s.page(auth.CapCasePage, s.noticePDF))
	mux.Handle("GET /mail", s.page(auth.CapMailDesk, s.mailForm))
	mux.Handle("POST /mail", s.page(auth.CapMailDesk, s.mailCreate))
	mux.Handle("GET /mail/register.pdf", s.page(auth.CapMailDesk, s.mailRegisterPDF))
	mux.Handle("GET /mail/{id}/receipt.pdf", s.page(auth.CapMailDesk, s.mailReceiptPDF))
	mux.Handle("GET /department", s.page(auth.CapDepartment, s.departmentPage))
	mux.Handle("POST /deliveries/{key}/ack", s.page(auth.CapDepartment, s.ackDelivery))
	mux.Handle("GET /manager", s.page(auth.CapManage, s.manager))
	mux.Handle("GET /manager/stats", s.page(auth.CapManage, s.managerDownload))
	mux.Handle("POST /manager/followups/{no}", s.page(auth.CapManage, s.followUpOutcome))
	mux.HandleFunc("/", s.notFound)
	return securityHeaders(mux), nil
}

// securityHeaders sets the headers every answer carries: a strict CSP (no inline script or
// style), no framing by other sites, no MIME sniffing, and no referrer leaving the hall.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}
