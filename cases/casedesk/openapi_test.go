package casedesk

import (
	"encoding/json"
	"strings"
	"testing"

	"onewindow/storage"
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
		routes[r.Pattern] = true
		method, path, _ := strings.Cut(r.Pattern, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("%s is not in openapi.json", r.Pattern)
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

func TestFacts(t *testing.T) {
	got := Facts([]*storage.Document{
		{ID: "b-001", Type: "id_card", Fields: map[string][]string{"id_numbers": {"220102199003070013"}}},
		{ID: "b-002", Type: "business_license", Fields: map[string][]string{"uscc": {"912201011234567884"}}, SupersededBy: []string{"b-r1-001"}},
	})
	if len(got) != 2 || got[0].IDNumbers[0] != "220102199003070013" || got[1].USCC[0] != "912201011234567884" || !got[1].Superseded || got[0].Superseded {
		t.Errorf("Facts = %+v", got)
	}
}
