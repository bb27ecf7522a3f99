package web

import (
	"net/http"
	"net/url"
	"strings"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
)

// home is the sign-in form, or for a signed-in user the start page with the role's desks.
func (s *site) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	sess, err := s.session(r)
	if err == nil {
		rq := &req{Request: r, s: sess, l: langOf(r), csrf: s.keys.csrfToken(sess.Nonce)}
		s.render(w, rq, http.StatusOK, "home.html", "home.title", nil)
		return
	}
	if err != errNoSession {
		s.setCookie(w, sessionCookie, "", -1)
	}
	s.signInForm(w, r, http.StatusOK, "")
}

func (s *site) signInForm(w http.ResponseWriter, r *http.Request, status int, problem string) {
	rq := &req{Request: r, l: langOf(r)}
	rq.csrf = s.keys.csrfToken(s.preNonce(w, r))
	v := s.viewFor(rq, "signin.title", nil)
	if problem != "" {
		v.Err = &apiError{Status: status, Code: problem}
	}
	s.renderView(w, r, status, "signin.html", v)
}

// signIn turns a user name and password, or an API token typed alone in the password field,
// into a session.
func (s *site) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !s.keys.checkCSRF(s.readPreNonce(r), r.PostFormValue(csrfField)) {
		s.signInForm(w, r, http.StatusForbidden, "bad_csrf")
		return
	}
	user := strings.TrimSpace(r.PostFormValue("user"))
	password := r.PostFormValue("password")
	client := httpx.ClientKey(r)
	if wait, ok := s.opts.SignInLimit.Peek(client); !ok {
		s.log.Warn("web: sign-in refused, too many failures from this address", "user", user, "remote", r.RemoteAddr)
		httpx.SetRetryAfter(w, wait)
		s.signInForm(w, r, http.StatusTooManyRequests, "rate_limited")
		return
	}
	var p auth.Principal
	var err error
	if user == "" {
		p, err = s.opts.Tokens.Lookup(strings.TrimSpace(password))
	} else {
		p, err = s.opts.Tokens.Password(user, password)
	}
	if err != nil {
		s.opts.SignInLimit.Allow(client) // only failures count
		// Never the password, never the token: only that a sign-in failed and how.
		s.log.Info("web: sign-in refused", "user", user, "code", errs.CodeOf(err), "remote", r.RemoteAddr)
		s.signInForm(w, r, http.StatusUnauthorized, "bad_credentials")
		return
	}
	value, _, err := s.keys.newSession(p, s.opts.Clock.Now(), s.opts.SessionTTL)
	if err != nil {
		s.signInForm(w, r, http.StatusInternalServerError, "internal")
		return
	}
	s.setCookie(w, sessionCookie, value, int(s.opts.SessionTTL.Seconds()))
	s.setCookie(w, preCookie, "", -1)
	s.log.Info("web: signed in", "name", p.Name, "role", p.Role)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *site) signOut(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err == nil && !s.keys.checkCSRF(sess.Nonce, r.PostFormValue(csrfField)) {
		rq := &req{Request: r, s: sess, l: langOf(r), csrf: s.keys.csrfToken(sess.Nonce)}
		s.renderError(w, rq, &apiError{Status: http.StatusForbidden, Code: "bad_csrf"})
		return
	}
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/?m=signed_out", http.StatusSeeOther)
}

// setLang switches the pages' language and goes back where the user was.
func (s *site) setLang(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	nonce := s.readPreNonce(r)
	if sess, err := s.session(r); err == nil {
		nonce = sess.Nonce
	}
	if !s.keys.checkCSRF(nonce, r.PostFormValue(csrfField)) {
		http.Error(w, "bad CSRF token", http.StatusForbidden)
		return
	}
	l := r.PostFormValue("lang")
	if l != "zh" && l != "en" {
		l = "zh"
	}
	s.setCookie(w, langCookie, l, 365*24*3600)
	back := r.PostFormValue("back")
	if u, err := url.Parse(back); err != nil || back == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
