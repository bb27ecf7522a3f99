// Package public serves what an applicant reaches without signing in: the service guides of
// the matters (办事指南, DB22/T 2871.2 §6.1.3), the progress lookup of a case (办件进度查询)
// and the rating of a handed-out case (好差评, §8). Its pages are in Chinese, readable on a
// phone, and load nothing from outside the installation; its JSON calls answer in the API's
// error shape. It reveals of a case only what the applicant may know, to whoever gives the
// case number and the last four characters of the applicant's phone or ID number.
package public

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"onewindow/cases"
	"onewindow/internal/clock"
	"onewindow/internal/httpx"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Events reads a case's filed events, oldest first (storage.CaseStore): the lookup answers
// from the record, not from a cache a lost Redis could make wrong.
type Events interface {
	Events(ctx context.Context, caseNo string) ([][]byte, error)
}

// Ratings files and reads ratings write-once (storage.RatingStore).
type Ratings interface {
	PutRating(ctx context.Context, caseNo string, data []byte) error
	Rating(ctx context.Context, caseNo string) ([]byte, error)
}

// Records reads a filed delivery record by key (storage.DeliveryStore): the handout.
type Records interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// AuditFunc files an access in the hall's audit log: what, of which object, from where. The
// lookup audits every wrong try.
type AuditFunc func(ctx context.Context, action, object, remote string) error

// Options configure the public pages and calls.
type Options struct {
	Catalogue func() *cases.Catalogue // the matter catalogue in force
	// DepartmentName names a department (the departments file); "" falls back to the
	// catalogue's department_names, then the id.
	DepartmentName func(id string) string
	Events         Events
	Ratings        Ratings
	Handouts       Records
	Calendar       *cases.Calendar // working days for follow-up dates; nil: the bundled one
	Clock          clock.Clock     // the hall's; zero: the system's in clock.DefaultZone
	// BaseURL is where people reach this installation (--public-base-url), for the QR codes;
	// empty: the address the request came to.
	BaseURL string
	Audit   AuditFunc // nil: wrong tries are only logged
	// WrongTries limits wrong lookups (unknown case or wrong check) per client address;
	// nil: 20 at once, then one every 10 seconds (a four-digit check then takes over a day of
	// guessing from one address).
	WrongTries *httpx.Limiter
	// FontPath is the CJK font the printable guides embed ("" for the notices' default).
	FontPath string
	Log      *slog.Logger
}

// Service is the public desk.
type Service struct {
	o     Options
	pages map[string]*template.Template
}

// New builds the public desk.
func New(o Options) (*Service, error) {
	if o.Calendar == nil {
		o.Calendar = cases.DefaultCalendar()
	}
	if o.WrongTries == nil {
		o.WrongTries = httpx.NewLimiter(1.0/10, 20)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Service{o: o, pages: pages}, nil
}

// Routes adds the public pages and calls to mux. None takes a token, so authz is unused;
// the API's per-address rate limit covers them like every route.
func (s *Service) Routes(mux *http.ServeMux, _ httpx.Authorizer) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /public/static/", http.StripPrefix("/public/static/", headers(http.FileServerFS(static), time.Hour)))
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /guide":                         s.guideList,
		"GET /guide/{$}":                     s.guideList,
		"GET /guide/{code}":                  s.guidePage,
		"GET /guide/{code}/qr.svg":           s.guideQR,
		"GET /progress":                      s.progressForm,
		"POST /progress":                     s.progressPage,
		"GET /rate":                          s.rateForm,
		"POST /rate":                         s.ratePage,
		"GET /rate/tablet":                   s.tabletForm,
		"POST /rate/tablet":                  s.tabletPage,
		"GET /api/v1/public/cases/{case_no}": s.getProgress,
		"POST /api/v1/public/cases/{case_no}/rating": s.postRating,
	} {
		mux.Handle(pattern, headers(h, 0))
	}
}

// headers sets what every public answer carries: nothing from another origin may load or
// frame it, and pages are cached maxAge (0: never, as they show a case's state).
func headers(next http.Handler, maxAge time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"object-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if maxAge > 0 {
			h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
		} else {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}
