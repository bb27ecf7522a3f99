package notice

import (
	"bufio"
	"bytes"
	"embed"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"onewindow/cases"
	"onewindow/internal/errs"
)

// Placeholders a template may use, written {name}. "items" alone on a line places the
// notice's list (materials received, missing items, owed items, refusal reasons). A line whose
// placeholders are all empty is left out.
var Placeholders = []string{
	"hall", "case_no", "applicant_name", "applicant_id", "matter_name", "matter_code",
	"submitted_date", "issued_date", "due_date", "time_limit_days", "departments", "window", "clerk", "reason", "assessment",
	"carrier", "waybill", "sender_name", "pieces", "condition", "arrived_at", "signed_by", "items",
}

//go:embed templates/*.txt
var defaultTemplates embed.FS

// template is a parsed notice template: a title and body lines with placeholders.
type template struct {
	title string
	lines []string
}

var placeholderRe = regexp.MustCompile(`\{([a-z_]+)\}`)

// parseTemplate reads a template file: '#' lines are comments, the first other line is the
// title, the rest are paragraphs. An unknown placeholder is refused with the template's name.
func parseTemplate(name string, data []byte) (template, error) {
	const op = "notice.parseTemplate"
	known := map[string]bool{}
	for _, p := range Placeholders {
		known[p] = true
	}
	var t template
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, m := range placeholderRe.FindAllStringSubmatch(line, -1) {
			if !known[m[1]] {
				return template{}, errs.Errorf(op, errs.Invalid, "bad_template", "Notice template %s line %d: unknown placeholder {%s}.", name, n, m[1])
			}
		}
		if strings.Contains(line, "{items}") && strings.TrimSpace(line) != "{items}" {
			return template{}, errs.Errorf(op, errs.Invalid, "bad_template", "Notice template %s line %d: {items} must stand alone on its line.", name, n)
		}
		if t.title == "" {
			if strings.TrimSpace(line) == "" {
				continue
			}
			t.title = strings.TrimSpace(line)
			continue
		}
		t.lines = append(t.lines, line)
	}
	if t.title == "" {
		return template{}, errs.Errorf(op, errs.Invalid, "bad_template", "Notice template %s has no title line.", name)
	}
	return t, nil
}

// loadTemplates reads the embedded template of every kind of cases.NoticeKinds and, when dir is
// set, the hall's overrides in it (acceptance.txt, correction.txt, ...); a file there for an
// unknown kind is refused too.
func loadTemplates(dir string) (map[string]template, error) {
	out := map[string]template{}
	var kinds []string
	for _, nk := range cases.NoticeKinds {
		k := nk.Name
		kinds = append(kinds, k)
		data, err := defaultTemplates.ReadFile("templates/" + k + ".txt")
		if err != nil {
			return nil, errs.E("notice.loadTemplates", errs.Internal, "", "", err)
		}
		if out[k], err = parseTemplate(k+".txt", data); err != nil {
			return nil, err
		}
	}
	if dir == "" {
		return out, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, errs.E("notice.loadTemplates", errs.Invalid, "bad_template", "The notice template folder cannot be read.", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		kind := strings.TrimSuffix(name, ".txt")
		if _, ok := out[kind]; !ok {
			return nil, errs.Errorf("notice.loadTemplates", errs.Invalid, "bad_template", "Notice template %s is for no known kind (%s).", name, strings.Join(kinds, ", "))
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, errs.E("notice.loadTemplates", errs.Invalid, "bad_template", "Notice template "+name+" cannot be read.", err)
		}
		if out[kind], err = parseTemplate(name, data); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// expand fills a line's placeholders; empty is true when it has some and all are empty.
func expand(line string, vals map[string]string) (text string, empty bool) {
	n, filled := 0, 0
	text = placeholderRe.ReplaceAllStringFunc(line, func(ph string) string {
		n++
		v := vals[ph[1:len(ph)-1]]
		if v != "" {
			filled++
		}
		return v
	})
	return text, n > 0 && filled == 0
}
