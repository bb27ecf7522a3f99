package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"onewindow/internal/auth"
)

// Cookie names.
const (
	sessionCookie = "ow_session"
	// preCookie carries a signed nonce for visitors not yet signed in, so that the sign-in and
	// language forms have a CSRF token too.
	preCookie  = "ow_pre"
	langCookie = "ow_lang"
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

var (
	errNoSession = errors.New("no session")
	errExpired   = errors.New("session expired")
	errForged    = errors.New("bad signature")
)

// keys are derived from the one session key, so a CSRF token can never pass as a cookie.
type keys struct{ cookie, csrf []byte }

func deriveKeys(k []byte) keys {
	return keys{cookie: mac(k, []byte("onewindow web cookie")), csrf: mac(k, []byte("onewindow web csrf"))}
}

func mac(key, msg []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil)
}

// session is what the signed cookie holds.
type session struct {
	P       auth.Principal `json:"p"`
	Expires int64          `json:"exp"`
	Nonce   string         `json:"n"` // binds CSRF tokens to this sign-in
}

var b64 = base64.RawURLEncoding

// sign returns payload.signature for v.
func (k keys) sign(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	payload := b64.EncodeToString(raw)
	return payload + "." + b64.EncodeToString(mac(k.cookie, []byte(payload))), nil
}

// verify checks value's signature and decodes its payload into v.
func (k keys) verify(value string, v any) error {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok {
		return errForged
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(k.cookie, []byte(payload))) {
		return errForged
	}
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return errForged
	}
	return json.Unmarshal(raw, v)
}

// newSession makes the cookie value for p, valid until now+ttl.
func (k keys) newSession(p auth.Principal, now time.Time, ttl time.Duration) (string, session, error) {
	s := session{P: p, Expires: now.Add(ttl).Unix(), Nonce: nonce()}
	v, err := k.sign(s)
	return v, s, err
}

// readSession returns the request's session, errNoSession, errExpired or errForged.
func (k keys) readSession(r *http.Request, now time.Time) (session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return session{}, errNoSession
	}
	var s session
	if err := k.verify(c.Value, &s); err != nil {
		return session{}, err
	}
	if s.Nonce == "" || s.P.Role == "" {
		return session{}, errForged
	}
	if now.Unix() >= s.Expires {
		return session{}, errExpired
	}
	return s, nil
}

// session is the request's session while its principal is still in the tokens file: removing
// a user or changing their role ends their sessions at the next page, as it ends their tokens.
func (s *site) session(r *http.Request) (session, error) {
	sess, err := s.keys.readSession(r, s.opts.Clock.Now())
	if err == nil && !s.opts.Tokens.Knows(sess.P) {
		return session{}, errExpired
	}
	return sess, err
}

// csrfToken is the token forms of a session (or a pre-session nonce) carry.
func (k keys) csrfToken(nonce string) string {
	return b64.EncodeToString(mac(k.csrf, []byte(nonce)))
}

// checkCSRF reports whether the request carries nonce's token, in the form field or the header.
// The form must have been parsed (or the token read) by the caller for multipart bodies.
func (k keys) checkCSRF(nonce, token string) bool {
	if nonce == "" || token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(token), []byte(k.csrfToken(nonce))) == 1
}

func nonce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return b64.EncodeToString(b)
}

// preNonce returns the visitor's pre-session nonce, setting the cookie when it is missing.
func (s *site) preNonce(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCookie); err == nil {
		var n string
		if s.keys.verify(c.Value, &n) == nil && n != "" {
			return n
		}
	}
	n := nonce()
	v, _ := s.keys.sign(n)
	s.setCookie(w, preCookie, v, 0)
	return n
}

// readPreNonce returns the pre-session nonce without setting one.
func (s *site) readPreNonce(r *http.Request) string {
	c, err := r.Cookie(preCookie)
	if err != nil {
		return ""
	}
	var n string
	if s.keys.verify(c.Value, &n) != nil {
		return ""
	}
	return n
}

// setCookie sets an HttpOnly, SameSite=Strict cookie; maxAge < 0 deletes it, 0 is for the
// browser session.
func (s *site) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.opts.Secure, SameSite: http.SameSiteStrictMode})
}
