package archive

import (
	"slices"
	"time"

	"onewindow/storage"
)

// flagActiveContent carries intake's active-content flags into a record: on each original
// that has some, and on the record itself when any of its pages came from such a file, so
// an archivist sees the flag without opening the batch.
func flagActiveContent(rec *Record, files []storage.BatchFile) {
	kinds := map[string][]string{}
	for _, f := range files {
		if len(f.ActiveContent) > 0 {
			kinds[storage.OriginalKey(f.SHA256)] = f.ActiveContent
		}
	}
	if len(kinds) == 0 {
		return
	}
	for i := range rec.Files {
		if rec.Files[i].Role == "original" {
			rec.Files[i].ActiveContent = kinds[rec.Files[i].Key]
		}
	}
	var found []string
	for _, page := range rec.Pages {
		if f, ok := fileOfPage(files, page); ok {
			found = append(found, f.ActiveContent...)
		}
	}
	slices.Sort(found)
	rec.ActiveContent = slices.Compact(found)
}

// fileOfPage is the uploaded file that upload page index came from: files hold their pages
// in upload order.
func fileOfPage(files []storage.BatchFile, index int) (storage.BatchFile, bool) {
	for _, f := range files {
		if index < f.Pages {
			return f, index >= 0
		}
		index -= f.Pages
	}
	return storage.BatchFile{}, false
}

// readingNotes are the record's events for what intake noted on the files the document's pages
// (upload indexes) came from: an owner password's restrictions, a repaired file.
func readingNotes(files []storage.BatchFile, pages []int, at time.Time) []Event {
	var events []Event
	seen := map[string]bool{}
	for _, page := range pages {
		f, ok := fileOfPage(files, page)
		if !ok || seen[f.SHA256] {
			continue
		}
		seen[f.SHA256] = true
		name := f.Name
		if name == "" {
			name = f.Kind
		}
		for _, n := range f.Notes {
			events = append(events, Event{Type: "received", Agent: "onewindow", Time: at, Detail: name + ": " + n})
		}
	}
	return events
}
