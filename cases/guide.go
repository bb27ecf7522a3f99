package cases

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// What a material is brought as (Material.OriginalOrCopy).
const (
	PaperOriginal = "original"
	PaperCopy     = "copy"
	PaperBoth     = "both"
)

func validOriginalOrCopy(s string) bool {
	return s == "" || s == PaperOriginal || s == PaperCopy || s == PaperBoth
}

// Guide is what a matter's public service guide (办事指南, DB22/T 2871.2 §6.1.3) says beyond
// the checklist and the time limit. Every field is optional, so a catalogue written before
// the guides existed stays valid; a guide without them says less.
type Guide struct {
	Conditions []string   `yaml:"conditions" json:"conditions,omitempty"`   // 受理条件, one a line
	LegalBasis []string   `yaml:"legal_basis" json:"legal_basis,omitempty"` // 设定依据
	Fees       string     `yaml:"fees" json:"fees,omitempty"`               // 收费标准; empty: no fee
	Place      string     `yaml:"place" json:"place,omitempty"`             // 办理地点; empty: the hall's
	Hours      string     `yaml:"hours" json:"hours,omitempty"`             // 办理时间; empty: the hall's
	Phone      string     `yaml:"phone" json:"phone,omitempty"`             // 咨询电话; empty: the hall's
	Forms      []FormLink `yaml:"forms" json:"forms,omitempty"`             // sample and blank forms
}

// FormLink is a sample or blank form the hall publishes beside a guide: a path on this
// installation's site or the hall's own (an intranet hall links nothing outside).
type FormLink struct {
	Name string `yaml:"name" json:"name"`
	Href string `yaml:"href" json:"href"`
}

// HallInfo is where and when the hall serves, for every guide that does not say otherwise.
type HallInfo struct {
	Name  string `yaml:"name" json:"name,omitempty"`
	Place string `yaml:"place" json:"place,omitempty"`
	Hours string `yaml:"hours" json:"hours,omitempty"`
	Phone string `yaml:"phone" json:"phone,omitempty"`
}

// DepartmentName is the catalogue's name for a department, or "" when it names none.
func (c *Catalogue) DepartmentName(id string) string { return c.DepartmentNames[id] }

// GuideFor is m's guide with the hall's place, hours and phone filling what m leaves empty.
func (c *Catalogue) GuideFor(m Matter) Guide {
	g := m.Guide
	g.Place = cmp.Or(g.Place, c.Hall.Place)
	g.Hours = cmp.Or(g.Hours, c.Hall.Hours)
	g.Phone = cmp.Or(g.Phone, c.Hall.Phone)
	return g
}

// validateGuides checks the guide fields of every matter and the catalogue's own.
func (c *Catalogue) validateGuides(doc *yaml.Node) error {
	bad := func(line int, format string, args ...any) error {
		return catalogueFile.Refuse(line, fmt.Sprintf(format, args...))
	}
	for _, id := range slices.Sorted(maps.Keys(c.DepartmentNames)) {
		switch {
		case !deptIDRe.MatchString(id):
			return bad(lineOf(doc, "department_names", id), "department_names: department id %q must be lower-case letters, digits and '-'", id)
		case strings.TrimSpace(c.DepartmentNames[id]) == "":
			return bad(lineOf(doc, "department_names", id), "department_names: %s has an empty name", id)
		}
	}
	for i, m := range c.Matters {
		at := func(path ...any) int { return lineOf(doc, append([]any{"matters", i}, path...)...) }
		for j, s := range m.Conditions {
			if strings.TrimSpace(s) == "" {
				return bad(at("conditions", j), "matter %s: condition %d is empty", m.Code, j+1)
			}
		}
		for j, s := range m.LegalBasis {
			if strings.TrimSpace(s) == "" {
				return bad(at("legal_basis", j), "matter %s: legal basis %d is empty", m.Code, j+1)
			}
		}
		for j, f := range m.Forms {
			switch {
			case strings.TrimSpace(f.Name) == "":
				return bad(at("forms", j), "matter %s: form %d has no name", m.Code, j+1)
			case !validHref(f.Href):
				return bad(at("forms", j, "href"), "matter %s: form %s: href must be a path on this site (/...) or an http(s) address, not %q", m.Code, f.Name, f.Href)
			}
		}
	}
	return nil
}

// validHref admits a site path or an http(s) address, never a script or data URL a guide
// page would otherwise render as a link.
func validHref(h string) bool {
	if strings.ContainsAny(h, " \t\r\n\"'<>") {
		return false
	}
	return strings.HasPrefix(h, "/") && !strings.HasPrefix(h, "//") ||
		strings.HasPrefix(h, "https://") || strings.HasPrefix(h, "http://")
}
