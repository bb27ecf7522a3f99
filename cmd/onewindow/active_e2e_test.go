package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/testfixtures"
	"onewindow/storage"
)

// A PDF that runs JavaScript when opened is filed as evidence and flagged: in the batch
// status, in the record of the document made from its pages (not in the record of a document
// from another file of the upload), and on the original each record lists.
func TestActiveContentReachesTheRecord(t *testing.T) {
	d, _, blobs, _ := archiveDaemon(t)
	form := testfixtures.TextPage(t, "授权委托书", "委托人：杨佳", "Power of Attorney for permit application")
	letter := testfixtures.TextPage(t, "容缺受理承诺书", "承诺人：刘勇然", "Commitment letter")
	withJS := openActionJS(t, testfixtures.ScanPDF(t, form))
	b := d.uploadDone(map[string]string{"case_no": "JL-ACTIVE-1"}, 3*time.Minute,
		file{"form.pdf", withJS}, file{"sep.jpg", testfixtures.JPEG(t, testfixtures.SeparatorPage(t, "PATCH T"))},
		file{"letter.jpg", testfixtures.JPEG(t, letter)})
	if got := fmt.Sprint(b["files"].([]any)[0].(map[string]any)["active_content"]); got != "[javascript]" {
		t.Errorf("batch status: file 1 active content %s", got)
	}
	docs := b["documents"].([]any)
	if len(docs) != 2 {
		t.Fatalf("documents: %v", docs)
	}
	for _, doc := range docs {
		id := doc.(map[string]any)["id"].(string)
		data, err := blobs.Get(context.Background(), storage.Archive, storage.DocumentRecordKey(id))
		if err != nil {
			t.Fatal(err)
		}
		var rec archive.Record
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatal(err)
		}
		want := []string(nil)
		if slices.Contains(rec.Pages, 0) {
			want = []string{"javascript"}
		}
		if !slices.Equal(rec.ActiveContent, want) {
			t.Errorf("record of %s (pages %v): active_content %v, want %v", id, rec.Pages, rec.ActiveContent, want)
		}
		flagged := 0
		for _, f := range rec.Files {
			if f.Role == "original" && slices.Equal(f.ActiveContent, []string{"javascript"}) {
				flagged++
			}
		}
		if flagged != 1 {
			t.Errorf("record of %s: %d originals flagged, want the PDF alone", id, flagged)
		}
	}
}

// openActionJS adds to pdf, as an incremental update, a catalog whose OpenAction runs
// JavaScript: what a hostile scan would carry.
func openActionJS(t *testing.T, pdf []byte) []byte {
	t.Helper()
	trailer := regexp.MustCompile(`/Size (\d+) /Root (\d+) 0 R`).FindSubmatch(pdf)
	start := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`).FindSubmatch(pdf)
	if trailer == nil || start == nil {
		t.Fatal("test PDF: no classic trailer")
	}
	size, _ := strconv.Atoi(string(trailer[1]))
	root := string(trailer[2])
	catalog := regexp.MustCompile(`(?s)\n` + root + ` 0 obj\s*<<(.*?)>>\s*endobj`).FindSubmatch(pdf)
	if catalog == nil {
		t.Fatal("test PDF: no catalog")
	}
	var b bytes.Buffer
	b.Write(pdf)
	if !bytes.HasSuffix(pdf, []byte("\n")) {
		b.WriteByte('\n')
	}
	jsAt := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n", size)
	rootAt := b.Len()
	fmt.Fprintf(&b, "%s 0 obj\n<<%s /OpenAction %d 0 R >>\nendobj\n", root, catalog[1], size)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n%s 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n", root, rootAt, size, jsAt)
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %s 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n", size+1, root, start[1], xref)
	return b.Bytes()
}
