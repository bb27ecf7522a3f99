package archive

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The archival code (档号) of a filed document follows the hall's pattern. The default takes
// the shape DA/T 22 gives filed items, fonds-category·year-retention-series-item
// ("OW-ZW·2026-D30-JL2026000123-0001"); a hall sets its own with --archival-code-pattern.

// DefaultArchivalCodePattern is the pattern used when the hall sets none.
const DefaultArchivalCodePattern = "{fonds}-ZW·{year}-{retention}-{case}-{seq}"

// ArchivalCodeFields are what a pattern can name.
type ArchivalCodeFields struct {
	Fonds          string // 全宗号, --fonds-code
	FiledAt        time.Time
	RetentionYears int
	CaseNo         string
	BatchID        string
	Type           string
	// Seq is the document's number among the codes that share the rest of its code, from 1;
	// AssignArchivalCode takes the next one free in the archive.
	Seq      int
	Revision int // the reviewer's correction that filed it; 0 for the first assembly
}

var archivalTokens = regexp.MustCompile(`\{[a-z_]+\}`)

// archivalToken gives each token its value.
var archivalToken = map[string]func(f ArchivalCodeFields) string{
	"{fonds}": func(f ArchivalCodeFields) string { return f.Fonds },
	"{year}":  func(f ArchivalCodeFields) string { return strconv.Itoa(f.FiledAt.Year()) },
	// 保管期限: Y (永久) from a hundred years up, else D and the years.
	"{retention}": func(f ArchivalCodeFields) string {
		if f.RetentionYears >= 100 {
			return "Y"
		}
		return "D" + strconv.Itoa(f.RetentionYears)
	},
	"{case}": func(f ArchivalCodeFields) string {
		if f.CaseNo != "" {
			return f.CaseNo
		}
		return f.BatchID
	},
	"{batch}": func(f ArchivalCodeFields) string { return f.BatchID },
	"{type}":  func(f ArchivalCodeFields) string { return f.Type },
	"{seq}":   func(f ArchivalCodeFields) string { return fmt.Sprintf("%04d", f.Seq) },
}

// CheckArchivalCodePattern refuses a pattern with a token it does not know or without {seq},
// which keeps the codes of one case's documents apart.
func CheckArchivalCodePattern(pattern string) error {
	for _, tok := range archivalTokens.FindAllString(pattern, -1) {
		if archivalToken[tok] == nil {
			return fmt.Errorf("archival code pattern %q: unknown %s (known: {fonds} {year} {retention} {case} {batch} {type} {seq})", pattern, tok)
		}
	}
	if !strings.Contains(pattern, "{seq}") {
		return fmt.Errorf("archival code pattern %q has no {seq}: the documents of a case would share a code", pattern)
	}
	return nil
}

// ArchivalCode fills pattern in. A document a reviewer's correction filed gets "-R" and the
// correction's number after it, so that it never takes the code of the one it supersedes.
func ArchivalCode(pattern string, f ArchivalCodeFields) string {
	if pattern == "" {
		return ""
	}
	return fillCode(pattern, f, fmt.Sprintf("%04d", f.Seq)) + revisionSuffix(f.Revision)
}

// fillCode fills pattern in with seq written as given.
func fillCode(pattern string, f ArchivalCodeFields, seq string) string {
	return archivalTokens.ReplaceAllStringFunc(pattern, func(tok string) string {
		if tok == "{seq}" {
			return seq
		}
		if fill := archivalToken[tok]; fill != nil {
			return fill(f)
		}
		return tok
	})
}

func revisionSuffix(rev int) string {
	if rev > 0 {
		return "-R" + strconv.Itoa(rev)
	}
	return ""
}
