package archive

import (
	"fmt"
	"strconv"
	"strings"
)

// RetentionPolicy is the retention period, in years, of each document type; types it does not
// name get Default. Parsed from "id_card=10,business_license=30".
type RetentionPolicy struct {
	Default int
	ByType  map[string]int
}

// ParseRetentionPolicy reads "type=years,type=years"; def is the period of other types.
func ParseRetentionPolicy(s string, def int) (RetentionPolicy, error) {
	p := RetentionPolicy{Default: def, ByType: map[string]int{}}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		typ, years, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(years))
		if !ok || strings.TrimSpace(typ) == "" || err != nil || n < 1 || n > 200 {
			return p, fmt.Errorf("retention by type: %q is not type=years (1 to 200)", part)
		}
		p.ByType[strings.TrimSpace(typ)] = n
	}
	return p, nil
}

// Years is the retention period of docType.
func (p RetentionPolicy) Years(docType string) int {
	if n, ok := p.ByType[docType]; ok {
		return n
	}
	return p.Default
}
