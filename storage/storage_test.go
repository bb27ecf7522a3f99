package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"onewindow/internal/errs"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

func TestBlobsAgainstRealMinIO(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	b := testenv.Blobs(t, svc)
	// Opening again finds the buckets and changes nothing.
	if _, err := storage.OpenBlobs(ctx, testenv.S3Options(svc)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutBytes(ctx, storage.Inbox, "a/b", []byte("hello"), storage.PutOptions{ContentType: "text/plain"}); err != nil {
		t.Fatal(err)
	}
	got, err := b.Get(ctx, storage.Inbox, "a/b")
	if err != nil || string(got) != "hello" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if _, err := b.PutBytes(ctx, storage.Inbox, "a/b", []byte("again"), storage.PutOptions{IfAbsent: true}); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("IfAbsent put over an existing key: %v, want ErrExists", err)
	}
	if _, err := b.Get(ctx, storage.Inbox, "missing"); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("missing key: %v, want NotFound", err)
	}
	n := 0
	for o, err := range b.List(ctx, storage.Inbox, "a/") {
		if err != nil {
			t.Fatal(err)
		}
		if o.Key != "a/b" || o.Size != 5 {
			t.Errorf("listed %+v", o)
		}
		n++
	}
	if n != 1 {
		t.Errorf("listed %d objects, want 1", n)
	}
}

func TestRetainedArchiveObjectCannotBeDeleted(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	b := testenv.Blobs(t, svc)
	info, err := b.Put(ctx, storage.Archive, "documents/x/document.pdf", bytes.NewReader([]byte("%PDF-")), 5,
		storage.PutOptions{IfAbsent: true, RetainUntil: time.Now().Add(24 * time.Hour), RetentionMode: "GOVERNANCE"})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Client().RemoveObject(ctx, b.Name(storage.Archive), "documents/x/document.pdf",
		minio.RemoveObjectOptions{VersionID: info.VersionID})
	if err == nil {
		t.Fatal("deleting a retained version succeeded")
	}
	if _, err := b.PutBytes(ctx, storage.Archive, "documents/x/document.pdf", []byte("forged"), storage.PutOptions{IfAbsent: true}); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("overwriting a filed object: %v, want ErrExists", err)
	}
}

// TestExtendRetentionOnlyLengthens: a shared original is kept as long as the longest-kept
// document made from it needs, and a shorter request leaves a longer lock alone.
func TestExtendRetentionOnlyLengthens(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	b := testenv.Blobs(t, svc)
	key := storage.OriginalKey("ab" + strings.Repeat("0", 62))
	day := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second)
	if _, err := b.PutBytes(ctx, storage.Archive, key, []byte("scan"), storage.PutOptions{IfAbsent: true,
		RetainUntil: day, RetentionMode: "GOVERNANCE"}); err != nil {
		t.Fatal(err)
	}
	year := day.AddDate(1, 0, 0)
	for _, until := range []time.Time{year, day} {
		if err := b.ExtendRetention(ctx, storage.Archive, key, "GOVERNANCE", until); err != nil {
			t.Fatal(err)
		}
		if lock, err := b.LockOf(ctx, storage.Archive, key); err != nil || !lock.Until.Equal(year) || lock.Mode != "GOVERNANCE" {
			t.Fatalf("after extending to %s: %+v %v, want GOVERNANCE until %s", until, lock, err, year)
		}
	}
}

// TestPresignedLinkNamesThePublicAddress: with a public URL set, a link names that address, and
// MinIO honours it when a proxy passes that Host on (simulated here by setting Host).
func TestPresignedLinkNamesThePublicAddress(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	opt := testenv.S3Options(svc)
	opt.PublicURL = "https://files.hall.example"
	b, err := storage.OpenBlobs(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutBytes(ctx, storage.Archive, "documents/p/text.txt", []byte("正文"), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	link, err := b.PresignGet(ctx, storage.Archive, "documents/p/text.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(link)
	if u.Scheme != "https" || u.Host != "files.hall.example" {
		t.Fatalf("link %s does not name the public address", link)
	}
	fetch := func(host string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+opt.Endpoint+u.RequestURI(), nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := fetch("files.hall.example"); code != 200 || body != "正文" {
		t.Errorf("through the proxy: %d %q", code, body)
	}
	if code, _ := fetch(opt.Endpoint); code != http.StatusForbidden {
		t.Errorf("the same link at another address: %d, want 403 (the signature covers the host)", code)
	}
}

func TestStateCountsEachPageOnce(t *testing.T) {
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	ctx := context.Background()
	for _, i := range []int{0, 1, 1, 2, 0} {
		if _, err := st.MarkPageDone(ctx, "b1", i); err != nil {
			t.Fatal(err)
		}
	}
	n, _ := st.MarkPageDone(ctx, "b1", 2)
	if n != 3 {
		t.Fatalf("done = %d, want 3", n)
	}
	id, claimed, err := st.ClaimIdempotencyKey(ctx, "k", "b1")
	if err != nil || !claimed || id != "b1" {
		t.Fatalf("first claim: %v %v %v", id, claimed, err)
	}
	id, claimed, _ = st.ClaimIdempotencyKey(ctx, "k", "b2")
	if claimed || id != "b1" {
		t.Fatalf("second claim: %v %v", id, claimed)
	}
}
