package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"

	"onewindow/internal/errs"
)

// Roles a token can carry.
const (
	RoleAdmin     = "admin"
	RoleScanner   = "scanner"   // scan stations and the courier desk: upload and follow batches
	RoleArchivist = "archivist" // search, view, export; sees full ID numbers
	RoleReviewer  = "reviewer"  // corrects document types and boundaries
	RoleViewer    = "viewer"    // departments: read documents, ID numbers masked
)

// TokenEntry is one line of the tokens file: only the SHA-256 of a token is stored.
type TokenEntry struct {
	Name   string `json:"name"`
	Role   string `json:"role"`
	SHA256 string `json:"sha256"`
}

// Principal is who made a request.
type Principal struct {
	Name string
	Role string
}

// Tokens checks bearer tokens against their hashes.
type Tokens struct {
	byHash map[[32]byte]Principal
}

// HashToken is how tokens are stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// LoadTokens reads the tokens file (a JSON list of TokenEntry; may be empty) and adds the admin
// token.
func LoadTokens(path, adminToken string) (*Tokens, error) {
	t := &Tokens{byHash: map[[32]byte]Principal{}}
	if adminToken != "" {
		t.byHash[sha256.Sum256([]byte(adminToken))] = Principal{Name: "admin", Role: RoleAdmin}
	}
	if path == "" {
		return t, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	var entries []TokenEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("tokens file %s: %w", path, err)
	}
	for i, e := range entries {
		raw, err := hex.DecodeString(e.SHA256)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("tokens file %s: entry %d (%s): sha256 must be 64 hex digits", path, i, e.Name)
		}
		switch e.Role {
		case RoleAdmin, RoleScanner, RoleArchivist, RoleReviewer, RoleViewer:
		default:
			return nil, fmt.Errorf("tokens file %s: entry %d (%s): unknown role %q", path, i, e.Name, e.Role)
		}
		t.byHash[[32]byte(raw)] = Principal{Name: e.Name, Role: e.Role}
	}
	return t, nil
}

// Authenticate finds the principal of a request: a Bearer token, or for browsers on the
// operator dashboard a Basic password.
func (t *Tokens) Authenticate(r *http.Request) (Principal, error) {
	const op = "api.Authenticate"
	token := ""
	h := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(h, "Bearer "):
		token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	case strings.HasPrefix(h, "Basic "):
		_, token, _ = r.BasicAuth()
	}
	if token == "" {
		return Principal{}, errs.E(op, errs.Unauthorized, "missing_token", "Send an Authorization: Bearer token.", nil)
	}
	sum := sha256.Sum256([]byte(token))
	for h, p := range t.byHash {
		if subtle.ConstantTimeCompare(h[:], sum[:]) == 1 {
			return p, nil
		}
	}
	return Principal{}, errs.E(op, errs.Unauthorized, "invalid_token", "The token is not valid.", nil)
}

// allows reports whether role may act where any of roles is needed; admin may do anything.
func allows(role string, roles []string) bool {
	if role == RoleAdmin {
		return true
	}
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}
