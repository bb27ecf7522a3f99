package main

// End-to-end tests on the distributed engines a large hall runs: `onewindow serve` and two
// `onewindow work` processes against a Redis Cluster, a Redis Sentinel group and MinIO as an
// erasure set of four drives, each disturbed in the middle of the work.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/testenv"
	"onewindow/storage"
)

// hall is one API process and its workers, sharing a Redis and an S3 endpoint.
type hall struct {
	api     *daemon
	workers []*daemon
	env     []string
	blobs   *storage.Blobs
}

// startHall runs `serve` and workers `work` processes; extra settings (NAME=value) go to all.
func startHall(t *testing.T, redisURL string, s3 storage.S3Options, workers int, extra ...string) *hall {
	t.Helper()
	h := &hall{env: append([]string{"ONEWINDOW_REDIS_URL=" + redisURL, "ONEWINDOW_S3_ENDPOINT=" + s3.Endpoint,
		"ONEWINDOW_S3_ACCESS_KEY=" + s3.AccessKey, "ONEWINDOW_S3_SECRET_KEY=" + s3.SecretKey,
		"ONEWINDOW_S3_REGION=" + s3.Region, "ONEWINDOW_BUCKET_PREFIX=" + s3.Prefix}, extra...)}
	h.api = launch(t, t.TempDir(), "serve", h.env...)
	h.api.waitReady()
	for range workers {
		h.startWorker(t)
	}
	b, err := storage.OpenBlobs(context.Background(), s3)
	if err != nil {
		t.Fatal(err)
	}
	h.blobs = b
	return h
}

// startWorker adds a `work` process with one worker goroutine (the machine has few cores).
func (h *hall) startWorker(t *testing.T) *daemon {
	w := launch(t, t.TempDir(), "work", append(h.env, "ONEWINDOW_CONCURRENCY=1")...)
	h.workers = append(h.workers, w)
	return w
}

// uploadStacks uploads n small applications (two documents, a blank back, a separator each).
func (h *hall) uploadStacks(t *testing.T, caseNo string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		code, body := h.api.upload(testToken, map[string]string{"Idempotency-Key": fmt.Sprintf("%s-%d", caseNo, i)},
			map[string]string{"case_no": caseNo}, stackPages(t)...)
		if code != 202 {
			t.Fatalf("upload %d: %d %v", i, code, body)
		}
		ids = append(ids, body["id"].(string))
	}
	return ids
}

// waitProgress waits until the batch has at least one page done and is not finished: the
// moment to break something.
func (h *hall) waitProgress(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		_, b := h.api.get("/api/v1/batches/" + id)
		if done, _ := b["pages_done"].(float64); done >= 1 && b["status"] != "done" {
			return
		}
		if b["status"] == "done" || b["status"] == "failed" {
			t.Fatalf("the batch finished before it could be disturbed: %v", b["status"])
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("batch %s made no progress", id)
}

// checkFiledOnce is the fault suite's verdict: every batch done, every page in exactly one
// document or the dropped list, and the archive holds exactly the documents the batches
// list, none filed twice.
func (h *hall) checkFiledOnce(t *testing.T, ids []string, limit time.Duration) {
	t.Helper()
	var want []string
	for _, id := range ids {
		b := h.api.waitBatch(id, limit)
		if b["status"] != "done" {
			t.Errorf("batch %s: %v %v", id, b["status"], b["error"])
			continue
		}
		var seen []int
		for _, doc := range b["documents"].([]any) {
			d := doc.(map[string]any)
			want = append(want, d["id"].(string))
			for _, p := range d["pages"].([]any) {
				seen = append(seen, int(p.(float64)))
			}
		}
		for _, dp := range b["dropped_pages"].([]any) {
			seen = append(seen, int(dp.(map[string]any)["index"].(float64)))
		}
		slices.Sort(seen)
		total := int(b["pages_total"].(float64))
		if len(seen) != total || (total > 0 && (seen[0] != 0 || seen[total-1] != total-1 || len(slices.Compact(slices.Clone(seen))) != total)) {
			t.Errorf("batch %s pages %v, want each of 0..%d once", id, seen, total-1)
		}
	}
	var filed []string
	for o, err := range h.blobs.List(context.Background(), storage.Archive, "documents/") {
		if err != nil {
			t.Fatal(err)
		}
		if id, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, "documents/"), "/record.json"); ok {
			filed = append(filed, id)
		}
	}
	slices.Sort(want)
	slices.Sort(filed)
	if !slices.Equal(want, filed) {
		t.Errorf("archive holds %v, the batches list %v", filed, want)
	}
}

