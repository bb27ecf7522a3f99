package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/testfixtures"
	"onewindow/storage"
)

// TestTurnedPageReadAgain: a page scanned sideways that orientation detection left sideways
// reads as nothing. A reviewer turns it the right way up; the refiled document's text, its
// PDF's text layer and the record then hold the page's words read upright.
func TestTurnedPageReadAgain(t *testing.T) {
	const viewerToken = "viewer-token-for-the-turned-page-0123"
	d, _, blobs, _ := archiveDaemon(t, "ONEWINDOW_TOKENS_FILE="+viewerTokens(t, viewerToken), "ONEWINDOW_VIEWER_PDF=redacted")
	poa := testfixtures.TextPage(t, "授权委托书", "委托人：杨佳  身份证号码：220103198909195957",
		"现委托受托人代为办理食品经营许可相关事宜。")
	const turnedID = "11010519491231002X"
	signed := testfixtures.Rotate90(testfixtures.TextPage(t, "承诺人：刘勇然", "身份证号码："+turnedID, "2024年5月6日"))
	b := d.uploadDone(map[string]string{"case_no": "JL-TURN-1"}, 3*time.Minute, file{"scan.pdf", testfixtures.ScanPDF(t, poa, signed)})
	id := b["id"].(string)
	var before strings.Builder
	for _, doc := range documentIDsOf(b) {
		_, text := d.getRaw("/api/v1/documents/" + doc + "/text")
		before.Write(text)
	}
	if strings.Contains(squashSpace(before.String()), "刘勇然") {
		t.Fatalf("the sideways page was read upright as filed, nothing to correct: %q", before.String())
	}

	turn := `{"documents": [{"pages": [0, 1], "rotations": {"1": 270}}], "reason": "page 2 lies sideways"}`
	if code, body := d.send("PUT", "/api/v1/batches/"+id+"/documents", turn); code != 202 {
		t.Fatalf("correction: %d %v", code, body)
	}
	b = d.waitRevision(id, 1, 2*time.Minute)
	docs := documentIDsOf(b)
	if len(docs) != 1 {
		t.Fatalf("corrected batch documents: %v", b["documents"])
	}
	_, text := d.getRaw("/api/v1/documents/" + docs[0] + "/text")
	if s := squashSpace(string(text)); !strings.Contains(s, "刘勇然") || !strings.Contains(s, "2024年5月6日") {
		t.Errorf("refiled text: %q, want the turned page read upright", text)
	}
	pdf := filedPDF(t, d, docs[0])
	if out, err := exec.Command("pdftotext", "-f", "2", "-l", "2", pdf, "-").Output(); err != nil || !strings.Contains(squashSpace(string(out)), "刘勇然") {
		t.Errorf("pdftotext of the turned page: %q %v", out, err)
	}
	if rot := pageRotation(t, d, docs[0], 2); rot != 270 {
		t.Errorf("page 2 of the refiled PDF turned %d, want 270", rot)
	}
	checkTurnedRedacted(t, d, viewerToken, docs[0], turnedID)
	rec, err := archive.ReadRecord(context.Background(), blobs, docs[0])
	if err != nil {
		t.Fatal(err)
	}
	if events := fmt.Sprint(rec.Events); !strings.Contains(events, "read again as the reviewer turned it: page 2 turned 270°") {
		t.Errorf("record events: %v", events)
	}

	// A later correction of the same document takes the reading kept, not a second one.
	key := storage.TurnedOCRKey(id, 1, 270)
	kept, err := blobs.Stat(context.Background(), storage.Work, key)
	if err != nil {
		t.Fatalf("the turned page's reading is not kept: %v", err)
	}
	retype := `{"documents": [{"pages": [0, 1], "rotations": {"1": 270}, "type": "commitment_letter"}], "reason": "type"}`
	if code, body := d.send("PUT", "/api/v1/batches/"+id+"/documents", retype); code != 202 {
		t.Fatalf("second correction: %d %v", code, body)
	}
	docs = documentIDsOf(d.waitRevision(id, 2, 2*time.Minute))
	if _, text := d.getRaw("/api/v1/documents/" + docs[0] + "/text"); !strings.Contains(squashSpace(string(text)), "刘勇然") {
		t.Errorf("text after the second correction: %q", text)
	}
	if again, err := blobs.Stat(context.Background(), storage.Work, key); err != nil || again.ETag != kept.ETag || !again.LastModified.Equal(kept.LastModified) {
		t.Errorf("the turned page was read again: %+v, was %+v (%v)", again, kept, err)
	}
}

// The copy a viewer gets covers the number the second reading found, on the page shown
// turned as the filed one.
func checkTurnedRedacted(t *testing.T, d *daemon, token, doc, id string) {
	t.Helper()
	req, _ := http.NewRequest("GET", d.base+"/api/v1/documents/"+doc+"/pdf", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("viewer's copy: %d %s", resp.StatusCode, body)
	}
	path := filepath.Join(t.TempDir(), "redacted.pdf")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	text, _ := exec.Command("pdftotext", "-f", "2", "-l", "2", path, "-").Output()
	if s := squashSpace(string(text)); strings.Contains(s, id[6:14]) || !strings.Contains(s, "刘勇然") {
		t.Errorf("text layer of the viewer's page 2: %q", text)
	}
	png := filepath.Join(t.TempDir(), "page2")
	if out, err := exec.Command("pdftoppm", "-f", "2", "-l", "2", "-r", "200", "-gray", "-png", "-singlefile", path, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	seen, _ := exec.Command("tesseract", png+".png", "-", "-l", "chi_sim", "--psm", "6").Output()
	if s := squashSpace(string(seen)); strings.Contains(s, id[6:14]) || !strings.Contains(s, "刘勇然") {
		t.Errorf("the viewer's page 2 as shown reads %q: want the name upright and the number covered", seen)
	}
}

func squashSpace(s string) string { return strings.Join(strings.Fields(s), "") }
