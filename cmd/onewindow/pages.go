package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net/http"
	"os"
	"path/filepath"

	"onewindow/internal/auth"
	"onewindow/internal/httpx"
	"onewindow/web"
)

// withPages puts the people's web pages at / beside the API, which they call in process.
func (d *deps) withPages(apiHandler http.Handler, tokens *auth.Tokens) (http.Handler, error) {
	key, err := sessionKey(d)
	if err != nil {
		return nil, err
	}
	pages, err := web.New(web.Options{API: apiHandler, Tokens: tokens, SessionKey: key, Log: d.log,
		Secure: d.cfg.TLSCert != "", WatchStatus: d.watchStatus(), EvidenceStatus: d.evidenceStatus(),
		SignInLimit: httpx.NewLimiter(d.cfg.SignInRateLimit/60, 10), Clock: d.hall})
	if err != nil {
		return nil, err
	}
	root := http.NewServeMux()
	for _, prefix := range append([]string{"/api/", "/admin/", "/metrics", "/healthz", "/readyz", "/verify/"}, publicPaths...) {
		root.Handle(prefix, apiHandler)
	}
	root.Handle("/", pages)
	return root, nil
}

// sessionKey is the key that signs web sessions: --session-key (or its file; shared by every
// serve process of a hall), else one derived from the admin token (the same in every process
// that shares it), else, in dev mode, one kept under --data-dir.
func sessionKey(d *deps) ([]byte, error) {
	if key := d.cfg.SessionKey; key != "" {
		if len(key) < 32 {
			return nil, errors.New("the session key has fewer than 32 characters")
		}
		return []byte(key), nil
	}
	if d.cfg.AdminToken != "" {
		mac := hmac.New(sha256.New, []byte(d.cfg.AdminToken))
		mac.Write([]byte("onewindow web session key"))
		return mac.Sum(nil), nil
	}
	path := filepath.Join(d.cfg.DataDir, "session.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	d.log.Warn("no --session-key and no admin token: web sessions are signed with a key of this data directory only", "file", path)
	return key, os.WriteFile(path, key, 0o600)
}
