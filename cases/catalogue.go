// Package cases is the front desk's pure core: the matter catalogue, the working-day
// calendar, cases as a fold of their events with the transitions between states, the
// completeness check, and the courier desk's rules. It does no I/O: cases/casedesk and storage
// keep and serve what it computes.
package cases

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Applicant kinds a matter may be for.
const (
	KindPerson       = "person"
	KindOrganisation = "organisation"
)

// Material is one item of a matter's checklist.
type Material struct {
	Type       string `yaml:"type" json:"type"` // a document type of the taxonomy
	Name       string `yaml:"name" json:"name"`
	Count      int    `yaml:"count" json:"count"`
	Required   bool   `yaml:"required" json:"required"`
	Deferrable bool   `yaml:"deferrable" json:"deferrable"` // may be supplied later (容缺)
	DeferDays  int    `yaml:"defer_days" json:"defer_days,omitempty"`
	// OriginalOrCopy says what the applicant brings (guide.go): original, copy or both; empty
	// when the catalogue does not say.
	OriginalOrCopy string `yaml:"original_or_copy" json:"original_or_copy,omitempty"`
}

// Refusal is a reason a window may give for not accepting an application, with its legal basis.
type Refusal struct {
	Code       string `yaml:"code" json:"code"`
	Reason     string `yaml:"reason" json:"reason"`
	LegalBasis string `yaml:"legal_basis" json:"legal_basis"`
}

// Matter is one entry of the catalogue (事项).
type Matter struct {
	Code          string   `yaml:"code" json:"code"`
	Name          string   `yaml:"name" json:"name"`
	Applicant     string   `yaml:"applicant" json:"applicant,omitempty"` // person, organisation or empty for either
	Departments   []string `yaml:"departments" json:"departments"`
	TimeLimitDays int      `yaml:"time_limit_days" json:"time_limit_days"`
	// DepartmentDays gives a department of a joint matter its own time limit (working days
	// from acceptance, within the matter's); a department not named has the matter's.
	DepartmentDays map[string]int `yaml:"department_days" json:"department_days,omitempty"`
	Materials      []Material     `yaml:"materials" json:"materials"`
	Refusals       []Refusal      `yaml:"refusals" json:"refusals"`
	// Guide is what the public service guide shows besides the above (guide.go); optional.
	Guide `yaml:",inline"`
}

// Refusal returns the matter's refusal reason with the given code.
func (m Matter) Refusal(code string) (Refusal, bool) {
	for _, r := range m.Refusals {
		if r.Code == code {
			return r, true
		}
	}
	return Refusal{}, false
}

// Catalogue is a validated, read-only list of matters.
type Catalogue struct {
	Matters []Matter `yaml:"matters" json:"matters"`
	// DepartmentNames names departments for the public guides where no departments file
	// does; Hall gives every guide the hall's place, hours and phone (guide.go). Optional.
	DepartmentNames map[string]string `yaml:"department_names" json:"department_names,omitempty"`
	Hall            HallInfo          `yaml:"hall" json:"hall,omitzero"`
	byCode          map[string]int
}

//go:embed matters.yaml
var defaultMattersYAML []byte

// DefaultMattersYAML returns the bundled sample catalogue, a starting point for a hall's own.
func DefaultMattersYAML() []byte { return bytes.Clone(defaultMattersYAML) }

var defaultCatalogue = sync.OnceValues(func() (*Catalogue, error) {
	return LoadCatalogue(bytes.NewReader(defaultMattersYAML), nil)
})

// DefaultCatalogue returns the bundled sample catalogue. It is shared: do not modify it.
func DefaultCatalogue() *Catalogue {
	c, err := defaultCatalogue()
	if err != nil {
		panic("cases: embedded matters.yaml: " + err.Error())
	}
	return c
}

// Matter returns the matter with the given code.
func (c *Catalogue) Matter(code string) (Matter, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Matter{}, false
	}
	return c.Matters[i], true
}

var (
	matterCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	deptIDRe     = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)
	refusalRe    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// LoadCatalogue reads and validates a matter catalogue. knownType says whether a document type
// exists in the hall's taxonomy (nil accepts the default taxonomy's types). A file it refuses
// yields a *yamlfile.Error naming the line and the reason.
func LoadCatalogue(r io.Reader, knownType func(string) bool) (*Catalogue, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	var c Catalogue
	doc, err := catalogueFile.Decode(data, &c)
	if err != nil {
		return nil, err
	}
	if knownType == nil {
		knownType = defaultType
	}
	if err := c.validate(doc, knownType); err != nil {
		return nil, err
	}
	return &c, nil
}

