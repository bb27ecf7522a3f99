// Package auth says who a caller is and what they may do and see: the one table of roles and
// their capabilities, principals, tokens, and the one masking rule for personal data. The API,
// the desks and the web pages all decide through it, so a role means the same thing everywhere.
package auth

import (
	"context"
	"slices"
)

// Roles a token or a user can carry. What each may do is its row of roleTable.
const (
	RoleAdmin      = "admin"
	RoleScanner    = "scanner"
	RoleArchivist  = "archivist"
	RoleReviewer   = "reviewer"
	RoleViewer     = "viewer"
	RoleWindow     = "window"
	RoleCourier    = "courier"
	RoleDepartment = "department"
	RoleOperator   = "operator"
	RoleManager    = "manager"
)

// Cap is something a role may do. Routes, pages and navigation ask for a capability, never
// for a list of roles, so what a role may do is written once: its row of roleTable.
type Cap string

// Capabilities, named by what they allow.
const (
	CapUpload        Cap = "upload"         // upload scans and follow them: the scan desk
	CapListBatches   Cap = "list_batches"   // list batches (operators too, to find failed ones)
	CapReadDocuments Cap = "read_documents" // read batches and filed documents, their PDF and text
	CapSeePages      Cap = "see_pages"      // a batch's page thumbnails
	CapReview        Cap = "review"         // retype, regroup, confirm documents: the review desk
	CapArchiveRead   Cap = "archive_read"   // search, export, report, provenance: the archive desk
	CapAdminister    Cap = "administer"     // reindex, fixity runs, legal holds, the audit check
	CapOps           Cap = "ops"            // health, queues, retries: the operations desk
	CapCaseRead      Cap = "case_read"      // matters, cases, notices, overdue supplements
	CapCaseOpen      Cap = "case_open"      // open a case and hand its papers over
	CapCaseWindow    Cap = "case_window"    // decide cases and hand out results: the cases desk
	CapCaseMove      Cap = "case_move"      // move a case on and confirm papers handed over
	CapCasePage      Cap = "case_page"      // a case's page and its notices in the browser
	CapMail          Cap = "mail"           // log mailed envelopes, their register and notices
	CapMailDesk      Cap = "mail_desk"      // the courier desk's pages
	CapDeliveryRead  Cap = "delivery_read"  // departments and the packages sent to them
	CapDeliveryPush  Cap = "delivery_push"  // send packages again, the dead letters
	CapDepartment    Cap = "department"     // acknowledge and answer packages: the department desk
	CapManage        Cap = "manage"         // statistics, ratings and their follow-ups
	CapFullIDs       Cap = "full_ids"       // see ID and phone numbers in full (others see them masked)
)

// Caps lists every capability; admin holds them all.
var Caps = []Cap{CapUpload, CapListBatches, CapReadDocuments, CapSeePages, CapReview, CapArchiveRead,
	CapAdminister, CapOps, CapCaseRead, CapCaseOpen, CapCaseWindow, CapCaseMove, CapCasePage, CapMail,
	CapMailDesk, CapDeliveryRead, CapDeliveryPush, CapDepartment, CapManage, CapFullIDs}

// roleRow is one role: what pages call it, what it may do, and what its principals are
// bound to.
type roleRow struct {
	name      string
	label, en string // in Chinese and in English
	caps      []Cap
	bound     binding
}

// binding is what a role's principals act for alone, when their token names it.
type binding int

const (
	unbound      binding = iota
	toStation            // a scanner bound to a station files and sees that station's batches only
	toDepartment         // a department sees its own cases and packages only, and must name it
)

