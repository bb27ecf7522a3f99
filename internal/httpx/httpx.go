// Package httpx is the one way the API's packages answer HTTP: handlers return errors, and
// errors and values become JSON here. The api package wraps handlers with authentication; the
// archive, case and delivery desks add their routes through Routes without importing it.
package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
)

// HandlerFunc is a handler that returns an error instead of writing one.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// Authorizer wraps h so that it runs only for a principal whose role holds c (auth.Can).
type Authorizer func(c auth.Cap, h HandlerFunc) http.Handler

// Routes is how a package adds its API routes.
type Routes func(mux *http.ServeMux, authz Authorizer)

// WriteJSON answers v as JSON with status; every API answer goes through it.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// ErrorBody is the contract's error answer.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		// Fields names every wrong field of a form, when the input had more than one thing to fix.
		Fields []errs.FieldError `json:"fields,omitempty"`
	} `json:"error"`
}

// WriteError answers err as the contract's JSON error and logs it (never a request body).
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status := errs.HTTPStatus(err)
	var body ErrorBody
	body.Error.Code = errs.CodeOf(err)
	body.Error.Message = errs.MessageOf(err)
	body.Error.Fields = errs.FieldsOf(err)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if log != nil {
		log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path,
			"status", status, "code", body.Error.Code, "err", err)
	}
	if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="onewindow"`)
	}
	WriteJSON(w, status, body)
}

// MaxJSONBody bounds a JSON request body.
const MaxJSONBody = 1 << 20

// DecodeJSON reads a JSON request body into v strictly: unknown fields, trailing data, a body
// over MaxJSONBody or a wrong content type are 4xx errors.
func DecodeJSON(r *http.Request, v any) error {
	const op = "httpx.DecodeJSON"
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return errs.E(op, errs.Unsupported, "unsupported_media_type", "Send the body as application/json.", nil)
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, MaxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return errs.E(op, errs.TooLarge, "too_large", "The JSON body is larger than 1 MiB.", err)
		case errors.Is(err, io.EOF):
			return errs.E(op, errs.Invalid, "bad_json", "The request needs a JSON body.", err)
		default:
			return errs.E(op, errs.Invalid, "bad_json", "The JSON body is not valid: "+err.Error(), err)
		}
	}
	if dec.More() {
		return errs.E(op, errs.Invalid, "bad_json", "The JSON body has data after its end.", nil)
	}
	return nil
}

func isJSON(ct string) bool {
	for i := 0; i < len(ct); i++ {
		if ct[i] == ';' {
			ct = ct[:i]
			break
		}
	}
	return ct == "application/json" || ct == "text/json"
}

// AuditDone is told a request's outcome: the HTTP status, the body bytes sent, and the error
// code when it failed.
type AuditDone func(status int, bytes int64, code string)

// Route is one API route of a desk: its pattern, the capability a caller needs, its handler.
// A desk lists its routes as a table, so that tests can hold it against the OpenAPI document.
type Route struct {
	Pattern string
	Cap     auth.Cap
	H       HandlerFunc
}

// Handle adds routes to mux, each behind authz.
func Handle(mux *http.ServeMux, authz Authorizer, routes []Route) {
	for _, r := range routes {
		mux.Handle(r.Pattern, authz(r.Cap, r.H))
	}
}

// CheckQuery refuses a query parameter a call does not take, and one given twice: a
// misspelt filter that was silently ignored would answer more than was asked for.
func CheckQuery(op string, q url.Values, allowed ...string) error {
	for name := range q {
		if !slices.Contains(allowed, name) {
			return errs.Errorf(op, errs.Invalid, "unknown_parameter", "The parameter %q is not one this call takes (%v).", name, allowed)
		}
		if len(q[name]) > 1 {
			return errs.Errorf(op, errs.Invalid, "duplicate_parameter", "The parameter %q is given twice.", name)
		}
	}
	return nil
}
