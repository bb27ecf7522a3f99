package internal_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// allowed lists, for each package (by prefix, longest wins), the project packages it may
// import (by prefix). Data flows one way, as docs/ARCHITECTURE.md draws it; a package that is
// not listed fails the test, so a new package states its place.
var allowed = map[string][]string{
	"cmd/":                       {""}, // wiring imports everything
	"web":                        {"internal/auth", "internal/httpx", "internal/errs", "internal/clock", "internal/fields", "internal/chart"},
	"watch":                      {"internal/auth"},
	"api":                        {"internal/", "storage", "archive", "pipeline"},
	"archive/archivedesk":        {"archive", "storage", "internal/"},
	"cases/casedesk":             {"cases", "storage", "internal/"},
	"delivery/deliverydesk":      {"delivery", "cases", "archive", "storage", "internal/"},
	"workers":                    {"pipeline", "archive", "storage", "internal/"},
	"public":                     {"cases", "storage", "internal/"},
	"stats":                      {"cases", "internal/"},
	"archive":                    {"archive/internal/", "storage", "pipeline/", "internal/errs", "internal/clock", "internal/cjkfont", "internal/esign", "internal/fields"},
	"archive/internal/":          {},
	"cases":                      {"pipeline/extract", "internal/errs", "internal/clock", "internal/yamlfile"},
	"cases/notice":               {"cases", "internal/errs", "internal/auth", "internal/qr", "internal/cjkfont", "internal/clock"},
	"delivery":                   {"archive", "storage", "internal/", "pipeline/pages"},
	"storage":                    {"internal/errs"},
	"pipeline":                   {"pipeline", "internal/yamlfile", "internal/qr", "internal/fields"},
	"pipeline/internal/testpage": {"pipeline", "internal/testfixtures/"}, // test pages
	"internal":                   {},                                     // this test
	"internal/auth":              {"internal/errs", "internal/fields"},
	"internal/httpx":             {"internal/auth", "internal/errs"},
	"internal/tasks":             {"internal/errs", "pipeline/pages"},
	"internal/lifecycle":         {},
	"internal/errs":              {},
	"internal/config":            {"internal/clock"},
	"internal/metrics":           {},
	"internal/clock":             {},
	"internal/fields":            {},
	"internal/yamlfile":          {},
	"internal/qr":                {},
	"internal/cjkfont":           {},
	"internal/chart":             {},
	"internal/devservices":       {},
	"internal/esign":             {"internal/errs"},
	"internal/testenv":           {"internal/devservices", "storage"},
	"internal/testfixtures":      {"pipeline", "internal/testfixtures/"},
}

func rule(pkg string) ([]string, bool) {
	best, found := "", false
	for prefix := range allowed {
		if (pkg == prefix || strings.HasPrefix(pkg, prefix) && (strings.HasSuffix(prefix, "/") || strings.HasPrefix(pkg, prefix+"/"))) && len(prefix) >= len(best) {
			best, found = prefix, true
		}
	}
	return allowed[best], found
}

func TestImportsFlowOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "onewindow/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(string(bytes.TrimSpace(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], "onewindow/")
		may, ok := rule(pkg)
		if !ok {
			t.Errorf("%s has no place in the layers: add it to allowed and to docs/ARCHITECTURE.md", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			dep, own := strings.CutPrefix(imp, "onewindow/")
			if !own || dep == pkg || strings.HasPrefix(dep, pkg+"/") {
				continue
			}
			okDep := false
			for _, p := range may {
				if dep == p || strings.HasPrefix(dep, p) && (p == "" || strings.HasSuffix(p, "/") || strings.HasPrefix(dep, p+"/")) {
					okDep = true
				}
			}
			if !okDep {
				t.Errorf("%s imports %s, which is not below it (docs/ARCHITECTURE.md, Packages and layers)", pkg, dep)
			}
		}
	}
}

// The API must not link Tesseract: the OCR engine belongs to the workers alone.
func TestAPILinksNoOCR(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "onewindow/api").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if bytes.Contains(out, []byte("gosseract")) {
		t.Error("onewindow/api depends on gosseract")
	}
}
