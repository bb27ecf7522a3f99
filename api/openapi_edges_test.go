package api

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/storage"
)

// The pinned linter; its recommended rules are the bar. Redocly CLI 2 needs Node 20 or
// newer; Debian 12's Node 18 runs the 1.34 line, which lints this document the same.
const (
	redoclyCLI       = "@redocly/cli@2.77.0"
	redoclyCLINode18 = "@redocly/cli@1.34.20"
)

func redoclyFor(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "node", "--version").Output()
	var major int
	if err == nil {
		fmt.Sscanf(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), "%d", &major)
	}
	if major >= 20 {
		return redoclyCLI
	}
	return redoclyCLINode18
}

func TestOpenAPILint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs npx")
	}
	if _, err := exec.LookPath("npx"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("npx is missing in CI: install nodejs and npm (scripts/setup.sh)")
		}
		t.Skip("npx is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npx", "--yes", redoclyFor(ctx), "lint", "--format=summary", "openapi.json")
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	out, err := cmd.CombinedOutput()
	if err != nil || regexp.MustCompile(`(?m)^(warning|error) `).Match(out) {
		t.Fatalf("redocly lint (recommended rules): %v\n%s", err, out)
	}
}

// schemaDoc is the OpenAPI document as JSON values, for checking answers against it.
type schemaDoc struct {
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

func loadSchemas(t *testing.T) *schemaDoc {
	var d schemaDoc
	if err := json.Unmarshal(openAPI, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// check validates v against schema (the subset of OpenAPI 3.0 schemas the document uses:
// $ref, type, nullable, properties, required, additionalProperties, items, enum).
func (d *schemaDoc) check(schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		s, ok := d.Components.Schemas[name]
		if !ok {
			return []string{at + ": unknown schema " + ref}
		}
		return d.check(s, v, at)
	}
	if v == nil {
		if schema["nullable"] == true {
			return nil
		}
		return []string{at + ": null where the schema does not allow it"}
	}
	var errs []string
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	switch typ, _ := schema["type"].(string); typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return append(errs, at+": not an object")
		}
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asStrings(schema["required"]) {
			if _, ok := obj[r]; !ok {
				errs = append(errs, at+": missing required "+r)
			}
		}
		for k, x := range obj {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, d.check(ps, x, at+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, at+": field "+k+" is not in the schema")
				}
			case map[string]any:
				errs = append(errs, d.check(ap, x, at+"."+k)...)
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return append(errs, at+": not an array")
		}
		items, _ := schema["items"].(map[string]any)
		for i, x := range arr {
			errs = append(errs, d.check(items, x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			errs = append(errs, at+": not a string")
		}
	case "integer", "number":
		f, ok := v.(float64)
		if !ok || typ == "integer" && f != float64(int64(f)) {
			errs = append(errs, at+": not a "+typ)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, at+": not a boolean")
		}
	}
	return errs
}

func asStrings(v any) []string {
	var out []string
	for _, x := range asSlice(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// Real answers of the API's own routes match the document's schemas, with no field the
// schema lacks.
func TestAnswersMatchSchemas(t *testing.T) {
	d := loadSchemas(t)
	e := newEdgeEnv(t)
	img := tinyPNG(t)
	w, ok, _ := e.upload(t, "scanner", "key-1", field("case_no", "JL-1"), field("applicant", "张三"),
		field("departments", "税务,社保"), filePart("a.png", img))
	id := ok["id"]
	b := e.state.batches[id]
	b.Documents = []storage.Document{{ID: id + "-001", BatchID: id, CaseNo: "JL-1", Type: "id_card", Pages: []int{0},
		Fields: map[string][]string{"id_numbers": {testID}}, SHA256: strings.Repeat("a", 64), ArchivalCode: "X-1", CreatedAt: time.Now()}}
	b.DroppedPages = []storage.DroppedPage{{Index: 1, Reason: "blank"}}
	b.Error = &storage.BatchError{Code: "x", Message: "y"}
	e.state.batches[id] = b
	e.state.docs[id+"-001"] = b.Documents[0]
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	checks := []struct {
		name, method, path, token, schema string
		status                            int
	}{
		{"accepted", "", "", "", "Accepted", 202},
		{"batch", "GET", "/api/v1/batches/" + id, "archivist", "Batch", 200},
		{"batch as viewer", "GET", "/api/v1/batches/" + id, "viewer", "Batch", 200},
		{"batch list", "GET", "/api/v1/batches?per_page=5", "archivist", "BatchList", 200},
		{"document", "GET", "/api/v1/documents/" + id + "-001", "reviewer", "Document", 200},
		{"no token", "GET", "/api/v1/batches", "", "Error", 401},
		{"forbidden", "GET", "/api/v1/batches", "department", "Error", 403},
		{"not found", "GET", "/api/v1/batches/nope", "archivist", "Error", 404},
		{"bad parameter", "GET", "/api/v1/batches?x=1", "archivist", "Error", 400},
		{"method", "DELETE", "/api/v1/batches", "archivist", "Error", 405},
		{"health", "GET", "/healthz", "", "Status", 200},
		{"ready", "GET", "/readyz", "", "Status", 200},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			rec := w
			if c.method != "" {
				rec = e.do(t, c.method, c.path, c.token)
			}
			if rec.Code != c.status {
				t.Fatalf("%d %s", rec.Code, rec.Body.String())
			}
			var v any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			for _, p := range d.check(ref(c.schema), v, c.schema) {
				t.Error(p)
			}
		})
	}
}
