package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Who applies and for what. An archivist looks a case up by the applicant's name and by the
// matter (申请事项) years later, and the scan station rarely types either in. The forms say
// both, in labelled lines ("申请人（单位）名称：…", "申请事项：…") or in set phrases
// ("本单位…申请办理…，", "代为办理…相关事宜"). OCR joins lines printed apart, drops spaces and
// misreads brackets and colons, so a value ends at the next label it runs into as well as at
// punctuation.

// applicantLabels name the applicant, most specific first. Each must open its line.
var applicantLabels = []string{
	"申请人（单位）名称", "申请人（单位）", "申请人名称", "申请人姓名", "申请单位名称", "申请单位", "申请企业",
	"申请人", "企业名称", "单位名称", "名称", "委托人", "权利人", "户主姓名", "姓名", "Applicant", "Company name", "Name",
}

// matterLabels name the matter applied for.
var matterLabels = []string{"申请事项", "办理事项", "事项名称", "申办事项", "Matter"}

// stopLabels end a value OCR ran into the next field.
var stopLabels = []string{
	"统一社会信用代码", "公民身份号码", "身份证号码", "身份证号", "身份证件", "联系电话", "电话", "手机", "申请日期",
	"日期", "性别", "民族", "出生", "住所", "住址", "法定代表人", "与户主关系", "受理编号", "经办", "签字", "盖章",
}

// titleEndings end the titles of forms and certificates.
var titleEndings = []string{"申请书", "申请表", "登记表", "登记书", "承诺书", "委托书", "通知书", "决定书", "证明", "证书", "申请", "登记"}

// applicantPhrase and matterPhrases are the set phrases of letters that name no field.
var (
	applicantPhrase = regexp.MustCompile(`本(?:人|单位)(?:[/／、]本(?:人|单位))?\s*[:：]?\s*(\S{2,40}?)\s*申请办理`)
	matterPhrases   = []*regexp.Regexp{
		regexp.MustCompile(`申请办理\s*(\S{2,30}?)\s*(?:[，,。：]|$)`),
		regexp.MustCompile(`代为办理\s*(\S{2,30}?)\s*(?:相关事宜|事宜|等事项|[，,。])`),
		regexp.MustCompile(`仅供办理\s*(\S{2,30}?)\s*使用`),
		regexp.MustCompile(`(?i)submitted for\s+([A-Za-z][A-Za-z ,'-]{3,80}?)\s*\.`),
	}
)

// Applicant is the applicant a document's text names, or "".
func Applicant(text string) string {
	for _, line := range partyLines(text) {
		if m := applicantPhrase.FindStringSubmatch(line); m != nil {
			if v := cleanValue(m[1]); plausibleName(v) {
				return v
			}
		}
	}
	return labelledValue(text, applicantLabels, plausibleName)
}

// Matter is the matter (申请事项) a document's text names, or "".
func Matter(text string) string {
	if v := labelledValue(text, matterLabels, plausibleMatter); v != "" {
		return v
	}
	for _, line := range partyLines(text) {
		for _, re := range matterPhrases {
			if m := re.FindStringSubmatch(line); m != nil {
				if v := cleanValue(m[1]); plausibleMatter(v) {
					return v
				}
			}
		}
	}
	return ""
}

// labelledValue finds the first line that opens with one of labels (in the labels' order of
// preference) and returns what follows it, if ok accepts it.
func labelledValue(text string, labels []string, ok func(string) bool) string {
	lines := partyLines(text)
	for _, label := range labels {
		for _, line := range lines {
			rest, found := cutLabel(line, label)
			if !found {
				continue
			}
			if v := cleanValue(rest); ok(v) {
				return v
			}
		}
	}
	return ""
}