// TestHallOnRedisClusterAndErasureSet: three Redis masters in a cluster, MinIO over four
// drives; one drive is pulled while pages are being read and filed, and put back after.
// Uploads, filing, reads and fixity carry on within the erasure set's quorum, and the
// returned drive is healed.
func TestHallOnRedisClusterAndErasureSet(t *testing.T) {
	cluster := testenv.StartRedisCluster(t, 3)
	minio := testenv.StartErasureMinIO(t, 4)
	h := startHall(t, cluster.URL(), minio.S3Options(), 2)

	ids := h.uploadStacks(t, "JL-CLUSTER", 3)
	h.waitProgress(t, ids[0])
	minio.RemoveDrive(t, 1)
	pulled := time.Now()
	more := h.uploadStacks(t, "JL-CLUSTER-B", 1) // intake while a drive is missing
	h.checkFiledOnce(t, append(ids, more...), 3*time.Minute)
	t.Logf("all batches filed %.1fs after a drive was pulled", time.Since(pulled).Seconds())
	h.run(t, "fixity") // every object read back and its digests compared, one drive short

	minio.ReturnDrive(t, 1)
	// Objects written while the drive was away are rebuilt on it (MinIO's heal of recent
	// failures, or its scanner).
	key := "documents/" + firstDocument(t, h, more[0]) + "/record.json"
	meta := filepath.Join(minio.Drives[1], h.blobs.Name(storage.Archive), key, "xl.meta")
	returned := time.Now()
	deadline := returned.Add(90 * time.Second)
	for {
		if _, err := os.Stat(meta); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the returned drive still lacks %s after %s", key, time.Since(returned))
		}
		// A read finds the missing part and queues its heal.
		_, _ = h.blobs.Get(context.Background(), storage.Archive, key)
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("returned drive healed in %.1fs", time.Since(returned).Seconds())

	// Redis lost on every master: reindex puts the batches and documents back from MinIO.
	st := testenv.StateAt(t, cluster.URL())
	testenv.LoseRedis(t, st.Redis())
	h.run(t, "reindex")
	for _, id := range append(ids, more...) {
		if code, b := h.api.get("/api/v1/batches/" + id); code != 200 || b["status"] != "done" {
			t.Errorf("batch %s after reindex: %d %v", id, code, b["status"])
		}
	}
	if code, _ := h.api.get("/api/v1/documents/" + firstDocument(t, h, ids[0])); code != 200 {
		t.Errorf("document after reindex: %d", code)
	}
}

