package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// The batch page shows a turned page turned and offers each page's turn in the regroup form,
// which works without script; the form sends the turns it names with the grouping.
func TestRegroupTurnsPages(t *testing.T) {
	hs := newHarness(t)
	hs.signIn("", adminToken)
	hs.api.batch = map[string]any{"id": "b-1", "status": "done", "pages_total": 2, "pages_done": 2,
		"documents": []map[string]any{{"id": "b-1-001", "type": "id_card", "confidence": 0.9, "pages": []int{0, 1},
			"rotations": map[string]int{"1": 90}}}}
	page := hs.get("/batches/b-1").Body.String()
	for _, want := range []string{`data-page="0" data-rotate="0"`, `data-page="1" data-rotate="90"`,
		`name="rotate_1"><option value="0">0°</option><option value="90" selected>`, "页面方向"} {
		if !strings.Contains(page, want) {
			t.Errorf("the batch page lacks %s", want)
		}
	}

	token := hs.csrf("/")
	w := hs.post("/batches/b-1/regroup", url.Values{"csrf": {token}, "rows": {"1"}, "pages_0": {"1-2"},
		"rotate_0": {"180"}, "rotate_1": {"0"}, "rotate_7": {"90"}})
	if w.Code != 303 {
		t.Fatalf("regroup: %d %s", w.Code, w.Body)
	}
	var sent struct {
		Documents []struct {
			Rotations map[string]int `json:"rotations"`
		} `json:"documents"`
	}
	if err := json.Unmarshal([]byte(hs.api.regroupBody), &sent); err != nil {
		t.Fatal(err)
	}
	// Page 7 is in no document of the form: its select is not the form's to send.
	if len(sent.Documents) != 1 || len(sent.Documents[0].Rotations) != 2 ||
		sent.Documents[0].Rotations["0"] != 180 || sent.Documents[0].Rotations["1"] != 0 {
		t.Errorf("correction sent: %s", hs.api.regroupBody)
	}

	w = hs.post("/batches/b-1/regroup", url.Values{"csrf": {token}, "rows": {"1"}, "pages_0": {"1-2"}, "rotate_0": {"sideways"}})
	if w.Code != 400 || !strings.Contains(w.Body.String(), "页面只能旋转") {
		t.Errorf("a turn that is no number: %d", w.Code)
	}
}
