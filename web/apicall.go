package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
)

// apiError is an API answer that was not 2xx, as the contract's error body says it.
type apiError struct {
	Status  int
	Code    string
	Message string
	Fields  []errs.FieldError // every wrong field of a form, for the page to mark beside each
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// missing reports whether the call is not there (yet): a desk whose API has not landed.
func (e *apiError) missing() bool {
	return e != nil && (e.Status == http.StatusNotFound && e.Code == "not_found" || e.Status == http.StatusMethodNotAllowed)
}

// recorder keeps an in-process API answer in memory; pages answer small JSON bodies only.
type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

// apiRequest builds an in-process request to the API for p, carrying the browser's address
// (the access audit records where a view came from) and its cancellation.
func apiRequest(from *http.Request, p auth.Principal, method, path string, body io.Reader) *http.Request {
	ctx := auth.WithPrincipal(from.Context(), p)
	r, _ := http.NewRequestWithContext(ctx, method, path, body)
	r.RemoteAddr = from.RemoteAddr
	r.Host = from.Host
	r.RequestURI = path
	r.Header.Set("User-Agent", from.UserAgent())
	return r
}

// call serves one API request in process and returns its answer.
func (s *site) call(r *http.Request, p auth.Principal, method, path string, body io.Reader, hdr http.Header) *recorder {
	req := apiRequest(r, p, method, path, body)
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	rec := &recorder{h: http.Header{}}
	s.opts.API.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec
}

// errorOf turns a non-2xx answer into an *apiError; nil for 2xx.
func errorOf(rec *recorder) *apiError {
	if rec.status >= 200 && rec.status < 300 {
		return nil
	}
	var body struct {
		Error struct {
			Code, Message string
			Fields        []errs.FieldError
		} `json:"error"`
	}
	_ = json.Unmarshal(rec.body.Bytes(), &body)
	if body.Error.Code == "" {
		body.Error.Code = http.StatusText(rec.status)
	}
	return &apiError{Status: rec.status, Code: body.Error.Code, Message: body.Error.Message, Fields: body.Error.Fields}
}

// getJSON calls GET path and decodes a 2xx answer into v.
func (s *site) getJSON(rq *req, path string, v any) *apiError {
	return s.sendJSON(rq, http.MethodGet, path, nil, nil, v)
}

// sendJSON calls the API with an optional JSON body and decodes a 2xx answer into out.
func (s *site) sendJSON(rq *req, method, path string, in any, hdr http.Header, out any) *apiError {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: err.Error()}
		}
		body = bytes.NewReader(raw)
		if hdr == nil {
			hdr = http.Header{}
		}
		hdr.Set("Content-Type", "application/json")
	}
	rec := s.call(rq.Request, rq.s.P, method, path, body, withPurpose(rq, hdr))
	if e := errorOf(rec); e != nil {
		return e
	}
	if out != nil {
		if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
			return &apiError{Status: http.StatusBadGateway, Code: "bad_answer", Message: err.Error()}
		}
	}
	return nil
}

// withPurpose passes the purpose an archivist stated on the page to the access audit.
func withPurpose(rq *req, hdr http.Header) http.Header {
	purpose := rq.URL.Query().Get("purpose")
	if purpose == "" {
		return hdr
	}
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("X-Purpose", url.PathEscape(purpose))
	return hdr
}

// relay streams an API answer (a PDF, a zip) to the browser when it succeeds, and keeps an
// error answer for the page to render instead.
type relay struct {
	w       http.ResponseWriter
	h       http.Header
	status  int
	errBody bytes.Buffer
	// inline asks the browser to show the file rather than save it.
	inline bool
}

func (r *relay) Header() http.Header { return r.h }

func (r *relay) WriteHeader(code int) {
	if r.status != 0 {
		return
	}
	r.status = code
	if code >= 300 {
		return
	}
	for _, k := range []string{"Content-Type", "Content-Length", "Content-Disposition", "Etag", "Last-Modified"} {
		if v := r.h.Get(k); v != "" {
			r.w.Header().Set(k, v)
		}
	}
	if r.inline {
		r.w.Header().Set("Content-Disposition", "inline")
	}
	r.w.Header().Set("Cache-Control", "private, no-store")
	r.w.WriteHeader(code)
}

func (r *relay) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if r.status >= 300 {
		return r.errBody.Write(p)
	}
	return r.w.Write(p)
}

func (r *relay) Flush() {
	if r.status != 0 && r.status < 300 {
		_ = http.NewResponseController(r.w).Flush()
	}
}

// stream serves path from the API straight to the browser; an error answer renders as a page.
func (s *site) stream(w http.ResponseWriter, rq *req, path string, inline bool) {
	rl := &relay{w: w, h: http.Header{}, inline: inline}
	req := apiRequest(rq.Request, rq.s.P, http.MethodGet, path, nil)
	for k, vs := range withPurpose(rq, nil) {
		req.Header[k] = vs
	}
	s.opts.API.ServeHTTP(rl, req)
	if rl.status >= 300 {
		rec := &recorder{h: rl.h, status: rl.status}
		rec.body = rl.errBody
		s.renderError(w, rq, errorOf(rec))
	}
}
