// Package classify tells which kind of document an OCR text is: rules from an editable
// taxonomy file (titles, keywords, patterns, script) combined with a character n-gram model
// learned from documents whose type staff confirmed.
package classify

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"onewindow/internal/yamlfile"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// Other is the type given when no type of the taxonomy matches; every taxonomy has it.
const Other = "other"

// ErrInvalidTaxonomy is wrapped by every error Load returns for a file it refuses.
var ErrInvalidTaxonomy = errors.New("invalid taxonomy")

// taxonomyFile names a taxonomy file's refusals (*yamlfile.Error).
var taxonomyFile = yamlfile.File{Name: "taxonomy", Kind: ErrInvalidTaxonomy}

// refuse is taxonomyFile.Refuse.
var refuse = taxonomyFile.Refuse

// Keyword is a word of a type's vocabulary.
type Keyword struct {
	Text   string  `yaml:"text"`
	Weight float64 `yaml:"weight"`
}

// Pattern is a regular expression over the normalised text.
type Pattern struct {
	Regex    string  `yaml:"regex"`
	Weight   float64 `yaml:"weight"`
	MaxCount int     `yaml:"max_count"`

	re *regexp.Regexp
}

// ScriptRule scores texts written mostly in Latin letters.
type ScriptRule struct {
	MinRatio float64 `yaml:"min_ratio"`
	Weight   float64 `yaml:"weight"`
}

// Type is one document type of the taxonomy.
type Type struct {
	Name          string      `yaml:"name"`
	Label         string      `yaml:"label"`
	TitleKeywords []string    `yaml:"title_keywords"`
	TitleWeight   float64     `yaml:"title_weight"`
	Keywords      []Keyword   `yaml:"keywords"`
	Patterns      []Pattern   `yaml:"patterns"`
	LatinScript   *ScriptRule `yaml:"latin_script"`

	titles   []string // normalised
	keywords []Keyword
}

// Taxonomy is a validated set of document types.
type Taxonomy struct {
	MinScore   float64 `yaml:"min_score"`
	TitleLines int     `yaml:"title_lines"`
	Types      []Type  `yaml:"types"`
}

const (
	defaultTitleWeight = 8
	defaultTitleLines  = 3
	// A title keyword found outside the first lines is only evidence of a mention.
	titleBodyWeight = 2
)

//go:embed taxonomy.yaml
var defaultYAML []byte

var defaultTaxonomy = func() *Taxonomy {
	t, err := Load(bytes.NewReader(defaultYAML))
	if err != nil {
		panic("classify: embedded taxonomy.yaml: " + err.Error())
	}
	return t
}()

// Default returns the built-in taxonomy (taxonomy.yaml in this package). It is shared: do not
// modify it.
func Default() *Taxonomy { return defaultTaxonomy }

// DefaultYAML returns the built-in taxonomy file, a starting point for a hall's own.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// Load reads and validates a taxonomy file. A file it refuses yields a *yamlfile.Error naming the
// line and the reason.
func Load(r io.Reader) (*Taxonomy, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read taxonomy: %w", err)
	}
	var t Taxonomy
	root, err := taxonomyFile.Decode(data, &t)
	if err != nil {
		return nil, err
	}
	if err := t.validate(root); err != nil {
		return nil, err
	}
	return &t, nil
}

var typeNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (t *Taxonomy) validate(doc *yaml.Node) error {
	if t.MinScore < 0 {
		return refuse(lineOf(doc, "min_score"), "min_score must not be negative")
	}
	if t.TitleLines == 0 {
		t.TitleLines = defaultTitleLines
	}
	if t.TitleLines < 0 {
		return refuse(lineOf(doc, "title_lines"), "title_lines must be positive")
	}
	if len(t.Types) == 0 {
		return refuse(lineOf(doc, "types"), "no types")
	}
	seen := map[string]bool{}
	for i := range t.Types {
		ty := &t.Types[i]
		at := func(path ...any) int { return lineOf(doc, append([]any{"types", i}, path...)...) }
		if !typeNameRe.MatchString(ty.Name) {
			return refuse(at("name"), fmt.Sprintf("type name %q must be lower-case letters, digits and _", ty.Name))
		}
		if seen[ty.Name] {
			return refuse(at("name"), fmt.Sprintf("duplicate type %q", ty.Name))
		}
		seen[ty.Name] = true
		if ty.TitleWeight == 0 {
			ty.TitleWeight = defaultTitleWeight
		}
		if ty.TitleWeight < 0 {
			return refuse(at("title_weight"), "title_weight must not be negative")
		}
		ty.titles = nil
		for j, k := range ty.TitleKeywords {
			n := normalize(k)
			if n == "" {
				return refuse(at("title_keywords", j), "empty title keyword")
			}
			ty.titles = append(ty.titles, n)
		}
		ty.keywords = nil
		for j, k := range ty.Keywords {
			n := normalize(k.Text)
			if n == "" {
				return refuse(at("keywords", j), "empty keyword")
			}
			if k.Weight <= 0 {
				return refuse(at("keywords", j), fmt.Sprintf("keyword %q needs a positive weight", k.Text))
			}
			ty.keywords = append(ty.keywords, Keyword{Text: n, Weight: k.Weight})
		}
		for j := range ty.Patterns {
			p := &ty.Patterns[j]
			re, err := regexp.Compile(p.Regex)
			if err != nil {
				return refuse(at("patterns", j), fmt.Sprintf("bad regex %q: %v", p.Regex, err))
			}
			if p.Regex == "" || re.MatchString("") {
				return refuse(at("patterns", j), fmt.Sprintf("regex %q matches empty text", p.Regex))
			}
			if p.Weight <= 0 {
				return refuse(at("patterns", j), fmt.Sprintf("pattern %q needs a positive weight", p.Regex))
			}
			if p.MaxCount < 0 {
				return refuse(at("patterns", j), "max_count must not be negative")
			}
			if p.MaxCount == 0 {
				p.MaxCount = 1
			}
			p.re = re
		}
		if s := ty.LatinScript; s != nil && (s.MinRatio <= 0 || s.MinRatio > 1 || s.Weight <= 0) {
			return refuse(at("latin_script"), "latin_script needs 0 < min_ratio <= 1 and a positive weight")
		}
	}
	if !seen[Other] {
		return refuse(lineOf(doc, "types"), `the type "other" is missing`)
	}
	return nil
}

// Names lists the type names in file order.
func (t *Taxonomy) Names() []string {
	out := make([]string, len(t.Types))
	for i, ty := range t.Types {
		out[i] = ty.Name
	}
	return out
}

// Label returns the Chinese name of a type, or the name itself when unknown.
func (t *Taxonomy) Label(name string) string {
	for _, ty := range t.Types {
		if ty.Name == name {
			return ty.Label
		}
	}
	return name
}

// TitleMatch reports which type's title keyword the line (a candidate document title) holds;
// the longest matching keyword wins, so 授权委托书 beats 委托书. One misread character is
// tolerated in keywords of four or more characters. The keyword must stand near the start or
// the end of the line, as titles do (营业执照（副本）, ……有限公司章程): a body line that
// merely mentions a document in its middle is no title.
func (t *Taxonomy) TitleMatch(line string) (typ string, ok bool) {
	n := []rune(normalize(line))
	best, bestLen := "", 0
	for _, ty := range t.Types {
		for _, k := range ty.titles {
			kr := []rune(k)
			if len(kr) > bestLen && titleAt(n, kr) {
				best, bestLen = ty.Name, len(kr)
			}
		}
	}
	return best, bestLen > 0
}

// titleSlack is how far from either end of a line a title keyword may stand.
const titleSlack = 6

func titleAt(line, kw []rune) bool {
	maxMiss := 0
	if len(kw) >= 4 {
		maxMiss = 1
	}
	for i := 0; i+len(kw) <= len(line); i++ {
		if i > titleSlack && i+len(kw) < len(line)-titleSlack {
			continue
		}
		miss := 0
		for j := range kw {
			if line[i+j] != kw[j] {
				miss++
				if miss > maxMiss {
					break
				}
			}
		}
		if miss <= maxMiss {
			return true
		}
	}
	return false
}

// lineOf is yamlfile.LineOf.
var lineOf = yamlfile.LineOf
