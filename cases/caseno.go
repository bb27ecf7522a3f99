package cases

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"onewindow/internal/errs"
)

// DefaultCaseNoPattern numbers cases by day: 20260301-00042.
const DefaultCaseNoPattern = "{yyyy}{mm}{dd}-{seq:05}"

var caseNoRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ValidCaseNo reports whether s can be a case number: letters, digits, '-' and '_', up to 64,
// so that it is safe in object keys, Redis keys and URLs.
func ValidCaseNo(s string) bool { return caseNoRe.MatchString(s) }

var placeholderRe = regexp.MustCompile(`\{([a-z]+)(?::0?([0-9]+))?\}`)

// FormatCaseNo expands a hall's case-number pattern: {yyyy}, {yy}, {mm}, {dd} from now (in
// now's location) and {seq} or {seq:05} (zero-padded to 5) from seq; other characters are
// copied, so a hall prefix is written into the pattern ("JL{yyyy}-{seq:06}"). A pattern with
// an unknown placeholder, without {seq}, or giving an invalid case number is refused.
func FormatCaseNo(pattern string, now time.Time, seq int64) (string, error) {
	const op = "cases.FormatCaseNo"
	if seq < 0 {
		return "", errs.Errorf(op, errs.Invalid, "bad_case_no_pattern", "Case sequence %d is negative.", seq)
	}
	var bad string
	hasSeq := false
	out := placeholderRe.ReplaceAllStringFunc(pattern, func(ph string) string {
		m := placeholderRe.FindStringSubmatch(ph)
		name, width := m[1], m[2]
		if width != "" && name != "seq" {
			bad = ph
			return ph
		}
		switch name {
		case "yyyy":
			return fmt.Sprintf("%04d", now.Year())
		case "yy":
			return fmt.Sprintf("%02d", now.Year()%100)
		case "mm":
			return fmt.Sprintf("%02d", int(now.Month()))
		case "dd":
			return fmt.Sprintf("%02d", now.Day())
		case "seq":
			hasSeq = true
			w, _ := strconv.Atoi(width)
			if w > 12 {
				bad = ph
				return ph
			}
			return fmt.Sprintf("%0*d", w, seq)
		}
		bad = ph
		return ph
	})
	switch {
	case bad != "":
		return "", errs.Errorf(op, errs.Invalid, "bad_case_no_pattern", "Case-number pattern %q has an unknown placeholder %s.", pattern, bad)
	case !hasSeq:
		return "", errs.Errorf(op, errs.Invalid, "bad_case_no_pattern", "Case-number pattern %q has no {seq}.", pattern)
	case strings.ContainsAny(out, "{}") || !ValidCaseNo(out):
		return "", errs.Errorf(op, errs.Invalid, "bad_case_no_pattern", "Case-number pattern %q gives %q, which is not letters, digits, '-' and '_'.", pattern, out)
	}
	return out, nil
}
