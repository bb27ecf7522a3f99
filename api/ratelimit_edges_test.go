package api

import (
	"encoding/json"
	"testing"
)

// Every call is rate limited (rateLimit wraps the whole mux), so every operation of the
// OpenAPI document lists the 429 answer: a new route without it fails here.
func TestEveryOperationDocumentsRateLimit(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.Responses == nil {
				continue // parameters shared by the path's operations
			}
			if _, ok := op.Responses["429"]; !ok {
				t.Errorf("%s %s does not document 429 (#/components/responses/RateLimited)", method, path)
			}
		}
	}
}
