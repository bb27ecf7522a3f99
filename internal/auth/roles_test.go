package auth

import (
	"slices"
	"testing"
)

// Every row of the role table names known capabilities once, admin holds every one, and no
// capability is left to admin alone by accident (administer is admin's on purpose).
func TestRoleTable(t *testing.T) {
	held := map[Cap]bool{}
	for _, r := range roleTable {
		if r.label == "" || r.en == "" || Label(r.name, false) != r.label || Label(r.name, true) != r.en {
			t.Errorf("role %s: no name in Chinese or English", r.name)
		}
		for i, c := range r.caps {
			if !slices.Contains(Caps, c) {
				t.Errorf("role %s: capability %q is not in Caps", r.name, c)
			}
			if slices.Contains(r.caps[:i], c) {
				t.Errorf("role %s: capability %q twice", r.name, c)
			}
			if r.name != RoleAdmin {
				held[c] = true
			}
		}
	}
	for _, c := range Caps {
		if !Can(RoleAdmin, c) {
			t.Errorf("admin lacks %q", c)
		}
		if !held[c] && c != CapAdminister {
			t.Errorf("capability %q is admin's alone", c)
		}
	}
	if len(Roles) != len(roleTable) || !ValidRole(RoleManager) || ValidRole("janitor") || Label("janitor", false) != "janitor" {
		t.Errorf("Roles = %v", Roles)
	}
}

func TestCan(t *testing.T) {
	tests := []struct {
		role string
		c    Cap
		want bool
	}{
		{RoleAdmin, CapAdminister, true},
		{RoleArchivist, CapAdminister, false},
		{RoleScanner, CapUpload, true},
		{RoleScanner, CapReview, true}, // the README's scan station fixes a type
		{RoleViewer, CapReadDocuments, true},
		{RoleViewer, CapSeePages, false},
		{RoleWindow, CapCaseWindow, true},
		{RoleCourier, CapCaseWindow, false},
		{RoleManager, CapManage, true},
		{"", CapCaseRead, false},
		{"janitor", CapCaseRead, false},
	}
	for _, tt := range tests {
		if got := Can(tt.role, tt.c); got != tt.want {
			t.Errorf("Can(%q, %q) = %v, want %v", tt.role, tt.c, got, tt.want)
		}
	}
	if got := RolesWith(CapCaseMove); !slices.Equal(got, []string{RoleDepartment, RoleWindow}) {
		t.Errorf("RolesWith(case_move) = %v", got)
	}
}

func TestStationBinding(t *testing.T) {
	bound := Principal{Name: "s3", Role: RoleScanner, Station: "room-3"}
	free := Principal{Name: "w", Role: RoleWindow, Station: "window-2"}
	tests := []struct {
		p            Principal
		named, want  string
		ok, seesSame bool
	}{
		{bound, "", "room-3", true, false},
		{bound, "room-3", "room-3", true, true},
		{bound, "room-4", "room-3", false, false},
		{free, "room-4", "room-4", true, true},
		{free, "", "", true, true},
	}
	for _, tt := range tests {
		got, ok := tt.p.StationFor(tt.named)
		if got != tt.want || ok != tt.ok || tt.p.SeesStation(tt.named) != tt.seesSame {
			t.Errorf("%s for %q: %q %v, sees %v", tt.p.Name, tt.named, got, ok, tt.p.SeesStation(tt.named))
		}
	}
	if bound.Desk() != "room-3" || (Principal{Role: RoleCourier}).Desk() != RoleCourier {
		t.Error("Desk is the station, else the role")
	}
}

func TestOwnDepartment(t *testing.T) {
	if d, own := (Principal{Role: RoleDepartment, Department: "tax"}).OwnDepartment(); !own || d != "tax" {
		t.Errorf("a department's token speaks for its own: %q %v", d, own)
	}
	if _, own := (Principal{Role: RoleWindow, Department: "tax"}).OwnDepartment(); own {
		t.Error("the window sees every department")
	}
}
