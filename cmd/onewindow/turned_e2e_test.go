package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/testfixtures"
)

// TestTurnedPageReadAgain: a page scanned sideways that orientation detection left sideways
// reads as nothing. A reviewer turns it the right way up; the refiled document's text, its
// PDF's text layer and the record then hold the page's words read upright.
func TestTurnedPageReadAgain(t *testing.T) {
	d, _, blobs, _ := archiveDaemon(t)
	poa := testfixtures.TextPage(t, "授权委托书", "委托人：杨佳  身份证号码：220103198909195957",
		"现委托受托人代为办理食品经营许可相关事宜。")
	signed := testfixtures.Rotate90(testfixtures.TextPage(t, "承诺人：刘勇然", "2024年5月6日"))
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
	rec, err := archive.ReadRecord(context.Background(), blobs, docs[0])
	if err != nil {
		t.Fatal(err)
	}
	if events := fmt.Sprint(rec.Events); !strings.Contains(events, "read again as the reviewer turned it: page 2 turned 270°") {
		t.Errorf("record events: %v", events)
	}
}

func squashSpace(s string) string { return strings.Join(strings.Fields(s), "") }
