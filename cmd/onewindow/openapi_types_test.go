package main

// The OpenAPI document's body schemas are reflected from the Go types the handlers decode and
// answer, so a field added to a struct and not to the document fails here. Run with -update to
// rewrite those schemas in api/openapi.json (the rest of the document is left as written).

import (
	"bytes"
	"encoding"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/api"
	"onewindow/archive"
	archdesk "onewindow/archive/archivedesk"
	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/delivery"
	dlvdesk "onewindow/delivery/deliverydesk"
	"onewindow/public"
	"onewindow/stats"
	"onewindow/storage"
)

var updateSchemas = flag.Bool("update", false, "rewrite the generated schemas of api/openapi.json from the Go types")

const openAPIFile = "../../api/openapi.json"

// typedBodies are the components reflected from Go: the name the document uses, and the type.
// Named structs they reach become components of their own (by Go name), so a generated client
// gets one type per Go type.
var typedBodies = []struct {
	name     string
	typ      reflect.Type
	input    bool     // a request body: nothing required but required, nothing null
	required []string // of a request body
}{
	{"Case", reflect.TypeFor[cases.Case](), false, nil},
	{"OpenCase", reflect.TypeFor[casedesk.OpenInput](), true, []string{"matter", "applicant"}},
	{"DecideInput", reflect.TypeFor[casedesk.DecideInput](), true, []string{"decision"}},
	{"CaseSummary", reflect.TypeFor[casedesk.CaseSummary](), false, nil},
	{"MailInput", reflect.TypeFor[casedesk.MailInput](), true, []string{"waybill", "sender"}},
	{"MailUpdate", reflect.TypeFor[casedesk.MailUpdate](), true, nil},
	{"MailItem", reflect.TypeFor[cases.MailItem](), false, nil},
	{"Matter", reflect.TypeFor[cases.Matter](), false, nil},
	{"Carrier", reflect.TypeFor[cases.Carrier](), false, nil},
	{"HandoutInput", reflect.TypeFor[dlvdesk.HandoutInput](), true, []string{"method"}},
	{"Handout", reflect.TypeFor[dlvdesk.Handout](), false, nil},
	{"ResultAnswer", reflect.TypeFor[dlvdesk.ResultAnswer](), false, nil},
	{"Delivery", reflect.TypeFor[delivery.Delivery](), false, nil},
	{"Result", reflect.TypeFor[dlvdesk.Result](), false, nil},
	{"PackageVersion", reflect.TypeFor[dlvdesk.Version](), false, nil},
	{"Manifest", reflect.TypeFor[delivery.Manifest](), false, nil},
	{"ReindexResult", reflect.TypeFor[archdesk.ReindexResult](), false, nil},
	{"FixityReport", reflect.TypeFor[archive.FixityReport](), false, nil},
	{"AuditVerification", reflect.TypeFor[archive.AuditVerification](), false, nil},
	{"LegalHoldResult", reflect.TypeFor[archdesk.LegalHoldResult](), false, nil},
	{"PropertiesReport", reflect.TypeFor[archive.PropertiesReport](), false, nil},
	{"ProvenanceEvent", reflect.TypeFor[archive.Event](), false, nil},
	{"ModelInfo", reflect.TypeFor[api.ModelInfo](), false, nil},
	{"FieldsRequest", reflect.TypeFor[api.FieldsRequest](), true, nil},
}

// reflector turns Go types into OpenAPI 3.0 schemas as encoding/json writes them.
type reflector struct {
	input bool                    // reflecting a request body (components named ...Input)
	names map[reflect.Type]string // named structs already components
	out   map[string]any          // component name → schema
	taken map[string]bool         // hand-written components, not to be overwritten
	// inNames are the named structs of request bodies: a client need not send what the
	// server defaults, so they are components of their own, without required fields.
	inNames map[reflect.Type]string
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

func (r *reflector) component(name string, t reflect.Type) {
	if r.input {
		r.inNames[t] = name
	} else {
		r.names[t] = name
	}
	r.out[name] = nil // reserved before its fields, so recursive types end
	s := r.structSchema(t)
	s["x-go-origin"] = t.PkgPath() + "." + t.Name()
	r.out[name] = s
}

// schema is t's schema; nullable marks a value encoding/json may write as null.
func (r *reflector) schema(t reflect.Type, omitted bool) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType):
		return map[string]any{} // its own encoding: any value
	case t.Implements(textType) || reflect.PointerTo(t).Implements(textType):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := r.schema(t.Elem(), omitted)
		if !omitted {
			s = r.nullable(s)
		}
		return s
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		var s map[string]any
		if t.Elem().Kind() == reflect.Uint8 {
			s = map[string]any{"type": "string", "format": "byte"}
		} else {
			s = map[string]any{"type": "array", "items": r.schema(t.Elem(), true)}
		}
		if t.Kind() == reflect.Slice && !omitted {
			s = r.nullable(s)
		}
		return s
	case reflect.Map:
		s := map[string]any{"type": "object", "additionalProperties": r.schema(t.Elem(), true)}
		if !omitted {
			s = r.nullable(s)
		}
		return s
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.Name() == "" {
			return r.structSchema(t)
		}
		names := r.names
		if r.input {
			names = r.inNames
		}
		name, ok := names[t]
		if !ok {
			name = t.Name()
			if r.input && !strings.HasSuffix(name, "Input") {
				name += "Input"
			}
			if _, used := r.out[name]; used || r.taken[name] {
				name = strings.ToUpper(pkgName(t)[:1]) + pkgName(t)[1:] + t.Name()
			}
			r.component(name, t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	panic(fmt.Sprintf("no schema for %s", t))
}

func pkgName(t reflect.Type) string { return t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:] }

