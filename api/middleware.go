package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"onewindow/internal/httpx"
)

// reqInfo is what the access log learns about a request while it is handled.
type reqInfo struct {
	id        string
	principal string
}

type reqInfoKey struct{}

// RequestID is the ID of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if ri, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
		return ri.id
	}
	return ""
}

// setPrincipal tells the access log who made the request.
func setPrincipal(ctx context.Context, name string) {
	if ri, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
		ri.principal = name
	}
}

// WithRequestIDs wraps a log handler so that every line logged with a request's context
// carries its request_id. Wrap the process's root logger with it, so the desks' lines do too.
func WithRequestIDs(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// requestID takes the client's X-Request-ID when it is a sane token, else makes one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-ID"); id != "" && len(id) <= 128 && !strings.ContainsFunc(id, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:", c))
	}) {
		return id
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// quietPaths are probed every few seconds; their lines would drown the log.
var quietPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// observe gives every request an ID (header and log lines), logs one access line when it
// ends (method, route, status, bytes, duration, who; never a token or a body) and times it.
func (s *Server) observe(next http.Handler) http.Handler {
	hist := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "onewindow_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by method, route pattern and status class.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"method", "route", "code"})
	if err := s.Metrics.Registry.Register(hist); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			hist = are.ExistingCollector.(*prometheus.HistogramVec)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{id: requestID(r)}
		w.Header().Set("X-Request-ID", ri.id)
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, ri))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		route := r.Pattern // set by the mux on this request
		if route == "" {
			route = "unmatched"
		}
		hist.WithLabelValues(r.Method, route, strconv.Itoa(rec.status/100)+"xx").Observe(took.Seconds())
		if quietPaths[r.URL.Path] {
			return
		}
		s.Log.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("method", r.Method),
			slog.String("route", route), slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
			slog.Float64("ms", float64(took.Microseconds())/1000), slog.String("principal", ri.principal))
	})
}

// methodNotAllowed answers 405 with Allow for a path the mux knows under other methods, and
// 404 for an unknown one.
func (s *Server) methodNotAllowed(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != apiFallback {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			s.writeError(w, r, errNotFound)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		var body httpx.ErrorBody
		body.Error.Code = "method_not_allowed"
		body.Error.Message = "This path answers " + strings.Join(allow, ", ") + " only."
		WriteJSON(w, http.StatusMethodNotAllowed, body)
	}
}

// rateLimit spends a token of the caller's bucket on every request (--rate-limit): a valid
// token's (or an in-process page's) principal, else the client's address, so that a runaway
// station or a flood of bad tokens slows down alone. Over the limit: 429 with Retry-After.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	lim := httpx.NewLimiter(s.Config.RateLimit, s.Config.RateLimitBurst)
	if lim == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := httpx.ClientKey(r)
		if s.Tokens != nil {
			if p, err := s.Tokens.Authenticate(r); err == nil {
				key = "principal:" + p.Name
			}
		}
		if wait, ok := lim.Allow(key); !ok {
			httpx.WriteRateLimited(w, r, wait)
			return
		}
		next.ServeHTTP(w, r)
	})
}
