package archive

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"onewindow/storage"
)

// A document is flagged for the active content of the files its pages came from, and each
// original listed in its record for its own.
func TestFlagActiveContent(t *testing.T) {
	files := []storage.BatchFile{
		{SHA256: "aa" + "11", Pages: 2},
		{SHA256: "bb" + "22", Pages: 3, ActiveContent: []string{"javascript", "launch_action"}},
		{SHA256: "cc" + "33", Pages: 1, ActiveContent: []string{"embedded_file", "javascript"}},
	}
	originals := func() []File {
		var out []File
		for _, f := range files {
			out = append(out, File{Role: "original", Key: storage.OriginalKey(f.SHA256)})
		}
		return append(out, File{Role: "pdf", Key: "documents/x/document.pdf"})
	}
	tests := []struct {
		name  string
		pages []int
		want  []string
	}{
		{"clean file only", []int{0, 1}, nil},
		{"one flagged page", []int{1, 2}, []string{"javascript", "launch_action"}},
		{"two flagged files", []int{4, 5}, []string{"embedded_file", "javascript", "launch_action"}},
		{"page beyond the files", []int{9}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := Record{Pages: tt.pages, Files: originals()}
			flagActiveContent(&rec, files)
			if diff := cmp.Diff(tt.want, rec.ActiveContent); diff != "" {
				t.Errorf("record flag (-want +got):\n%s", diff)
			}
			for i, f := range rec.Files[:len(files)] {
				if diff := cmp.Diff(files[i].ActiveContent, f.ActiveContent); diff != "" {
					t.Errorf("original %d (-want +got):\n%s", i, diff)
				}
			}
			if rec.Files[len(files)].ActiveContent != nil {
				t.Error("the filed PDF is flagged")
			}
		})
	}
	clean := Record{Pages: []int{0}, Files: originals()}
	flagActiveContent(&clean, files[:1])
	if clean.ActiveContent != nil {
		t.Errorf("an upload without active content is flagged: %v", clean.ActiveContent)
	}
}

// A record carries the notes of the files its pages came from, once a file, and no others'.
func TestReadingNotes(t *testing.T) {
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	files := []storage.BatchFile{
		{SHA256: "a", Name: "statement.pdf", Pages: 2, Notes: []string{"owner-password protected, printing restricted"}},
		{SHA256: "b", Name: "letter.jpg", Pages: 1},
		{SHA256: "c", Kind: "pdf", Pages: 1, Notes: []string{"damaged file, read after repair"}},
	}
	tests := []struct {
		name  string
		pages []int
		want  []Event
	}{
		{"both pages of the noted file", []int{0, 1}, []Event{
			{Type: "received", Agent: "onewindow", Time: at, Detail: "statement.pdf: owner-password protected, printing restricted"}}},
		{"a file without notes", []int{2}, nil},
		{"an unnamed file goes by its kind", []int{2, 3}, []Event{
			{Type: "received", Agent: "onewindow", Time: at, Detail: "pdf: damaged file, read after repair"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, readingNotes(files, tt.pages, at)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}
