package classify

import (
	"strings"
	"unicode"
)

// normalize prepares text for matching: whitespace removed (OCR puts spaces between Chinese
// characters), full-width ASCII folded, Latin lower-cased.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// fuzzyWeight is the share of a keyword's weight earned by a reading with one wrong character.
const fuzzyWeight = 0.6

// matchQuality is 1 when kw occurs in text, fuzzyWeight when it occurs with one character
// misread or dropped (keywords of four or more characters only, shorter ones would match too much), else 0.
func matchQuality(text []rune, textStr, kw string) float64 {
	if strings.Contains(textStr, kw) {
		return 1
	}
	k := []rune(kw)
	if len(k) < 4 {
		return 0
	}
	for i := 0; i+len(k) <= len(text); i++ {
		miss := 0
		for j := range k {
			if text[i+j] != k[j] {
				miss++
				if miss > 1 {
					break
				}
			}
		}
		if miss <= 1 {
			return fuzzyWeight
		}
	}
	// One character dropped, in keywords long enough to stay distinctive.
	for j := range k {
		if len(k) < 5 {
			break
		}
		if strings.Contains(textStr, string(k[:j])+string(k[j+1:])) {
			return fuzzyWeight
		}
	}
	return 0
}

// titleLines returns the first n lines, normalised, that hold at least two letters: scanner
// edges and punch holes leave one-character lines of noise above real titles.
func titleLines(text string, n int) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if len(out) == n {
			break
		}
		l := normalize(line)
		letters := 0
		for _, r := range l {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters >= 2 {
			out = append(out, l)
		}
	}
	return out
}

// latinRatio is the share of Latin letters among Latin and Chinese letters, and how many such
// letters there are.
func latinRatio(norm string) (ratio float64, letters int) {
	latin, han, digits := 0, 0, 0
	for _, r := range norm {
		switch {
		case r >= 'a' && r <= 'z':
			latin++
		case r >= '0' && r <= '9':
			digits++
		case unicode.Is(unicode.Han, r):
			han++
		}
	}
	// Plenty of glyphs and not one Chinese character: the page is in a script or font that
	// Chinese OCR cannot read (it turns such glyphs into 0, o and O), so not in Chinese.
	if han == 0 && latin+digits >= minUnreadableGlyphs {
		return 1, latin + digits
	}
	if latin+han == 0 {
		return 0, 0
	}
	return float64(latin) / float64(latin+han), latin + han
}

// minUnreadableGlyphs is how many Latin letters and digits a page without any Chinese must
// show to count as written in another script.
const minUnreadableGlyphs = 100

// minScriptLetters keeps a few stray Latin letters on a near-empty page from looking foreign.
const minScriptLetters = 20

// Scores returns each type's rule score for text, in taxonomy order. `other` scores MinScore,
// the bar the other types must clear.
func (t *Taxonomy) Scores(text string) []float64 {
	norm := normalize(text)
	runes := []rune(norm)
	heads := titleLines(text, t.TitleLines)
	ratio, letters := latinRatio(norm)
	scores := make([]float64, len(t.Types))
	for i := range t.Types {
		ty := &t.Types[i]
		if ty.Name == Other {
			scores[i] = t.MinScore
			continue
		}
		s := 0.0
		title := 0.0
		for _, h := range heads {
			hr := []rune(h)
			for _, k := range ty.titles {
				if q := matchQuality(hr, h, k); q > 0 {
					title = max(title, ty.TitleWeight*q)
				}
			}
		}
		if title == 0 {
			for _, k := range ty.titles {
				if strings.Contains(norm, k) {
					title = titleBodyWeight
					break
				}
			}
		}
		s += title
		for _, k := range ty.keywords {
			s += k.Weight * matchQuality(runes, norm, k.Text)
		}
		for _, p := range ty.Patterns {
			if n := len(p.re.FindAllStringIndex(norm, p.MaxCount)); n > 0 {
				s += p.Weight * float64(n)
			}
		}
		if sr := ty.LatinScript; sr != nil && letters >= minScriptLetters && ratio >= sr.MinRatio {
			s += sr.Weight
		}
		scores[i] = s
	}
	return scores
}