// defaultTypes are the contract's default taxonomy types.
var defaultTypes = map[string]bool{
	"application_form": true, "id_card": true, "business_license": true, "power_of_attorney": true,
	"commitment_letter": true, "property_certificate": true, "household_register": true,
	"articles_of_association": true, "foreign_document": true, "other": true,
}

func defaultType(t string) bool { return defaultTypes[t] }

func (c *Catalogue) validate(doc *yaml.Node, knownType func(string) bool) error {
	bad := func(line int, format string, args ...any) error {
		return catalogueFile.Refuse(line, fmt.Sprintf(format, args...))
	}
	if len(c.Matters) == 0 {
		return bad(lineOf(doc, "matters"), "no matters")
	}
	if err := c.validateGuides(doc); err != nil {
		return err
	}
	c.byCode = make(map[string]int, len(c.Matters))
	for i := range c.Matters {
		m := &c.Matters[i]
		at := func(path ...any) int { return lineOf(doc, append([]any{"matters", i}, path...)...) }
		switch {
		case m.Code == "":
			return bad(at(), "matter without a code")
		case !matterCodeRe.MatchString(m.Code):
			return bad(at("code"), "matter code %q must be letters, digits, '.', '_' or '-'", m.Code)
		case m.Name == "":
			return bad(at(), "matter %s has no name", m.Code)
		case m.Applicant != "" && m.Applicant != KindPerson && m.Applicant != KindOrganisation:
			return bad(at("applicant"), "matter %s: applicant must be person or organisation, not %q", m.Code, m.Applicant)
		case len(m.Departments) == 0:
			return bad(at(), "matter %s names no department", m.Code)
		case m.TimeLimitDays < 0:
			return bad(at("time_limit_days"), "matter %s: time_limit_days must not be negative", m.Code)
		case len(m.Materials) == 0:
			return bad(at(), "matter %s lists no materials", m.Code)
		}
		if _, dup := c.byCode[m.Code]; dup {
			return bad(at("code"), "duplicate matter code %q", m.Code)
		}
		c.byCode[m.Code] = i
		for j, d := range m.Departments {
			if !deptIDRe.MatchString(d) {
				return bad(at("departments", j), "matter %s: department id %q must be lower-case letters, digits and '-'", m.Code, d)
			}
		}
		for _, d := range slices.Sorted(maps.Keys(m.DepartmentDays)) {
			days := m.DepartmentDays[d]
			switch {
			case !slices.Contains(m.Departments, d):
				return bad(at("department_days", d), "matter %s: department_days names %q, which is not one of its departments", m.Code, d)
			case days <= 0 || days > m.TimeLimitDays:
				return bad(at("department_days", d), "matter %s: %s's days must be from 1 to the matter's time_limit_days (%d), not %d", m.Code, d, m.TimeLimitDays, days)
			}
		}
		for j := range m.Materials {
			mt := &m.Materials[j]
			line := at("materials", j)
			switch {
			case mt.Type == "":
				return bad(line, "matter %s: material without a type", m.Code)
			case !knownType(mt.Type):
				return bad(line, "matter %s: unknown document type %q", m.Code, mt.Type)
			case mt.Name == "":
				return bad(line, "matter %s: material of type %s has no name", m.Code, mt.Type)
			case mt.Count < 0:
				return bad(line, "matter %s: material %s: count must be positive", m.Code, mt.Name)
			case mt.Deferrable && !mt.Required:
				return bad(line, "matter %s: material %s is deferrable but not required", m.Code, mt.Name)
			case mt.Deferrable && mt.DeferDays <= 0:
				return bad(line, "matter %s: deferrable material %s needs defer_days", m.Code, mt.Name)
			case !mt.Deferrable && mt.DeferDays != 0:
				return bad(line, "matter %s: material %s has defer_days but is not deferrable", m.Code, mt.Name)
			case !validOriginalOrCopy(mt.OriginalOrCopy):
				return bad(at("materials", j, "original_or_copy"), "matter %s: material %s: original_or_copy must be original, copy or both, not %q", m.Code, mt.Name, mt.OriginalOrCopy)
			}
			if mt.Count == 0 {
				mt.Count = 1
			}
		}
		seen := map[string]bool{}
		for j, r := range m.Refusals {
			line := at("refusals", j)
			switch {
			case !refusalRe.MatchString(r.Code):
				return bad(line, "matter %s: refusal code %q must be snake_case", m.Code, r.Code)
			case seen[r.Code]:
				return bad(line, "matter %s: duplicate refusal code %q", m.Code, r.Code)
			case r.Reason == "":
				return bad(line, "matter %s: refusal %s has no reason", m.Code, r.Code)
			case r.LegalBasis == "":
				return bad(line, "matter %s: refusal %s has no legal basis", m.Code, r.Code)
			}
			seen[r.Code] = true
		}
	}
	return nil
}