// cutLabel reports whether line opens with label followed by a separator (colon or space; a
// bracketed qualifier such as （单位） may come between; a Chinese label may also run straight
// into its value), and returns what follows. Spaces and
// brackets OCR put into or dropped from the label are passed over: "申请人单位）名称" matches
// "申请人（单位）名称".
func cutLabel(line, label string) (string, bool) {
	want := []rune(strings.NewReplacer("（", "", "）", "", " ", "").Replace(label))
	j := 0
	i := 0
	for i < len(line) && j < len(want) {
		c, size := utf8.DecodeRuneInString(line[i:])
		switch {
		case unicode.ToLower(c) == unicode.ToLower(want[j]):
			j++
		case c == ' ' || c == '（' || c == '）':
		default:
			return "", false
		}
		i += size
	}
	if j < len(want) {
		return "", false
	}
	rest := line[i:]
	if strings.HasPrefix(rest, "（") {
		if k := strings.Index(rest, "）"); k > 0 && k < 20 {
			rest = rest[k+len("）"):]
		}
	}
	rest = strings.TrimPrefix(rest, "）")
	trimmed := strings.TrimLeft(rest, " \t")
	switch {
	case strings.HasPrefix(trimmed, "："):
		return strings.TrimLeft(strings.TrimPrefix(trimmed, "："), " \t"), true
	case isLatin(label): // "Name of the director: …" is not a name: English labels take a colon
		return "", false
	case len(trimmed) < len(rest): // a space after the label, as on cards and licences
		return trimmed, true
	}
	return rest, true // OCR often drops the space: "名称长春宏达食品有限公司"
}

// partyLines are the text's lines with OCR's noise at their start removed and brackets and
// colons made full-width.
func partyLines(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.NewReplacer("(", "（", ")", "）", "《", "（", "〈", "（", "〔", "（", "【", "（",
			"】", "）", "〕", "）", "〉", "）", "》", "）", "；", "：", ";", "：", ":", "：").Replace(line)
		line = strings.TrimSpace(line)
		line = strings.TrimLeftFunc(line, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '（'
		})
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// joinCJK drops single spaces between two Chinese characters; wider gaps, which separate
// fields printed on one line, stay.
func joinCJK(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if c == ' ' && i > 0 && i+1 < len(r) && unicode.Is(unicode.Han, r[i-1]) && unicode.Is(unicode.Han, r[i+1]) {
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// cleanValue cuts a value at a field gap, punctuation or the next label, and trims it.
func cleanValue(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.Index(v, "  "); i >= 0 {
		v = v[:i]
	}
	if i := strings.Index(v, "\t"); i >= 0 {
		v = v[:i]
	}
	if i := strings.IndexAny(v, "，。；：,;、“”\"'|_"); i >= 0 {
		v = v[:i]
	}
	for _, stop := range stopLabels {
		if i := strings.Index(v, stop); i > 0 {
			v = v[:i]
		}
	}
	v = strings.TrimFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '）' })
	return joinCJK(v)
}

// plausibleName accepts a person's or a unit's name: two to forty characters, letters only
// apart from brackets, spaces, dots and hyphens, and not a label or a blank to fill in.
func plausibleName(v string) bool {
	r := []rune(v)
	if len(r) < 2 || len(r) > 40 {
		return false
	}
	letters := 0
	for _, c := range r {
		switch {
		case unicode.IsLetter(c):
			letters++
		case c == '（' || c == '）' || c == ' ' || c == '·' || c == '.' || c == '-' || c == '&':
		default:
			return false
		}
	}
	if letters < 2 {
		return false
	}
	// A title such as "企业名称变更登记申请书" opens with a label but names a form, not a party.
	for _, suffix := range titleEndings {
		if strings.HasSuffix(v, suffix) {
			return false
		}
	}
	for _, l := range append(append([]string{}, applicantLabels...), stopLabels...) {
		if v == l {
			return false
		}
	}
	return true
}

// plausibleMatter accepts a matter's name: two to forty characters, mostly letters.
func plausibleMatter(v string) bool {
	r := []rune(v)
	if len(r) < 2 || len(r) > 80 {
		return false
	}
	letters := 0
	for _, c := range r {
		if unicode.IsLetter(c) {
			letters++
		}
	}
	return letters*4 >= len(r)*3
}

func isLatin(s string) bool {
	for _, c := range s {
		if c > unicode.MaxASCII {
			return false
		}
	}
	return true
}
