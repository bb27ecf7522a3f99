package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"onewindow/internal/errs"
	"onewindow/storage"
)

// memBlobs keeps small objects in memory; large ones are read through and only their size
// and digest kept, so streaming tests measure the server, not the fake.
type memBlobs struct {
	mu      sync.Mutex
	objects map[string][]byte
	sizes   map[string]int64
}

func newMemBlobs() *memBlobs {
	return &memBlobs{objects: map[string][]byte{}, sizes: map[string]int64{}}
}

func (m *memBlobs) Put(_ context.Context, bk storage.Bucket, key string, r io.Reader, _ int64, o storage.PutOptions) (storage.ObjectInfo, error) {
	m.mu.Lock()
	_, taken := m.sizes[key]
	m.mu.Unlock()
	if taken && o.IfAbsent {
		return storage.ObjectInfo{}, storage.ErrExists
	}
	var buf bytes.Buffer
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(h, limitedWriter{&buf, 1 << 20}), r, make([]byte, 64<<10))
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n <= 1<<20 {
		m.objects[key] = buf.Bytes()
	}
	m.sizes[key] = n
	return storage.ObjectInfo{Key: key, Size: n}, nil
}

type limitedWriter struct {
	b   *bytes.Buffer
	max int
}

func (l limitedWriter) Write(p []byte) (int, error) {
	if l.b.Len()+len(p) <= l.max {
		l.b.Write(p)
	}
	return len(p), nil
}

func (m *memBlobs) PutBytes(ctx context.Context, bk storage.Bucket, key string, data []byte, o storage.PutOptions) (storage.ObjectInfo, error) {
	return m.Put(ctx, bk, key, bytes.NewReader(data), int64(len(data)), o)
}

func (m *memBlobs) Open(_ context.Context, _ storage.Bucket, key string) (io.ReadCloser, storage.ObjectInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objects[key]
	if !ok {
		return nil, storage.ObjectInfo{}, errs.E("fake", errs.NotFound, "not_found", "No such object.", nil)
	}
	return io.NopCloser(bytes.NewReader(data)), storage.ObjectInfo{Key: key, Size: int64(len(data)), ETag: "e-" + key}, nil
}

func (m *memBlobs) Get(ctx context.Context, bk storage.Bucket, key string) ([]byte, error) {
	rc, _, err := m.Open(ctx, bk, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (m *memBlobs) Exists(_ context.Context, _ storage.Bucket, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.sizes[key]
	return ok, nil
}

func (m *memBlobs) List(_ context.Context, _ storage.Bucket, prefix string) iter.Seq2[storage.ObjectInfo, error] {
	return func(yield func(storage.ObjectInfo, error) bool) {
		m.mu.Lock()
		var keys []string
		for k := range m.sizes {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		m.mu.Unlock()
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(storage.ObjectInfo{Key: k}, nil) {
				return
			}
		}
	}
}

func (m *memBlobs) Ping(context.Context) error { return nil }

func (m *memBlobs) has(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.sizes[key]
	return ok
}

// memState is Redis as the API uses it; lose() is a Redis restart without persistence.
type memState struct {
	mu      sync.Mutex
	batches map[string]storage.Batch
	docs    map[string]storage.Document
	idem    map[string]string
	recv    map[string]string
}

func newMemState() *memState {
	s := &memState{}
	s.lose()
	return s
}

func (s *memState) lose() {
	s.batches, s.docs = map[string]storage.Batch{}, map[string]storage.Document{}
	s.idem, s.recv = map[string]string{}, map[string]string{}
}

func (s *memState) PutBatch(_ context.Context, b *storage.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches[b.ID] = *b
	if b.IdempotencyKey != "" && s.idem[b.IdempotencyKey] == "" {
		s.idem[b.IdempotencyKey] = b.ID
	}
	return nil
}

func (s *memState) GetBatch(_ context.Context, id string) (*storage.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.batches[id]
	if !ok {
		return nil, errs.E("fake", errs.NotFound, "batch_not_found", "No batch has that ID.", nil)
	}
	return &b, nil
}

func (s *memState) IdempotentBatch(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idem[key], nil
}

func (s *memState) ClaimIdempotencyKey(_ context.Context, key, id string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if have := s.idem[key]; have != "" {
		return have, have == id, nil
	}
	s.idem[key] = id
	return id, true, nil
}

func (s *memState) ReleaseIdempotencyKey(_ context.Context, key, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idem[key] == id {
		delete(s.idem, key)
	}
	return nil
}

func (s *memState) MarkReceiving(_ context.Context, key, id string, _ time.Duration) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if have := s.recv[key]; have != "" {
		return have, have == id, nil
	}
	s.recv[key] = id
	return id, true, nil
}

func (s *memState) ExtendReceiving(context.Context, string, string, time.Duration) error { return nil }

func (s *memState) DoneReceiving(_ context.Context, key, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recv[key] == id {
		delete(s.recv, key)
	}
	return nil
}

func (s *memState) GetDocument(_ context.Context, id string) (*storage.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.docs[id]
	if !ok {
		return nil, errs.E("fake", errs.NotFound, "document_not_found", "No document has that ID.", nil)
	}
	return &d, nil
}

func (s *memState) Ping(context.Context) error { return nil }

// OpenSeeker makes memBlobs serve Range requests as storage.Blobs does.
func (m *memBlobs) OpenSeeker(_ context.Context, _ storage.Bucket, key string) (io.ReadSeekCloser, storage.ObjectInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objects[key]
	if !ok {
		return nil, storage.ObjectInfo{}, errs.E("fake", errs.NotFound, "not_found", "No such object.", nil)
	}
	return nopSeekCloser{bytes.NewReader(data)}, storage.ObjectInfo{Key: key, Size: int64(len(data))}, nil
}

type nopSeekCloser struct{ io.ReadSeeker }

func (nopSeekCloser) Close() error { return nil }
