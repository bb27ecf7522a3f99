package split

import (
	"regexp"
	"strings"
)

// continues reports whether text runs on from prev: prev's last line breaks off after a comma,
// an enumeration mark, a colon or an opening bracket, in the middle of a sentence.
func continues(prev, text string) bool {
	if prev == "" || text == "" {
		return false
	}
	last := ""
	for _, l := range strings.Split(prev, "\n") {
		if t := squeeze(l); t != "" {
			last = t
		}
	}
	r := []rune(last)
	return len(r) >= 4 && strings.ContainsRune("，,、；;（(—", r[len(r)-1])
}

// codeRe finds what may be an ID number or a credit code: 18 letters and digits, with a digit.
var codeRe = regexp.MustCompile(`[0-9A-Z]{18}`)

// codesOf adds to into (a new set when nil) the codes of text (codeRe, spaces ignored).
func codesOf(text string, into map[string]bool) map[string]bool {
	if into == nil {
		into = map[string]bool{}
	}
	for _, l := range strings.Split(text, "\n") {
		for _, c := range codeRe.FindAllString(strings.ToUpper(squeeze(l)), -1) {
			if strings.ContainsAny(c, "0123456789") {
				into[c] = true
			}
		}
	}
	return into
}

// sharedCode reports whether text holds one of codes.
func sharedCode(codes map[string]bool, text string) bool {
	for c := range codesOf(text, nil) {
		if codes[c] {
			return true
		}
	}
	return false
}
