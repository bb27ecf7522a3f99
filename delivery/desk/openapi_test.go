package desk

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOpenAPICoversRoutes: every route the desk adds is documented, and nothing else is.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	for _, r := range (&Desk{}).routes() {
		routes[r.pattern] = true
		method, path, _ := strings.Cut(r.pattern, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("%s is not in openapi.json", r.pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !routes[strings.ToUpper(method)+" "+path] {
				t.Errorf("openapi.json documents %s %s, which the desk does not serve", method, path)
			}
		}
	}
}
