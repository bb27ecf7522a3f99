package workers

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"onewindow/archive"
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
	originals := func() []archive.File {
		var out []archive.File
		for _, f := range files {
			out = append(out, archive.File{Role: "original", Key: storage.OriginalKey(f.SHA256)})
		}
		return append(out, archive.File{Role: "pdf", Key: "documents/x/document.pdf"})
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
			rec := archive.Record{Pages: tt.pages, Files: originals()}
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
	clean := archive.Record{Pages: []int{0}, Files: originals()}
	flagActiveContent(&clean, files[:1])
	if clean.ActiveContent != nil {
		t.Errorf("an upload without active content is flagged: %v", clean.ActiveContent)
	}
}
