package workers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"onewindow/internal/errs"
	"onewindow/pipeline/classify"
	"onewindow/storage"
	"sync"
	"time"
)

// ModelBlobs is the object storage the model store needs.
type ModelBlobs interface {
	Stat(ctx context.Context, bk storage.Bucket, key string) (storage.ObjectInfo, error)
	Open(ctx context.Context, bk storage.Bucket, key string) (io.ReadCloser, storage.ObjectInfo, error)
	PutIfMatch(ctx context.Context, bk storage.Bucket, key string, data []byte, etag, contentType string) (storage.ObjectInfo, error)
}

// ModelStore keeps the classifier's learned model in the work bucket (storage.ModelKey) and
// Model, which the planners classify with, in step with it. Every worker trains through it;
// writes are conditional on the ETag read, so concurrent trainers never lose each other's
// examples.
type ModelStore struct {
	Blobs ModelBlobs
	Model *classify.Model // shared with the planners; reloaded in place

	mu   sync.Mutex
	etag string
}

// Example is one document of a type a person stated.
type Example struct {
	DocumentID string
	Type       string
	Text       string
}

// Refresh reloads the model if the stored object changed; a Stat when it did not.
func (s *ModelStore) Refresh(ctx context.Context) error {
	info, err := s.Blobs.Stat(ctx, storage.Work, storage.ModelKey)
	if errs.KindOf(err) == errs.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	same := info.ETag == s.etag
	s.mu.Unlock()
	if same {
		return nil
	}
	stored, etag, err := s.load(ctx)
	if err != nil {
		return err
	}
	return s.adopt(stored, etag)
}

// Train adds examples not trained before and stores the model; it returns how many it added.
func (s *ModelStore) Train(ctx context.Context, examples []Example) (int, error) {
	for attempt := 0; ; attempt++ {
		stored, etag, err := s.load(ctx)
		if err != nil {
			return 0, err
		}
		m := classify.NewModel()
		if stored.Model != nil {
			if err := m.UnmarshalJSON(stored.Model); err != nil {
				return 0, errs.E("workers.ModelStore", errs.Internal, "bad_model", "The stored classifier model does not load.", err)
			}
		}
		added := 0
		for _, e := range examples {
			if _, done := stored.Trained[e.DocumentID]; done {
				continue
			}
			m.Train(e.Text, e.Type)
			stored.Trained[e.DocumentID] = e.Type
			added++
		}
		if added == 0 {
			return 0, s.adopt(stored, etag)
		}
		stored.Model, _ = m.MarshalJSON()
		stored.UpdatedAt = time.Now().UTC()
		data, _ := json.Marshal(stored)
		info, err := s.Blobs.PutIfMatch(ctx, storage.Work, storage.ModelKey, data, etag, "application/json")
		if errors.Is(err, storage.ErrChanged) && attempt < 20 {
			continue // another worker trained meanwhile: start again from its model
		}
		if err != nil {
			return 0, err
		}
		return added, s.adopt(stored, info.ETag)
	}
}

// load reads the stored model; none yet is an empty one with ETag "".
func (s *ModelStore) load(ctx context.Context) (*storage.StoredModel, string, error) {
	stored := &storage.StoredModel{Trained: map[string]string{}}
	rc, info, err := s.Blobs.Open(ctx, storage.Work, storage.ModelKey)
	if errs.KindOf(err) == errs.NotFound {
		return stored, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(stored); err != nil {
		return nil, "", errs.E("workers.ModelStore", errs.Internal, "bad_model", "The stored classifier model is not valid JSON.", err)
	}
	if stored.Trained == nil {
		stored.Trained = map[string]string{}
	}
	return stored, info.ETag, nil
}

func (s *ModelStore) adopt(stored *storage.StoredModel, etag string) error {
	if s.Model != nil && stored.Model != nil {
		if err := s.Model.UnmarshalJSON(stored.Model); err != nil {
			return errs.E("workers.ModelStore", errs.Internal, "bad_model", "The stored classifier model does not load.", err)
		}
	}
	s.mu.Lock()
	s.etag = etag
	s.mu.Unlock()
	return nil
}
