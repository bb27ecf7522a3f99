package storage_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"onewindow/internal/errs"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// CompareReplica against two real MinIOs whose objects the test writes itself: what the copy
// lacks, holds in another version or holds after a delete is counted, bucket by bucket.
func TestCompareReplica(t *testing.T) {
	ctx := context.Background()
	a, b := testenv.StartSite(t, "a"), testenv.StartSite(t, "b")
	if _, err := storage.OpenReplica(ctx, b.S3Options("cmp")); errs.CodeOf(err) != "replica_bucket_missing" {
		t.Errorf("a copy without the buckets: %v, want replica_bucket_missing", err)
	}
	wrong := b.S3Options("cmp")
	wrong.SecretKey = "not-the-secret"
	if _, err := storage.OpenReplica(ctx, wrong); errs.CodeOf(err) != "storage_access_denied" {
		t.Errorf("a wrong key: %v, want storage_access_denied", err)
	}
	primary, err := storage.OpenBlobs(ctx, a.S3Options("cmp"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storage.OpenBlobs(ctx, b.S3Options("cmp")); err != nil {
		t.Fatal(err)
	}
	replica, err := storage.OpenReplica(ctx, b.S3Options("cmp"))
	if err != nil {
		t.Fatal(err)
	}
	put := func(bl *storage.Blobs, bk storage.Bucket, key, data string) {
		t.Helper()
		if _, err := bl.PutBytes(ctx, bk, key, []byte(data), storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"a", "b/1", "b/2"} {
		put(primary, storage.Inbox, k, "same "+k)
		put(replica, storage.Inbox, k, "same "+k)
	}
	put(primary, storage.Inbox, "c", "only in the primary")
	put(primary, storage.Inbox, "d", "one thing")
	put(replica, storage.Inbox, "d", "another")
	put(replica, storage.Inbox, "e", "only in the copy")
	// Written on each side alone, the same bytes are two versions: not a copy.
	put(primary, storage.Archive, "x", "same bytes")
	put(replica, storage.Archive, "x", "same bytes")

	lags, err := storage.CompareReplica(ctx, primary, replica)
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.ReplicaLag{
		{Bucket: "cmp-inbox", Objects: 5, Copied: 3, Missing: 1, Differ: 1, Extra: 1, Examples: []string{"c", "d", "e"}},
		{Bucket: "cmp-work"},
		{Bucket: "cmp-archive", Objects: 1, Differ: 1, Examples: []string{"x"}},
	}
	if diff := cmp.Diff(want, lags); diff != "" {
		t.Errorf("lags (-want +got):\n%s", diff)
	}
	if lags[1].Current() != true || lags[0].Current() {
		t.Errorf("Current: %v %v", lags[0].Current(), lags[1].Current())
	}
}
