package workers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"onewindow/archive"
	"onewindow/storage"
)

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
		want  []archive.Event
	}{
		{"both pages of the noted file", []int{0, 1}, []archive.Event{
			{Type: "received", Agent: "onewindow", Time: at, Detail: "statement.pdf: owner-password protected, printing restricted"}}},
		{"a file without notes", []int{2}, nil},
		{"an unnamed file goes by its kind", []int{2, 3}, []archive.Event{
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
