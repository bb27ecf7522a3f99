package storage

import (
	"context"
	"encoding/json"
	"testing"

	"onewindow/internal/errs"
)

type lostIndex struct{}

func (lostIndex) GetBatch(context.Context, string) (*Batch, error) {
	return nil, errs.E("test", errs.NotFound, "not_found", "Redis lost it.", nil)
}

type manifests map[string][]byte

func (m manifests) Get(_ context.Context, _ Bucket, key string) ([]byte, error) {
	if data, ok := m[key]; ok {
		return data, nil
	}
	return nil, errs.E("test", errs.NotFound, "not_found", "No such object.", nil)
}

// A batch Redis lost is read from its manifest; one nobody has is batch_not_found.
func TestLoadBatchFallsBackToTheManifest(t *testing.T) {
	data, _ := json.Marshal(Batch{ID: "b1", Status: StatusDone, CaseNo: "C1"})
	blobs := manifests{ManifestKey("b1"): data}
	b, err := LoadBatch(context.Background(), lostIndex{}, blobs, "b1")
	if err != nil || b.Status != StatusDone || b.CaseNo != "C1" {
		t.Fatalf("lost batch: %+v, %v", b, err)
	}
	if _, err := LoadBatch(context.Background(), lostIndex{}, blobs, "b2"); errs.CodeOf(err) != "batch_not_found" {
		t.Errorf("unknown batch: %v, want batch_not_found", err)
	}
}
