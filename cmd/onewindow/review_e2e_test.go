package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestReviewerCorrectsAndRefiles: a reviewer merges the two documents of a batch into one and
// gives it another type; the batch is filed again under new IDs, the old documents point to
// their successor, and the classifier's model learns the type.
func TestReviewerCorrectsAndRefiles(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	code, body := d.upload(testToken, nil, map[string]string{"case_no": "JL-REVIEW-1"}, file{"stack.pdf", twoDocumentStack(t)})
	if code != 202 {
		t.Fatalf("upload: %d %v", code, body)
	}
	id := body["id"].(string)
	merge := `{"documents": [{"pages": [0, 1, 2], "type": "business_license"}], "reason": "one licence"}`
	// OCR takes seconds: the batch is not done yet.
	if code, body := d.send("PUT", "/api/v1/batches/"+id+"/documents", merge); code != 409 || errorCode(body) != "batch_not_done" {
		t.Fatalf("correction before done: %d %v, want 409 batch_not_done", code, body)
	}
	b := d.waitBatch(id, 2*time.Minute)
	if b["status"] != "done" || len(b["documents"].([]any)) == 0 {
		t.Fatalf("batch: %v", b)
	}
	old := documentIDsOf(b)
	for _, tc := range []struct{ body, code string }{
		{`{"documents": [{"pages": [0, 1]}]}`, "missing_page"},
		{`{"documents": [{"pages": [0, 2, 7]}]}`, "page_out_of_range"},
		{`{"documents": [{"pages": [0, 2]}, {"pages": [2]}]}`, "duplicate_page"},
		{`{"documents": [{"pages": [0, 2], "type": "passport"}]}`, "unknown_type"},
	} {
		if code, body := d.send("PUT", "/api/v1/batches/"+id+"/documents", tc.body); code != 400 || errorCode(body) != tc.code {
			t.Errorf("PUT %s: %d %v, want 400 %s", tc.body, code, body, tc.code)
		}
	}
	// Merge both documents and the separator page between them, as a business licence.
	code, body = d.send("PUT", "/api/v1/batches/"+id+"/documents", merge)
	if code != 202 || body["revision"].(float64) != 1 {
		t.Fatalf("correction: %d %v", code, body)
	}
	b = d.waitRevision(id, 1, time.Minute)
	docs := b["documents"].([]any)
	if len(docs) != 1 {
		t.Fatalf("corrected batch documents: %v", docs)
	}
	merged := docs[0].(map[string]any)
	newID := merged["id"].(string)
	if newID != id+"-r1-001" || fmt.Sprint(merged["pages"]) != "[0 1 2]" || merged["type"] != "business_license" ||
		merged["needs_review"] != false {
		t.Errorf("merged document: %v", merged)
	}
	if len(b["dropped_pages"].([]any)) != 0 {
		t.Errorf("the re-included separator page is still listed dropped: %v", b["dropped_pages"])
	}
	for _, o := range old {
		code, doc := d.get("/api/v1/documents/" + o)
		if code != 200 || fmt.Sprint(doc["superseded_by"]) != "["+newID+"]" {
			t.Errorf("old document %s: %d %v", o, code, doc)
		}
	}
	code, doc := d.get("/api/v1/documents/" + newID)
	if code != 200 || doc["reviewed_by"] != "admin" || doc["case_no"] != "JL-REVIEW-1" {
		t.Errorf("new document: %d %v", code, doc)
	}
	// Search answers with what is in force: the merged document, not the two it replaced.
	if hits := hitIDs(d.search(url.Values{"case_no": {"JL-REVIEW-1"}}, 1)); fmt.Sprint(hits) != "["+newID+"]" {
		t.Errorf("search after the correction: %v, want [%s]", hits, newID)
	}
	if n := pdfPages(t, d, newID); n != 3 {
		t.Errorf("merged PDF has %d pages, want 3", n)
	}
	_, text := d.getRaw("/api/v1/documents/" + newID + "/text")
	if s := strings.ReplaceAll(string(text), " ", ""); !strings.Contains(s, "委托") || !strings.Contains(s, "承诺") {
		t.Errorf("merged text: %q", text)
	}
	code, model := d.get("/api/v1/review/model")
	if code != 200 || model["examples"].(float64) != 1 || fmt.Sprint(model["by_type"]) != "map[business_license:1]" {
		t.Errorf("model: %d %v", code, model)
	}

	// A superseded document can no longer be corrected; its successor can, type only.
	if code, body := d.send("PATCH", "/api/v1/documents/"+old[0], `{"type": "id_card"}`); code != 409 || errorCode(body) != "document_superseded" {
		t.Errorf("PATCH superseded: %d %v", code, body)
	}
	if code, body := d.send("POST", "/api/v1/documents/"+newID+"/confirm", ""); code != 200 || body["needs_review"] != false {
		t.Errorf("confirm: %d %v", code, body)
	}
	if code, body := d.send("PATCH", "/api/v1/documents/"+newID, `{"type": "power_of_attorney"}`); code != 202 || body["revision"].(float64) != 2 {
		t.Fatalf("PATCH: %d %v", code, body)
	}
	b = d.waitRevision(id, 2, time.Minute)
	retyped := b["documents"].([]any)[0].(map[string]any)
	if retyped["id"] != id+"-r2-001" || retyped["type"] != "power_of_attorney" {
		t.Errorf("retyped: %v", retyped)
	}
	if _, doc := d.get("/api/v1/documents/" + newID); fmt.Sprint(doc["superseded_by"]) != "["+id+"-r2-001]" {
		t.Errorf("revision 1 document after revision 2: %v", doc)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, model = d.get("/api/v1/review/model")
		if model["examples"].(float64) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if model["examples"].(float64) != 2 {
		t.Errorf("model after the type fix: %v", model)
	}
	// Rebuilt from MinIO alone, the indexes still know what reviewers did.
	if code, body := d.send("POST", "/api/v1/admin/reindex", ""); code != 200 {
		t.Fatalf("reindex: %d %v", code, body)
	}
	if _, doc := d.get("/api/v1/documents/" + newID); fmt.Sprint(doc["superseded_by"]) != "["+id+"-r2-001]" {
		t.Errorf("revision 1 document after reindex: %v", doc)
	}
	if hits := hitIDs(d.search(url.Values{"case_no": {"JL-REVIEW-1"}}, 1)); fmt.Sprint(hits) != "["+id+"-r2-001]" {
		t.Errorf("search after reindex: %v", hits)
	}
	if code, list := d.get("/api/v1/review"); code != 200 || list["total"] == nil {
		t.Errorf("review list: %d %v", code, list)
	} else {
		for _, x := range list["documents"].([]any) {
			if x.(map[string]any)["batch_id"] == id {
				t.Errorf("a reviewed document is still listed for review: %v", x)
			}
		}
	}
}

func (d *daemon) send(method, path, body string) (int, map[string]any) {
	d.t.Helper()
	req, _ := http.NewRequest(method, d.base+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Content-Type", "application/json")
	return d.do(req)
}

// waitRevision polls until the batch lists the documents of correction rev.
func (d *daemon) waitRevision(id string, rev int, limit time.Duration) map[string]any {
	d.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		_, b := d.get("/api/v1/batches/" + id)
		if latestRevision(b) >= rev {
			return b
		}
		time.Sleep(200 * time.Millisecond)
	}
	d.t.Fatalf("batch %s: revision %d not applied in %s", id, rev, limit)
	return nil
}

var revisionID = regexp.MustCompile(`-r(\d+)-\d+$`)

func latestRevision(b map[string]any) int {
	n := 0
	for _, id := range documentIDsOf(b) {
		if m := revisionID.FindStringSubmatch(id); m != nil {
			var r int
			fmt.Sscan(m[1], &r)
			n = max(n, r)
		}
	}
	return n
}

func documentIDsOf(b map[string]any) []string {
	docs, _ := b["documents"].([]any)
	ids := make([]string, 0, len(docs))
	for _, x := range docs {
		ids = append(ids, x.(map[string]any)["id"].(string))
	}
	return ids
}

func pdfPages(t *testing.T, d *daemon, docID string) int {
	out, err := exec.Command("pdfinfo", filedPDF(t, d, docID)).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	var n int
	if m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out); m != nil {
		fmt.Sscan(string(m[1]), &n)
	}
	return n
}

// filedPDF saves a filed document's PDF, as the API hands it out, for poppler's tools to read.
func filedPDF(t *testing.T, d *daemon, docID string) string {
	t.Helper()
	code, pdf := d.getRaw("/api/v1/documents/" + docID + "/pdf")
	if code != 200 {
		t.Fatalf("pdf of %s: %d", docID, code)
	}
	path := filepath.Join(t.TempDir(), docID+".pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
