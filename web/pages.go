package web

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"onewindow/internal/auth"
)

// A desk is shown to the roles whose row in auth's table holds its capability. The API
// decides again on every call; navigation only keeps links to desks a role cannot use off its
// pages.
type navLink struct {
	Key, Path string
	desk      string // the name templates ask Can for
	cap       auth.Cap
}

// navigation is the start page's and the header's list of desks, in the order shown.
var navigation = []navLink{
	{"nav.scan", "/scan", "scan", auth.CapUpload},
	{"nav.review", "/review", "review", auth.CapReview},
	{"nav.search", "/search", "archive", auth.CapArchiveRead},
	{"nav.cases", "/cases", "cases", auth.CapCaseWindow},
	{"nav.mail", "/mail", "mail", auth.CapMailDesk},
	{"nav.department", "/department", "department", auth.CapDepartment},
	{"nav.ops", "/ops", "ops", auth.CapOps},
	{"nav.manager", "/manager", "manager", auth.CapManage},
}

func navFor(role string) []navLink {
	var out []navLink
	for _, n := range navigation {
		if auth.Can(role, n.cap) {
			out = append(out, n)
		}
	}
	return out
}

// req is one browser request with its session, language and CSRF token.
type req struct {
	*http.Request
	s    session
	l    lang
	csrf string
}

// view is what every template gets.
type view struct {
	L        lang
	P        auth.Principal
	SignedIn bool
	CSRF     string
	Nav      []navLink
	Path     string
	Here     string // path and query, for the language switch to come back to
	Back     string // the page the user came from, for error pages
	Title    string
	Flash    string
	Err      *apiError
	Data     any
}

// Can reports whether the signed-in user may use the named desk of navigation.
func (v view) Can(desk string) bool {
	for _, n := range navigation {
		if n.desk == desk {
			return v.SignedIn && auth.Can(v.P.Role, n.cap)
		}
	}
	return false
}

// IsAdmin is for controls of the administer capability (legal hold), which only admin holds.
func (v view) IsAdmin() bool { return v.SignedIn && auth.Can(v.P.Role, auth.CapAdminister) }

type pageFunc func(w http.ResponseWriter, rq *req)

// signedIn is the capability of pages any signed-in user may open; what they show is the
// API's answer for that user.
const signedIn auth.Cap = ""

// page wraps a desk's handler: a valid session, a role holding c (signedIn: any user),
// and on a POST a CSRF token bound to the session. Multipart posts are checked by their
// handlers, which read the token from the body's first part without buffering the upload.
func (s *site) page(c auth.Cap, h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		sess, err := s.session(r)
		if err != nil {
			s.noSession(w, r, err)
			return
		}
		rq := &req{Request: r, s: sess, l: langOf(r), csrf: s.keys.csrfToken(sess.Nonce)}
		if c != signedIn && !auth.Can(sess.P.Role, c) {
			s.renderError(w, rq, &apiError{Status: http.StatusForbidden, Code: "forbidden"})
			return
		}
		if r.Method == http.MethodPost && !isMultipart(r) {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			token := r.Header.Get(csrfHeader)
			if token == "" {
				token = r.PostFormValue(csrfField)
			}
			if !s.keys.checkCSRF(sess.Nonce, token) {
				s.renderError(w, rq, &apiError{Status: http.StatusForbidden, Code: "bad_csrf"})
				return
			}
		}
		h(w, rq)
	})
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// noSession sends a browser without a valid session to the sign-in page, saying why when it
// expired; scripts (live progress) get 401.
func (s *site) noSession(w http.ResponseWriter, r *http.Request, err error) {
	if err != errNoSession {
		s.setCookie(w, sessionCookie, "", -1)
	}
	if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		http.Error(w, "session expired", http.StatusUnauthorized)
		return
	}
	to := "/"
	if errors.Is(err, errExpired) {
		to = "/?m=expired"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// render writes a page with the layout.
func (s *site) render(w http.ResponseWriter, rq *req, status int, name, titleKey string, data any) {
	v := s.viewFor(rq, titleKey, data)
	s.renderView(w, rq.Request, status, name, v)
}

func (s *site) viewFor(rq *req, titleKey string, data any) view {
	v := view{L: rq.l, CSRF: rq.csrf, Path: rq.URL.Path, Here: rq.URL.RequestURI(), Title: rq.l.T(titleKey), Data: data}
	if rq.Method != http.MethodGet {
		v.Here = rq.URL.Path
	}
	if ref, err := url.Parse(rq.Referer()); err == nil && ref.Host == rq.Host && ref.RequestURI() != v.Here {
		v.Back = ref.RequestURI()
	}
	if rq.s.P.Role != "" {
		v.P, v.SignedIn, v.Nav = rq.s.P, true, navFor(rq.s.P.Role)
	}
	if m := rq.URL.Query().Get("m"); m != "" && rq.l.Has("flash."+m) {
		v.Flash = rq.l.T("flash." + m)
	}
	return v
}

func (s *site) renderView(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := s.pages[name]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("web: template failed", "page", name, "err", err)
		http.Error(w, "page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows an API (or page) error in words a clerk understands, with its code.
func (s *site) renderError(w http.ResponseWriter, rq *req, e *apiError) {
	if e == nil {
		e = &apiError{Status: http.StatusInternalServerError, Code: "internal"}
	}
	if e.Status == http.StatusUnauthorized {
		s.noSession(w, rq.Request, errExpired)
		return
	}
	s.render(w, rq, e.Status, "error.html", "error.title", e)
}

func (s *site) notFound(w http.ResponseWriter, r *http.Request) {
	rq := &req{Request: r, l: langOf(r)}
	if sess, err := s.session(r); err == nil {
		rq.s, rq.csrf = sess, s.keys.csrfToken(sess.Nonce)
	}
	s.render(w, rq, http.StatusNotFound, "error.html", "error.title", &apiError{Status: http.StatusNotFound, Code: "page_not_found"})
}

type pages map[string]*template.Template

// parsePages parses each page with the layout into a set of its own, so that every page can
// define the layout's "content" block.
func parsePages(funcs template.FuncMap) (pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}