// TestHallThroughSentinelFailover: the sentinel replaces the master while pages are being
// read, once on request (SENTINEL FAILOVER) and once because the master was killed; every
// batch still finishes once.
func TestHallThroughSentinelFailover(t *testing.T) {
	for _, tt := range []struct {
		name     string
		failover func(g *testenv.SentinelGroup, t testing.TB) string
	}{
		{"SENTINEL FAILOVER", (*testenv.SentinelGroup).Failover},
		{"master killed", (*testenv.SentinelGroup).KillMaster},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := testenv.StartSentinelGroup(t)
			minio := testenv.StartErasureMinIO(t, 4)
			h := startHall(t, g.URL(), minio.S3Options(), 2, "ONEWINDOW_RECONCILE_EVERY=1s")

			ids := h.uploadStacks(t, "JL-SENTINEL", 3)
			h.waitProgress(t, ids[0])
			start := time.Now()
			newMaster := tt.failover(g, t)
			t.Logf("failover to %s took %.1fs", newMaster, time.Since(start).Seconds())
			more := h.uploadStacks(t, "JL-SENTINEL-B", 1) // intake on the new master
			h.checkFiledOnce(t, append(ids, more...), 3*time.Minute)
			t.Logf("all batches filed %.1fs after the failover began", time.Since(start).Seconds())
			// Search agrees with the batches too: a feed notice the failover lost is made good by
			// the reconciler's comparison with MinIO.
			for caseNo, batches := range map[string][]string{"JL-SENTINEL": ids, "JL-SENTINEL-B": more} {
				n := 0
				for _, id := range batches {
					_, b := h.api.get("/api/v1/batches/" + id)
					docs, _ := b["documents"].([]any)
					n += len(docs)
				}
				h.api.search(url.Values{"case_no": {caseNo}, "per_page": {"100"}}, n)
			}
		})
	}
}

// TestKilledWorkerPageWait measures how long a page waits after its worker is killed with
// SIGKILL before another worker takes it: asynq's task lease has to lapse and its recoverer
// to notice.
func TestKilledWorkerPageWait(t *testing.T) {
	svc := testenv.Services(t)
	h := startHall(t, svc.RedisURL(), testenv.S3Options(svc), 1)
	insp := asynq.NewInspectorFromRedisClient(testenv.StateAt(t, svc.RedisURL()).Redis())

	ids := h.uploadStacks(t, "JL-LEASE", 1)
	queue, taskID := waitActivePage(t, insp)
	h.workers[0].kill()
	killed := time.Now()
	h.startWorker(t)

	var recovered time.Duration
	deadline := killed.Add(4 * time.Minute)
	for time.Now().Before(deadline) {
		info, err := insp.GetTaskInfo(queue, taskID)
		if errors.Is(err, asynq.ErrTaskNotFound) || (err == nil && info.State != asynq.TaskStateActive) {
			recovered = time.Since(killed)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if recovered == 0 {
		t.Fatal("the killed worker's page was never taken back")
	}
	var taken time.Duration
	for time.Now().Before(deadline) {
		info, err := insp.GetTaskInfo(queue, taskID)
		if errors.Is(err, asynq.ErrTaskNotFound) || (err == nil && (info.State == asynq.TaskStateActive || info.State == asynq.TaskStateCompleted)) {
			taken = time.Since(killed)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.checkFiledOnce(t, ids, 3*time.Minute)
	t.Logf("killed worker's page: lease given up after %.1fs, taken by another worker after %.1fs, batch done after %.1fs",
		recovered.Seconds(), taken.Seconds(), time.Since(killed).Seconds())
}

// waitActivePage finds a page task being worked on.
func waitActivePage(t *testing.T, insp *asynq.Inspector) (queue, id string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		queues, _ := insp.Queues()
		for _, q := range queues {
			active, _ := insp.ListActiveTasks(q)
			for _, a := range active {
				if strings.HasPrefix(a.Type, "page:") {
					return q, a.ID
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no page task became active")
	return "", ""
}

func firstDocument(t *testing.T, h *hall, batchID string) string {
	_, b := h.api.get("/api/v1/batches/" + batchID)
	docs, _ := b["documents"].([]any)
	if len(docs) == 0 {
		t.Fatalf("batch %s has no documents", batchID)
	}
	return docs[0].(map[string]any)["id"].(string)
}

// run runs a one-shot command (fixity, reindex) with the hall's settings; it must succeed.
func (h *hall) run(t *testing.T, command string) {
	t.Helper()
	cmd := exec.Command(binPath, command, "--data-dir", t.TempDir())
	cmd.Env = append(os.Environ(), h.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s: %v\n%s", command, err, out)
	}
}
