package main

import (
	"fmt"
	"testing"
	"time"
)

// TestCaseBatchesGetDistinctArchivalCodes: two batches of one case, uploaded together and
// filed on the workers at once, give every document a code of its own, numbered across the
// case; the case's four-properties report checks that and passes it.
func TestCaseBatchesGetDistinctArchivalCodes(t *testing.T) {
	const caseNo = "JL-CODES-1"
	d := startDaemon(t, t.TempDir())
	var ids []string
	for range 2 {
		code, body := d.upload(d.token, nil, map[string]string{"case_no": caseNo}, stackPages(t)...)
		if code != 202 {
			t.Fatalf("upload: %d %v", code, body)
		}
		ids = append(ids, body["id"].(string))
	}
	holder := map[string]string{}
	for _, id := range ids {
		b := d.waitBatch(id, 4*time.Minute)
		docs, _ := b["documents"].([]any)
		if b["status"] != "done" || len(docs) == 0 {
			t.Fatalf("batch %s: %v", id, b)
		}
		for _, doc := range docs {
			m := doc.(map[string]any)
			code, _ := m["archival_code"].(string)
			if code == "" {
				t.Errorf("%s has no archival code", m["id"])
			} else if other, dup := holder[code]; dup {
				t.Errorf("%s and %s share the archival code %s", other, m["id"], code)
			}
			holder[code] = fmt.Sprint(m["id"])
		}
	}
	code, rep := d.get("/api/v1/report?case_no=" + caseNo)
	if code != 200 {
		t.Fatalf("report: %d %v", code, rep)
	}
	docs, _ := rep["documents"].([]any)
	if len(docs) != len(holder) {
		t.Fatalf("report covers %d documents, %d filed", len(docs), len(holder))
	}
	for _, doc := range docs {
		m := doc.(map[string]any)
		checks, _ := m["checks"].([]any)
		found := map[string]string{}
		for _, c := range checks {
			c := c.(map[string]any)
			found[fmt.Sprint(c["check"])] = fmt.Sprint(c["status"])
		}
		if found["archival_code_unique"] != "pass" || found["archival_code_claim"] != "pass" {
			t.Errorf("report on %s: uniqueness %q, claim %q", m["document_id"], found["archival_code_unique"], found["archival_code_claim"])
		}
	}
}
