package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/config"
	"onewindow/internal/devservices"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// TestComebackAfterSiteLoss is issue 24's benchmark: the time for a hall to come back from
// its copy. N documents (10,000 unless ONEWINDOW_BENCH_COMEBACK names another number) are
// filed into a MinIO that replicates to a second one, through archive.Filer as assembly files
// them (archival code claimed, PDF, text, the original scan and the record, all write-once under
// retention; ten documents a batch, each batch with its manifest). It prints how long the copy
// took to catch up, then destroys the first MinIO and measures `onewindow reindex` on an empty
// Redis against the copy, and the time until a `serve` with an empty search index finds every
// document. It asserts nothing about speed.
//
//	ONEWINDOW_BENCH_COMEBACK=1 go test ./cmd/onewindow -run TestComebackAfterSiteLoss -v -timeout 60m
func TestComebackAfterSiteLoss(t *testing.T) {
	n := 10000
	switch v := os.Getenv("ONEWINDOW_BENCH_COMEBACK"); v {
	case "":
		t.Skip("benchmark: set ONEWINDOW_BENCH_COMEBACK=1 (or a number of documents)")
	case "1":
	default:
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 10 {
			t.Fatalf("ONEWINDOW_BENCH_COMEBACK=%q: 1 or a number of documents, 10 or more", v)
		}
	}
	const prefix = "comeback"
	ctx := context.Background()
	primary, copySite := testenv.StartSite(t, "primary"), testenv.StartSite(t, "copy")
	testenv.Replicate(t, primary, copySite, prefix)
	blobs, err := storage.OpenBlobs(ctx, primary.S3Options(prefix))
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	fileSynthetic(t, blobs, n)
	filed := time.Since(start)
	t.Logf("%d documents in %d batches filed in %v (%.0f documents/s)", n, n/10, filed.Round(time.Millisecond), float64(n)/filed.Seconds())

	h1 := &hall{env: primary.Env(prefix)}
	caughtUp := time.Now()
	out := h1.output(t, append(copySite.ReplicaEnv(), "ONEWINDOW_LOG_LEVEL=warn"), "replica", "check", "--wait", "30m")
	var lag struct {
		Buckets []storage.ReplicaLag `json:"buckets"`
		Seconds float64              `json:"seconds"`
	}
	_ = json.Unmarshal(out, &lag)
	t.Logf("the copy was current %v after the last document was filed; one check of %v took %.1f s",
		time.Since(caughtUp).Round(100*time.Millisecond), lag.Buckets, lag.Seconds)

	primary.Destroy(t)
	redis, err := devservices.StartRedis(ctx, devservices.RedisOptions{Dir: t.TempDir(), Args: []string{"--appendonly", "yes", "--save", ""}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(redis.Stop)
	h2 := &hall{env: append([]string{"ONEWINDOW_REDIS_URL=redis://" + redis.Addr + "/0", "ONEWINDOW_RATE_LIMIT=0",
		"ONEWINDOW_LOG_LEVEL=warn"}, copySite.Env(prefix)...)}
	lost := time.Now()
	var res struct {
		Documents, Batches int
		Seconds            float64
	}
	if err := json.Unmarshal(h2.output(t, nil, "reindex"), &res); err != nil || res.Documents != n {
		t.Fatalf("reindex: %v %+v, want %d documents", err, res, n)
	}
	reindexed := time.Since(lost)
	h2.api = launch(t, t.TempDir(), "serve", h2.env...)
	h2.api.waitReady()
	served := time.Since(lost)
	deadline := time.Now().Add(30 * time.Minute)
	for {
		_, body := h2.api.get("/api/v1/search?" + url.Values{"type": {"id_card"}, "per_page": {"1"}}.Encode())
		if total, _ := body["total"].(float64); int(total) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("search finds %v documents 30 minutes after the start, want %d", body["total"], n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("back from the copy with %d documents: reindex %v (its own %.1f s: %d documents, %d batches), serving %v, every document searchable %v after the start",
		n, reindexed.Round(10*time.Millisecond), res.Seconds, res.Documents, res.Batches, served.Round(10*time.Millisecond),
		time.Since(lost).Round(10*time.Millisecond))
}

// benchPDF is a one-page PDF: the benchmark's documents need genuine objects, not a scan.
const benchPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// fileSynthetic files n documents, ten a batch, eight batches at a time, as assembly does:
// the upload in the inbox, the batch's manifest, then each document through archive.Filer.
func fileSynthetic(t *testing.T, blobs *storage.Blobs, n int) {
	t.Helper()
	cfg := config.Default()
	policy, err := archive.NewRetentionPolicy(archive.RetentionRule{Years: 30, Mode: "GOVERNANCE"}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	filer := &archive.Filer{Store: blobs, Retention: policy, CodePattern: cfg.ArchivalCodePattern, Fonds: "J042"}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for b := range n / 10 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fileBatch(context.Background(), blobs, filer, b); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

func fileBatch(ctx context.Context, blobs *storage.Blobs, filer *archive.Filer, b int) error {
	upload := []byte(fmt.Sprintf("%s%% upload %d\n", benchPDF, b))
	sum := sha256.Sum256(upload)
	raw := hex.EncodeToString(sum[:])
	if _, err := blobs.PutBytes(ctx, storage.Inbox, storage.RawKey(raw), upload, storage.PutOptions{}); err != nil {
		return err
	}
	now := time.Now().UTC()
	batch := &storage.Batch{ID: fmt.Sprintf("bench-%05d", b), Status: storage.StatusDone, PagesTotal: 10, PagesDone: 10,
		CaseNo: fmt.Sprintf("COMEBACK-%05d", b), Station: "bench", Source: "scan", CreatedAt: now, UpdatedAt: now,
		Files: []storage.BatchFile{{SHA256: raw, Size: int64(len(upload)), Kind: "pdf", Pages: 10}}}
	for i := range 10 {
		id := fmt.Sprintf("%s-%03d", batch.ID, i+1)
		text := fmt.Sprintf("居民身份证 姓名 张三%d 公民身份号码 220103198909195957\f", b*10+i)
		_, err := filer.File(ctx, archive.Filing{DocumentID: id, Batch: batch, Title: "居民身份证", Type: "id_card",
			TypeName: "居民身份证", Confidence: 0.9, Pages: []int{i}, Text: []byte(text), At: now},
			func(w io.Writer, _ string) error { _, err := io.WriteString(w, benchPDF); return err })
		if err != nil {
			return err
		}
		batch.Documents = append(batch.Documents, storage.Document{ID: id, BatchID: batch.ID, Type: "id_card", Pages: []int{i}, CreatedAt: now})
	}
	return storage.SaveManifest(ctx, blobs, batch)
}
