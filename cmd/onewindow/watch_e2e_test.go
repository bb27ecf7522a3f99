package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/internal/clock"
	"onewindow/watch"
)

// A scanner that can only write to a share: files dropped into dev mode's --watch-dir are
// filed like uploads; a file of the wrong type ends in failed/ with the reason; a file still
// being written is left alone until it holds still.
func TestWatchedFolderFilesWhatScannersDrop(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, t.TempDir(), "ONEWINDOW_WATCH_DIR="+dir)
	day := clock.Clock{}.Date(time.Now()) // the hall's day (dev's default zone), which names the folders

	pdf := stackPages(t)[0].data
	caseDir := filepath.Join(dir, "JL-WATCH-1")
	if err := os.MkdirAll(caseDir, 0o755); err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(caseDir, "stack.pdf"), pdf, 0o644))
	must(t, os.WriteFile(filepath.Join(caseDir, "stack.pdf.done"), nil, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "notes.docx"), []byte("PK\x03\x04 not a scan"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "notes.docx.done"), nil, 0o644))
	growing := filepath.Join(dir, "growing.pdf")
	must(t, os.WriteFile(growing, pdf[:len(pdf)/2], 0o644))

	// Still being written: appended to every second for longer than a file must hold still,
	// and never taken meanwhile; once it stops growing it is taken (and, being half a PDF,
	// refused as a truncated file).
	for i := 0; i < 8; i++ {
		f, err := os.OpenFile(growing, os.O_APPEND|os.O_WRONLY, 0)
		must(t, err)
		_, _ = f.Write([]byte("\n% more"))
		f.Close()
		time.Sleep(time.Second)
		if _, err := os.Stat(growing); err != nil {
			t.Fatal("a file still being written was taken")
		}
	}
	if reason := waitFile(t, filepath.Join(dir, watch.FailedDir, day, "growing.pdf.reason.txt"), 60*time.Second); !strings.Contains(string(reason), "corrupt") {
		t.Errorf("reason for half a PDF: %q", reason)
	}

	note := waitFile(t, filepath.Join(dir, watch.DoneDir, day, "stack.pdf.batch.json"), 60*time.Second)
	var got struct {
		BatchID string `json:"batch_id"`
	}
	if err := json.Unmarshal(note, &got); err != nil || got.BatchID == "" {
		t.Fatalf("batch note %q: %v", note, err)
	}
	b := d.waitBatch(got.BatchID, 3*time.Minute)
	docs, _ := b["documents"].([]any)
	if b["status"] != "done" || len(docs) == 0 {
		t.Fatalf("the watched file's batch: %v", b)
	}
	_, doc := d.get("/api/v1/documents/" + docs[0].(map[string]any)["id"].(string))
	if doc["case_no"] != "JL-WATCH-1" {
		t.Errorf("case number from the folder name: %v", doc["case_no"])
	}
	reason := waitFile(t, filepath.Join(dir, watch.FailedDir, day, "notes.docx.reason.txt"), 30*time.Second)
	if !strings.Contains(string(reason), "unsupported_media_type") {
		t.Errorf("reason for the wrong file type: %q", reason)
	}
}

func waitFile(t *testing.T, path string, limit time.Duration) []byte {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil {
			return b
		}
	}
	t.Fatalf("%s did not appear within %s", path, limit)
	return nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