// nullable allows null beside s; a $ref cannot carry siblings in 3.0, so it is wrapped.
func (r *reflector) nullable(s map[string]any) map[string]any {
	if r.input {
		return s
	}
	if _, ok := s["$ref"]; ok {
		return map[string]any{"nullable": true, "allOf": []any{s}}
	}
	if len(s) == 0 {
		return s
	}
	s["nullable"] = true
	return s
}

func (r *reflector) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	r.fields(t, props, &required)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		slices.Sort(required)
		s["required"] = required
	}
	return s
}

// fields adds t's JSON fields, embedded structs' too, as encoding/json names them.
func (r *reflector) fields(t reflect.Type, props map[string]any, required *[]string) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				r.fields(et, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		omitted := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		s := r.schema(f.Type, omitted)
		if strings.Contains(opts, "string") {
			s = map[string]any{"type": "string"}
		}
		props[name] = s
		if !omitted && !r.input {
			*required = append(*required, name)
		}
	}
}

// generated reflects every typed body; taken are the document's hand-written components.
func generated(taken map[string]bool) map[string]any {
	r := &reflector{names: map[reflect.Type]string{}, inNames: map[reflect.Type]string{}, out: map[string]any{}, taken: taken}
	for _, b := range typedBodies { // the tables' names first, so no nested type takes one
		if b.input {
			r.inNames[b.typ] = b.name
		} else {
			r.names[b.typ] = b.name
		}
		r.out[b.name] = nil
	}
	for _, b := range typedBodies {
		r.input = b.input
		r.component(b.name, b.typ)
		if len(b.required) > 0 {
			r.out[b.name].(map[string]any)["required"] = b.required
		}
	}
	return r.out
}

// handWritten are the document's components that no Go type generated (no x-go-origin).
func handWritten(t *testing.T, doc []byte) (map[string]bool, map[string]json.RawMessage) {
	var d struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	taken := map[string]bool{}
	for name, raw := range d.Components.Schemas {
		if !bytes.Contains(raw, []byte(`"x-go-origin"`)) {
			taken[name] = true
		}
	}
	return taken, d.Components.Schemas
}

