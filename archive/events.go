package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"onewindow/storage"
)

// Events that happen after filing (a legal hold set or released, an import) cannot go into the
// write-once record; each is its own write-once object beside it, under the same retention.

// EventKey is where an event of a filed document is kept.
func EventKey(docID string, e Event) string { return storage.DocumentEventKey(docID, e.Time, e.Type) }

// SaveEvent files e beside the document's record.
func SaveEvent(ctx context.Context, s Store, docID string, e Event, o storage.PutOptions) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	o.ContentType, o.IfAbsent = "application/json", true
	if _, err := s.PutBytes(ctx, storage.Archive, EventKey(docID, e), data, o); err != nil {
		return fmt.Errorf("event %s of %s: %w", e.Type, docID, err)
	}
	return nil
}

// LoadEvents reads the events filed after the record, oldest first.
func LoadEvents(ctx context.Context, s Store, docID string) ([]Event, error) {
	var events []Event
	for o, err := range s.List(ctx, storage.Archive, storage.DocumentEventsPrefix(docID)) {
		if err != nil {
			return nil, err
		}
		if !strings.HasSuffix(o.Key, ".json") {
			continue
		}
		data, err := s.Get(ctx, storage.Archive, o.Key)
		if err != nil {
			return nil, err
		}
		var e Event
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("event %s: %w", o.Key, err)
		}
		events = append(events, e)
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time.Before(events[j].Time) })
	return events, nil
}
