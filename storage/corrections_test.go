package storage_test

import (
	"context"
	"errors"
	"testing"

	"onewindow/internal/testenv"
	"onewindow/storage"
)

// The model is shared by every worker; a write based on a stale read must be refused.
func TestPutIfMatchRefusesStaleWrites(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	b := testenv.Blobs(t, svc)
	first, err := b.PutIfMatch(ctx, storage.Work, storage.ModelKey, []byte("v1"), "", "application/json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutIfMatch(ctx, storage.Work, storage.ModelKey, []byte("v1 again"), "", "application/json"); !errors.Is(err, storage.ErrChanged) {
		t.Fatalf("create over an existing object: %v, want ErrChanged", err)
	}
	second, err := b.PutIfMatch(ctx, storage.Work, storage.ModelKey, []byte("v2"), first.ETag, "application/json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutIfMatch(ctx, storage.Work, storage.ModelKey, []byte("lost"), first.ETag, "application/json"); !errors.Is(err, storage.ErrChanged) {
		t.Fatalf("write from a stale read: %v, want ErrChanged", err)
	}
	got, err := b.Get(ctx, storage.Work, storage.ModelKey)
	if err != nil || string(got) != "v2" {
		t.Fatalf("stored %q, %v; want v2 (etag %s)", got, err, second.ETag)
	}
}
