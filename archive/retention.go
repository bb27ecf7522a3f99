package archive

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"onewindow/storage"
)

// RetentionRule is how long, and under which object-lock mode, a filed document is kept.
type RetentionRule struct {
	Years int
	Mode  string // GOVERNANCE or COMPLIANCE
}

// Lock is the object lock of what is filed at from under r; a rule of no years locks nothing.
// "from + N years" is counted here and nowhere else.
func (r RetentionRule) Lock(from time.Time) storage.Lock {
	if r.Years <= 0 {
		return storage.Lock{}
	}
	return storage.Lock{Mode: r.Mode, Until: from.UTC().AddDate(r.Years, 0, 0)}
}

// RetentionPolicy is the hall's retention schedule: a default, and rules per document type and
// per matter (申请事项). Where a type rule and a matter rule both apply, the stricter wins: the
// longer period, and COMPLIANCE over GOVERNANCE.
type RetentionPolicy struct {
	Default  RetentionRule
	ByType   map[string]RetentionRule
	ByMatter map[string]RetentionRule
}

// NewRetentionPolicy reads the rules "key=years[:MODE],key=years[:MODE]" of types and of
// matters, e.g. "id_card=10,business_license=30:COMPLIANCE" and "企业设立登记=30".
func NewRetentionPolicy(def RetentionRule, byType, byMatter string) (RetentionPolicy, error) {
	p := RetentionPolicy{Default: def}
	var err error
	if p.ByType, err = parseRetentionRules(byType, def.Mode); err != nil {
		return p, fmt.Errorf("retention by type: %w", err)
	}
	if p.ByMatter, err = parseRetentionRules(byMatter, def.Mode); err != nil {
		return p, fmt.Errorf("retention by matter: %w", err)
	}
	return p, nil
}

func parseRetentionRules(s, defMode string) (map[string]RetentionRule, error) {
	rules := map[string]RetentionRule{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		years, mode, hasMode := strings.Cut(strings.TrimSpace(value), ":")
		n, err := strconv.Atoi(strings.TrimSpace(years))
		mode = strings.ToUpper(strings.TrimSpace(mode))
		if !hasMode {
			mode = defMode
		}
		if !ok || strings.TrimSpace(key) == "" || err != nil || n < 1 || n > 200 ||
			(mode != "GOVERNANCE" && mode != "COMPLIANCE") {
			return nil, fmt.Errorf("%q is not key=years (1 to 200), optionally :GOVERNANCE or :COMPLIANCE", part)
		}
		rules[strings.TrimSpace(key)] = RetentionRule{Years: n, Mode: mode}
	}
	return rules, nil
}

// For is the rule of a document of docType filed for matter.
func (p RetentionPolicy) For(docType, matter string) RetentionRule {
	t, byType := p.ByType[docType]
	m, byMatter := p.ByMatter[matter]
	switch {
	case byType && byMatter:
		r := t
		r.Years = max(t.Years, m.Years)
		if m.Mode == "COMPLIANCE" {
			r.Mode = "COMPLIANCE"
		}
		return r
	case byType:
		return t
	case byMatter:
		return m
	}
	return p.Default
}

// Until is the object lock of what is filed at now for a document of docType in a case for
// matter: everything the hall files write-once (documents, originals, notes, events, notices,
// ratings, audit entries) asks here. What is not a document passes "" for both and is kept
// for the default period. A policy without rules locks nothing (a zero Lock).
func (p RetentionPolicy) Until(docType, matter string, now time.Time) storage.Lock {
	return p.For(docType, matter).Lock(now)
}