// TestOpenAPISchemasMatchGoTypes: the document's generated schemas are what the Go types
// encode; -update rewrites them.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	taken, have := handWritten(t, doc)
	want := generated(taken)
	if *updateSchemas {
		out, err := replaceSchemas(doc, want)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(openAPIFile, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for name, s := range want {
		w, _ := json.Marshal(s)
		var got any
		if raw, ok := have[name]; !ok || json.Unmarshal(raw, &got) != nil {
			t.Errorf("api/openapi.json has no schema %s for %s (go test -run TestOpenAPISchemasMatchGoTypes -update)", name, s.(map[string]any)["x-go-origin"])
			continue
		}
		g, _ := json.Marshal(got)
		if !bytes.Equal(g, w) {
			t.Errorf("schema %s differs from its Go type (go test -run TestOpenAPISchemasMatchGoTypes -update):\n got %s\nwant %s", name, g, w)
		}
	}
	for name, raw := range have {
		if _, ok := want[name]; !ok && !taken[name] {
			t.Errorf("schema %s names a Go type nothing generates any more: %s", name, raw)
		}
	}
}

// handWrittenBodies are components written by hand (with their descriptions) for answers
// the API's own edge tests check; their property names must still be the Go type's fields.
var handWrittenBodies = []struct {
	name string
	typ  reflect.Type
}{
	{"Batch", reflect.TypeFor[storage.Batch]()},
	{"Document", reflect.TypeFor[struct {
		*storage.Document
		Signature *api.SignatureStatus `json:"signature,omitempty"`
	}]()},
	{"BatchSummary", reflect.TypeFor[api.BatchSummary]()},
	{"BatchList", reflect.TypeFor[api.BatchList]()},
	{"CorrectionAccepted", reflect.TypeFor[api.CorrectionAccepted]()},
	{"ReviewList", reflect.TypeFor[api.ReviewList]()},
	{"Verification", reflect.TypeFor[api.Verification]()},
	{"SignatureStatus", reflect.TypeFor[api.SignatureStatus]()},
	{"SearchResult", reflect.TypeFor[archive.Result]()},
	{"Stats", reflect.TypeFor[stats.Report]()},
	{"RatingEntry", reflect.TypeFor[stats.RatingEntry]()},
	{"FollowUpOutcome", reflect.TypeFor[cases.FollowUpOutcome]()},
	{"Progress", reflect.TypeFor[public.Progress]()},
	{"ProgressEvent", reflect.TypeFor[public.ProgressEvent]()},
	{"MissingItem", reflect.TypeFor[public.MissingItem]()},
	{"RatingInput", reflect.TypeFor[public.RatingInput]()},
	{"RatingAnswer", reflect.TypeFor[public.RatingAnswer]()},
}

// TestHandWrittenSchemasNameGoFields: a hand-written schema lists exactly the fields its Go
// type encodes, so a field added on one side only fails here.
func TestHandWrittenSchemasNameGoFields(t *testing.T) {
	doc, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	_, have := handWritten(t, doc)
	for _, b := range handWrittenBodies {
		var s struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if raw, ok := have[b.name]; !ok || json.Unmarshal(raw, &s) != nil {
			t.Errorf("api/openapi.json has no schema %s", b.name)
			continue
		}
		r := &reflector{names: map[reflect.Type]string{}, inNames: map[reflect.Type]string{}, out: map[string]any{}, taken: map[string]bool{}}
		props := map[string]any{}
		var required []string
		r.fields(b.typ, props, &required)
		var missing, extra []string
		for name := range props {
			if _, ok := s.Properties[name]; !ok {
				missing = append(missing, name)
			}
		}
		for name := range s.Properties {
			if _, ok := props[name]; !ok {
				extra = append(extra, name)
			}
		}
		slices.Sort(missing)
		slices.Sort(extra)
		if len(missing)+len(extra) > 0 {
			t.Errorf("schema %s and %s differ: the document lacks %v; the type lacks %v", b.name, b.typ, missing, extra)
		}
	}
}

// TestServedDocumentHasDeskRoutes: the case desk's own document (held against its route
// table by its package's tests) is not merged into the served one, so every operation it
// lists must be in api/openapi.json too.
func TestServedDocumentHasDeskRoutes(t *testing.T) {
	served, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	var a, d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(served, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(casedesk.OpenAPI, &d); err != nil {
		t.Fatal(err)
	}
	for path, ops := range d.Paths {
		for method := range ops {
			if _, ok := a.Paths[path][method]; !ok && method != "parameters" {
				t.Errorf("the case desk serves %s %s, which api/openapi.json does not document", strings.ToUpper(method), path)
			}
		}
	}
}

// TestEveryJSONBodyTyped: no request or success answer in JSON is a bare object, so a client
// generated from the document gets a type for each (a new route must say what it sends).
func TestEveryJSONBodyTyped(t *testing.T) {
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	type media map[string]struct {
		Schema map[string]any `json:"schema"`
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	typed := func(s map[string]any) bool {
		_, ref := s["$ref"]
		_, props := s["properties"]
		_, items := s["items"]
		_, all := s["allOf"]
		extra, _ := s["additionalProperties"].(map[string]any)
		return ref || props || items || all || len(extra) > 0
	}
	for path, ops := range doc.Paths {
		for method, rawOp := range ops {
			var op struct {
				RequestBody struct {
					Content media `json:"content"`
				} `json:"requestBody"`
				Responses map[string]struct {
					Content media `json:"content"`
				} `json:"responses"`
			}
			if method == "parameters" || json.Unmarshal(rawOp, &op) != nil {
				continue
			}
			if m, ok := op.RequestBody.Content["application/json"]; ok && !typed(m.Schema) {
				t.Errorf("%s %s: the request body has no fields", strings.ToUpper(method), path)
			}
			for code, r := range op.Responses {
				if m, ok := r.Content["application/json"]; ok && strings.HasPrefix(code, "2") && !typed(m.Schema) {
					t.Errorf("%s %s: the %s answer has no fields", strings.ToUpper(method), path, code)
				}
			}
		}
	}
}
