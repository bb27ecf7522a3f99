// Package auth says who a caller is and what they may see: roles, principals, tokens, and the
// one masking rule for personal data. The API, the archive desk, the case desks and the web
// pages all decide through it, so a role means the same thing everywhere.
package auth

import "context"

// Roles a token or a user can carry.
const (
	RoleAdmin      = "admin"      // may do anything
	RoleScanner    = "scanner"    // scan stations: upload and follow their batches
	RoleArchivist  = "archivist"  // search, view, export; sees full ID numbers
	RoleReviewer   = "reviewer"   // corrects document types and boundaries
	RoleViewer     = "viewer"     // reads documents, personal data masked
	RoleWindow     = "window"     // the general window: opens and decides cases
	RoleCourier    = "courier"    // the courier-intake desk: logs mail, uploads its contents
	RoleDepartment = "department" // a back-office department: its own cases only
	RoleOperator   = "operator"   // runs the installation: health, queues, retries
	RoleManager    = "manager"    // the hall's management: statistics, ratings and their follow-ups
)

// Roles lists every role, in the order help texts show them.
var Roles = []string{RoleAdmin, RoleScanner, RoleArchivist, RoleReviewer, RoleViewer, RoleWindow,
	RoleCourier, RoleDepartment, RoleOperator, RoleManager}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool {
	for _, r := range Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Principal is who made a request.
type Principal struct {
	Name string `json:"name"`
	Role string `json:"role"`
	// Department is the department a RoleDepartment principal speaks for.
	Department string `json:"department,omitempty"`
	// Station, when set, binds a scanner to its own station's batches.
	Station string `json:"station,omitempty"`
}

// Allows reports whether role may act where any of roles is needed; admin may do anything.
func Allows(role string, roles []string) bool {
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

// SeesFullIDs is the one rule for personal data: the roles that handle a case or its archive
// see resident ID numbers and phone numbers in full; everyone else sees them masked.
func (p Principal) SeesFullIDs() bool {
	switch p.Role {
	case RoleAdmin, RoleArchivist, RoleScanner, RoleReviewer, RoleWindow, RoleCourier, RoleDepartment:
		return true
	}
	return false
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p. The web pages call the API in process this way; an
// outside request cannot set a context value, so this is no way around the token check.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal WithPrincipal put in ctx.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
