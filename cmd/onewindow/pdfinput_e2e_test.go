package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/storage"
)

// PDFs as offices and banks send them: a born-digital application keeps its own words in the
// filed copy (not OCR of its rendering), and a PDF with only an owner password is filed, its
// restrictions noted in the record.
func TestPDFInputFiled(t *testing.T) {
	d, _, blobs, _ := archiveDaemon(t)
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "pipeline", "pages", "testdata", "pdf", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// A bank statement in grey 5 pt print, which OCR of its rendering all but loses.
	for _, name := range []string{"statement.pdf", "born-digital.pdf"} {
		pdf := fixture(name)
		want := pdfWords(t, pdf)
		b := d.uploadDone(map[string]string{"case_no": "PDF-IN-1", "station": "desk-1"}, 3*time.Minute, file{name, pdf})
		kept := keptWords(want, d.filedWords(t, b))
		t.Logf("%s: the filed copy keeps %d of the original's %d words (%.1f %%)", name, kept, len(want), 100*float64(kept)/float64(len(want)))
		if kept*100 < len(want)*95 {
			t.Errorf("%s: the filed copy keeps %d of %d words, want at least 95 %%", name, kept, len(want))
		}
	}
	want := pdfWords(t, fixture("born-digital.pdf"))

	b := d.uploadDone(map[string]string{"case_no": "PDF-IN-2", "station": "desk-1"}, 3*time.Minute, file{"statement.pdf", fixture("owner-restricted.pdf")})
	if kept := keptWords(want, d.filedWords(t, b)); kept*100 < len(want)*95 {
		t.Errorf("owner-password PDF: the filed copy keeps %d of %d words", kept, len(want))
	}
	const note = "statement.pdf: owner-password protected, printing and copying restricted"
	if got := fmt.Sprint(b["files"].([]any)[0].(map[string]any)["notes"]); !strings.Contains(note, strings.Trim(got, "[]")) || got == "[]" {
		t.Errorf("batch status: file notes %s", got)
	}
	for _, doc := range b["documents"].([]any) {
		data, err := blobs.Get(context.Background(), storage.Archive, storage.DocumentRecordKey(doc.(map[string]any)["id"].(string)))
		if err != nil {
			t.Fatal(err)
		}
		var rec archive.Record
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(fmt.Sprint(rec.Events), note) {
			t.Errorf("record %s: no note %q in %v", rec.DocumentID, note, rec.Events)
		}
	}

	// One that really needs a password is refused, saying what to do.
	code, body := d.upload(d.token, nil, nil, file{"locked.pdf", fixture("user-password.pdf")})
	if msg, _ := body["error"].(map[string]any)["message"].(string); code != 400 || errorCode(body) != "encrypted_pdf" || !strings.Contains(msg, "without a password") {
		t.Errorf("user-password PDF: %d %v", code, body)
	}
}

// filedWords is every word pdftotext reads from the filed PDFs of batch b, in order.
func (d *daemon) filedWords(t *testing.T, b map[string]any) []string {
	t.Helper()
	var words []string
	for _, doc := range b["documents"].([]any) {
		code, pdf := d.getRaw("/api/v1/documents/" + doc.(map[string]any)["id"].(string) + "/pdf")
		if code != 200 {
			t.Fatalf("filed pdf: %d", code)
		}
		words = append(words, pdfWords(t, pdf)...)
	}
	return words
}

func pdfWords(t *testing.T, pdf []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Fields(string(out))
}

// keptWords counts the words of want found in got, each occurrence once.
func keptWords(want, got []string) int {
	have := map[string]int{}
	for _, w := range got {
		have[w]++
	}
	kept := 0
	for _, w := range want {
		if have[w] > 0 {
			have[w]--
			kept++
		}
	}
	return kept
}
