package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"onewindow/internal/httpx"
	"onewindow/storage"
)

func TestCorrectFields(t *testing.T) {
	rv, _, bl, _ := newTestReview(t)
	h := testHandler(t, rv)
	tests := []struct {
		name, token, body string
		status            int
		code              string
	}{
		{"viewer may not", "view", `{"id_numbers":["220103198909195957"]}`, 403, "forbidden"},
		{"nothing sent", "rev", `{}`, 400, "missing_fields"},
		{"wrong check character", "rev", `{"id_numbers":["220103198909195958"]}`, 400, "invalid_field"},
		{"bad credit code", "rev", `{"uscc":["91220102QFWNB571XX"]}`, 400, "invalid_field"},
		{"unknown kind", "rev", `{"phones":["13912345678"]}`, 400, "bad_json"},
		{"accepted", "rev", `{"id_numbers":["220103198909195957"],"uscc":["91220102QFWNB571XW"],"reason":"read off the scan"}`, 202, ""},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("PUT", "/api/v1/documents/b-002/fields", bytes.NewBufferString(tt.body))
		req.Header.Set("Authorization", "Bearer "+tt.token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var body httpx.ErrorBody
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != tt.status || body.Error.Code != tt.code {
			t.Errorf("%s: %d %s, want %d %q", tt.name, w.Code, w.Body.String(), tt.status, tt.code)
		}
		if bytes.Contains(w.Body.Bytes(), []byte("22010319890919595")) {
			t.Errorf("%s: the answer repeats the ID number", tt.name)
		}
	}
	var c storage.Correction
	if err := json.Unmarshal(bl.objects[storage.CorrectionKey("b", 1)], &c); err != nil {
		t.Fatalf("correction not filed: %v", err)
	}
	if len(c.Documents) != 2 || c.Documents[0].Fields != nil || c.Documents[1].Fields["uscc"][0] != "91220102QFWNB571XW" ||
		c.Documents[1].Type != "id_card" || c.Reason != "read off the scan" {
		t.Errorf("correction %+v", c)
	}
}
