package extract

import (
	"strings"
	"time"
)

// idWeights are the GB 11643 weights of the first 17 digits of a resident ID number.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// provinceCodes are the GB/T 2260 first-level divisions an ID number or credit code can start with.
var provinceCodes = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// validDivision is a coarse GB/T 2260 check of a 6-digit division code: a known province and
// a prefecture number that exists somewhere (01..43, or 90 for counties under the province);
// Taiwan, Hong Kong and Macao codes (used in residence permits) have prefecture 00. It rejects
// most digit misreads in the first six places, which the check character alone lets through
// one time in eleven.
func validDivision(code string) bool {
	if !provinceCodes[code[:2]] {
		return false
	}
	pref := code[2:4]
	switch code[0] {
	case '7', '8':
		return pref == "00"
	}
	if pref == "90" {
		return true
	}
	return pref >= "01" && pref <= "43"
}

// now is replaced in tests so birth-date checks do not depend on the clock.
var now = time.Now

// ValidIDNumber reports whether s is an 18-character resident ID number (GB 11643) with a
// correct check character, a known province code and a birth date between 1900 and today.
func ValidIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * idWeights[i]
	}
	if s[17] != idCheckChars[sum%11] {
		return false
	}
	if !validDivision(s[:6]) {
		return false
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(now()) {
		return false
	}
	return true
}

const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccOrgTypes lists, for each registration management department code (first character),
// the organisation type codes (second character) GB 32100 allows.
var usccOrgTypes = map[byte]string{
	'1': "1239", // institutional establishment (机构编制)
	'2': "19",   // foreign affairs
	'3': "123459",
	'4': "19",
	'5': "1239", // civil affairs
	'6': "129",
	'7': "129",
	'8': "19",
	'9': "123", // market regulation (工商)
	'A': "19",
	'N': "12349",
	'Y': "1",
}

var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// ValidUSCC reports whether s is an 18-character unified social credit code (GB 32100) with a
// valid department and type code, a numeric division code, an embedded organisation code
// (GB 11714) whose own check character is right, and a right final check character.
func ValidUSCC(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, s[i])
		if v < 0 {
			return false
		}
		sum += v * usccWeights[i]
	}
	if s[17] != usccChars[(31-sum%31)%31] {
		return false
	}
	types, ok := usccOrgTypes[s[0]]
	if !ok || strings.IndexByte(types, s[1]) < 0 {
		return false
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if !validDivision(s[2:8]) && s[2:8] != "100000" { // 100000 marks national-level registrations
		return false
	}
	return validOrgCode(s[8:17])
}

// validOrgCode checks a 9-character GB 11714 organisation code.
func validOrgCode(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := s[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return false
		}
		sum += v * orgWeights[i]
	}
	var want byte
	switch c := 11 - sum%11; c {
	case 10:
		want = 'X'
	case 11:
		want = '0'
	default:
		want = byte('0' + c)
	}
	return s[8] == want
}
