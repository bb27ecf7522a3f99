package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"onewindow/internal/errs"
)

// TokenEntry is one entry of the tokens file. Only the SHA-256 of a token is stored; a user who
// signs in to the web pages with a name and password has a bcrypt hash of the password too.
type TokenEntry struct {
	Name       string `json:"name"`
	Role       string `json:"role"`
	SHA256     string `json:"sha256,omitempty"`
	Password   string `json:"password_bcrypt,omitempty"`
	Department string `json:"department,omitempty"`
	Station    string `json:"station,omitempty"`
}

// Tokens checks bearer tokens and passwords against their hashes.
type Tokens struct {
	byHash    map[[32]byte]Principal
	passwords map[string]passwordEntry
}

type passwordEntry struct {
	hash []byte
	p    Principal
}

// HashToken is how tokens are stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// HashPassword is how passwords are stored.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// CheckEntry says what is wrong with one entry of the tokens file, or nil.
func CheckEntry(e TokenEntry) error {
	if strings.TrimSpace(e.Name) == "" {
		return fmt.Errorf("name is empty")
	}
	if !ValidRole(e.Role) {
		return fmt.Errorf("unknown role %q (one of %s)", e.Role, strings.Join(Roles, ", "))
	}
	if e.SHA256 == "" && e.Password == "" {
		return fmt.Errorf("give sha256 (a token's hash) or password_bcrypt")
	}
	if e.SHA256 != "" {
		if raw, err := hex.DecodeString(e.SHA256); err != nil || len(raw) != 32 {
			return fmt.Errorf("sha256 must be 64 hex digits")
		}
	}
	if row(e.Role).bound == toDepartment && e.Department == "" {
		return fmt.Errorf("a department token names its department")
	}
	return nil
}

// LoadTokens reads the tokens file (a JSON list of TokenEntry; may be empty) and adds the admin
// token.
func LoadTokens(path, adminToken string) (*Tokens, error) {
	t := &Tokens{byHash: map[[32]byte]Principal{}, passwords: map[string]passwordEntry{}}
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
		if err := CheckEntry(e); err != nil {
			return nil, fmt.Errorf("tokens file %s: entry %d (%s): %w", path, i, e.Name, err)
		}
		p := Principal{Name: e.Name, Role: e.Role, Department: e.Department, Station: e.Station}
		if e.SHA256 != "" {
			raw, _ := hex.DecodeString(e.SHA256)
			t.byHash[[32]byte(raw)] = p
		}
		if e.Password != "" {
			t.passwords[e.Name] = passwordEntry{hash: []byte(e.Password), p: p}
		}
	}
	return t, nil
}

// Lookup finds the principal of a bearer token.
func (t *Tokens) Lookup(token string) (Principal, error) {
	const op = "auth.Lookup"
	if token == "" {
		return Principal{}, errs.E(op, errs.Unauthorized, "missing_token", "Send an Authorization: Bearer token.", nil)
	}
	sum := sha256.Sum256([]byte(token))
	found, p := false, Principal{}
	for h, hp := range t.byHash {
		if subtle.ConstantTimeCompare(h[:], sum[:]) == 1 {
			found, p = true, hp
		}
	}
	if !found {
		return Principal{}, errs.E(op, errs.Unauthorized, "invalid_token", "The token is not valid.", nil)
	}
	return p, nil
}

// Knows reports whether p, with its role, department and station, is still one that a token
// or a password of this process's tokens names, so a web session made for a principal since
// removed or changed ends at its next request. The file holds a hall's staff, a few hundred
// entries at most: a walk costs less than keeping a third map in step with the other two.
func (t *Tokens) Knows(p Principal) bool {
	for _, q := range t.byHash {
		if q == p {
			return true
		}
	}
	for _, e := range t.passwords {
		if e.p == p {
			return true
		}
	}
	return false
}

// Password checks a user name and password from the tokens file.
func (t *Tokens) Password(user, password string) (Principal, error) {
	e, ok := t.passwords[user]
	if !ok {
		// Spend the same time as a wrong password, so names cannot be probed.
		_ = bcrypt.CompareHashAndPassword(decoyHash(), []byte(password))
		return Principal{}, errs.E("auth.Password", errs.Unauthorized, "bad_credentials", "The user name or password is wrong.", nil)
	}
	if bcrypt.CompareHashAndPassword(e.hash, []byte(password)) != nil {
		return Principal{}, errs.E("auth.Password", errs.Unauthorized, "bad_credentials", "The user name or password is wrong.", nil)
	}
	return e.p, nil
}

var decoyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("decoy"), bcrypt.DefaultCost)
	return h
})

// Authenticate finds the principal of a request: one the process put in its context (the web
// pages), a Bearer token, or for browsers on the operator dashboard a Basic password.
func (t *Tokens) Authenticate(r *http.Request) (Principal, error) {
	if p, ok := FromContext(r.Context()); ok {
		return p, nil
	}
	token := ""
	h := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(h, "Bearer "):
		token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	case strings.HasPrefix(h, "Basic "):
		_, token, _ = r.BasicAuth()
	}
	return t.Lookup(token)
}
