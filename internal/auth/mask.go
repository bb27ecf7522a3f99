package auth

import (
	"regexp"
	"strings"

	"onewindow/internal/fields"
)

// idNumber is an 18-character resident ID number (GB 11643): region, a possible birth date,
// sequence, check character. isolated() rejects matches inside a longer run of digits.
var idNumber = regexp.MustCompile(`\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]`)

// mobile is a mainland mobile number.
var mobile = regexp.MustCompile(`1[3-9]\d{9}`)

// MaskID keeps the region prefix and the last four characters of an ID number:
// 220102********2247.
func MaskID(id string) string {
	if len(id) < 10 {
		return "****"
	}
	b := []byte(id)
	for i := 6; i < len(b)-4; i++ {
		b[i] = '*'
	}
	return string(b)
}

// MaskPhone keeps the first three and last four digits of a phone number: 138****5678.
func MaskPhone(phone string) string {
	digits := 0
	for _, c := range phone {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	if digits < 8 {
		return strings.Repeat("*", len(phone))
	}
	b := []byte(phone)
	seen := 0
	for i, c := range b {
		if c < '0' || c > '9' {
			continue
		}
		if seen >= 3 && seen < digits-4 {
			b[i] = '*'
		}
		seen++
	}
	return string(b)
}

// MaskIDs masks every resident ID number in text, and any number the extractor named in
// known (which may be shaped unusually, e.g. after OCR repair).
func MaskIDs(text string, known ...string) string {
	for _, id := range known {
		if len(id) >= 10 {
			text = strings.ReplaceAll(text, id, MaskID(id))
		}
	}
	return replaceIsolated(idNumber, text, MaskID)
}

// MaskPersonal masks resident ID numbers and mobile numbers in text.
func MaskPersonal(text string) string {
	return replaceIsolated(mobile, MaskIDs(text), MaskPhone)
}

// MaskFields masks the personal values of a document's extracted fields, each as the fields
// table says (candidates' fields like their field's).
func MaskFields(f map[string][]string) map[string][]string {
	out := make(map[string][]string, len(f))
	for k, vs := range f {
		field, _ := fields.Lookup(k)
		mask := maskOf(field.Mask)
		if mask == nil {
			out[k] = vs
			continue
		}
		masked := make([]string, len(vs))
		for i, v := range vs {
			masked[i] = mask(v)
		}
		out[k] = masked
	}
	return out
}

// maskOf is how values of a field masked m are masked; nil: they are not.
func maskOf(m fields.Mask) func(string) string {
	switch m {
	case fields.IDNumber:
		return MaskID
	case fields.Phone:
		return MaskPhone
	}
	return nil
}

// replaceIsolated replaces the matches of re that do not sit inside a longer run of digits.
func replaceIsolated(re *regexp.Regexp, text string, mask func(string) string) string {
	locs := re.FindAllStringIndex(text, -1)
	if locs == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if (l[0] > 0 && isDigit(text[l[0]-1])) || (l[1] < len(text) && isDigit(text[l[1]])) {
			continue
		}
		b.WriteString(text[last:l[0]])
		b.WriteString(mask(text[l[0]:l[1]]))
		last = l[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
