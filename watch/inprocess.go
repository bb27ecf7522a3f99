package watch

import (
	"bytes"
	"io"
	"net/http"

	"onewindow/internal/auth"
)

// InProcess is a transport that serves requests with h in this process as principal p: dev
// mode watches a folder without a token or a network hop.
func InProcess(h http.Handler, p auth.Principal) http.RoundTripper {
	return inProcess{h: h, p: p}
}

type inProcess struct {
	h http.Handler
	p auth.Principal
}

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	t.h.ServeHTTP(rec, r.WithContext(auth.WithPrincipal(r.Context(), t.p)))
	return &http.Response{StatusCode: rec.status, Header: rec.header, Body: io.NopCloser(&rec.body),
		Request: r, ContentLength: int64(rec.body.Len())}, nil
}

// recorder keeps an answer in memory: the API's answers to uploads are small JSON.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}
