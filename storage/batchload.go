package storage

import (
	"context"

	"onewindow/internal/errs"
)

// BatchGetter reads a batch from the Redis index.
type BatchGetter interface {
	GetBatch(ctx context.Context, id string) (*Batch, error)
}

// LoadBatch is the one way to read a batch: from the Redis index, or from its manifest in
// the inbox when Redis lost it (MinIO is the record; Redis can always be rebuilt). A batch
// neither has is batch_not_found.
func LoadBatch(ctx context.Context, index BatchGetter, blobs bytesGetter, id string) (*Batch, error) {
	b, err := index.GetBatch(ctx, id)
	if errs.KindOf(err) != errs.NotFound {
		return b, err
	}
	b, err = LoadManifest(ctx, blobs, id)
	if errs.KindOf(err) == errs.NotFound {
		return nil, errs.E("storage.LoadBatch", errs.NotFound, "batch_not_found", "No batch has that ID.", err)
	}
	return b, err
}