// roleTable is the one place that says what a role may do, in the order help texts list the
// roles. Adding a role is one row here. The roles that handle a case or its archive see
// personal data in full (CapFullIDs); everyone else sees it masked.
var roleTable = []roleRow{
	{name: RoleAdmin, label: "管理员", en: "administrator", caps: Caps},
	{name: RoleScanner, label: "扫描员", en: "scan station", bound: toStation,
		caps: []Cap{CapUpload, CapListBatches, CapReadDocuments, CapSeePages, CapReview, CapCaseRead, CapFullIDs}},
	{name: RoleArchivist, label: "档案员", en: "archivist",
		caps: []Cap{CapListBatches, CapReadDocuments, CapSeePages, CapArchiveRead, CapCaseRead, CapFullIDs}},
	{name: RoleReviewer, label: "复核员", en: "reviewer",
		caps: []Cap{CapListBatches, CapReadDocuments, CapSeePages, CapReview, CapCaseRead, CapFullIDs}},
	// Reads documents with personal data masked, and no page images.
	{name: RoleViewer, label: "查阅人", en: "viewer",
		caps: []Cap{CapListBatches, CapReadDocuments, CapCaseRead}},
	// The general window opens and decides cases and scans what reaches it (§7.1.4).
	{name: RoleWindow, label: "窗口人员", en: "window officer",
		caps: []Cap{CapUpload, CapListBatches, CapReadDocuments, CapSeePages, CapCaseRead, CapCaseOpen,
			CapCaseWindow, CapCaseMove, CapCasePage, CapMail, CapDeliveryRead, CapDeliveryPush, CapFullIDs}},
	// The courier-intake desk logs mail and uploads its contents (§7.1.5).
	{name: RoleCourier, label: "寄递收件员", en: "courier desk",
		caps: []Cap{CapUpload, CapListBatches, CapReadDocuments, CapSeePages, CapCaseRead, CapCaseOpen,
			CapCasePage, CapMail, CapMailDesk, CapFullIDs}},
	{name: RoleDepartment, label: "部门人员", en: "department", bound: toDepartment,
		caps: []Cap{CapCaseRead, CapCaseMove, CapCasePage, CapDeliveryRead, CapDepartment, CapFullIDs}},
	{name: RoleOperator, label: "运维人员", en: "operator",
		caps: []Cap{CapListBatches, CapOps, CapDeliveryRead, CapDeliveryPush}},
	{name: RoleManager, label: "中心管理人员", en: "manager", caps: []Cap{CapManage}},
}

// Label is what pages call role, in Chinese or (en) in English; an unknown role is shown as
// it is.
func Label(role string, en bool) string {
	r := row(role)
	switch {
	case r.name == "":
		return role
	case en:
		return r.en
	}
	return r.label
}

// Roles lists every role, in the order help texts show them.
var Roles = func() []string {
	out := make([]string, len(roleTable))
	for i, r := range roleTable {
		out[i] = r.name
	}
	return out
}()

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool { return slices.Contains(Roles, role) }

// Can reports whether role may do what c allows.
func Can(role string, c Cap) bool { return slices.Contains(row(role).caps, c) }

// row is role's row; an unknown role's is empty.
func row(role string) roleRow {
	i := slices.IndexFunc(roleTable, func(r roleRow) bool { return r.name == role })
	if i < 0 {
		return roleRow{}
	}
	return roleTable[i]
}

// RolesWith lists the roles other than admin that hold c, sorted: what the API document states
// as an operation's x-roles (admin may call any).
func RolesWith(c Cap) []string {
	var out []string
	for _, r := range roleTable {
		if r.name != RoleAdmin && slices.Contains(r.caps, c) {
			out = append(out, r.name)
		}
	}
	slices.Sort(out)
	return out
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

// StationFor is the station a call of p acts for, given the one the call names: a scanner's
// token bound to a station acts for that station alone, and ok is false when the call names
// another. A station's scanner files for its own station, so it can follow what it sent.
func (p Principal) StationFor(named string) (station string, ok bool) {
	if row(p.Role).bound != toStation || p.Station == "" {
		return named, true
	}
	return p.Station, named == "" || named == p.Station
}

// SeesStation reports whether p may see a batch of station: a scanner bound to a station
// sees only that station's batches.
func (p Principal) SeesStation(station string) bool {
	st, ok := p.StationFor(station)
	return ok && st == station
}

// OwnDepartment is the department p speaks for when its role sees its own department's cases
// and packages alone (ok true); the hall's roles see every department.
func (p Principal) OwnDepartment() (department string, ok bool) {
	if row(p.Role).bound != toDepartment {
		return "", false
	}
	return p.Department, true
}

// Desk is the desk a principal acts at, as case events record it: its station, else its role.
func (p Principal) Desk() string {
	if p.Station != "" {
		return p.Station
	}
	return p.Role
}

// SeesFullIDs is the one rule for personal data: whether p's role holds CapFullIDs.
func (p Principal) SeesFullIDs() bool { return Can(p.Role, CapFullIDs) }

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
