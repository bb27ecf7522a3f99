package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/internal/testenv"
	"onewindow/storage"
)

// TestUploadMemory is issue 14's memory benchmark: peak RSS of `serve` while four uploads of
// 500 MB stream at once, beside the bodies' size. Each body is a PDF header (a TIFF one with
// ONEWINDOW_BENCH_UPLOAD=tiff) and junk, so it is streamed, kept in the inbox and refused as
// corrupt once its structure is read, which is the whole intake path. It prints figures and
// asserts nothing about them.
//
//	ONEWINDOW_BENCH_UPLOAD=pdf go test ./cmd/onewindow -run TestUploadMemory -v -timeout 30m
func TestUploadMemory(t *testing.T) {
	if os.Getenv("ONEWINDOW_BENCH_UPLOAD") == "" {
		t.Skip("benchmark: set ONEWINDOW_BENCH_UPLOAD=1")
	}
	const uploads, size = 4, 500 << 20
	svc := testenv.Services(t)
	d := launch(t, t.TempDir(), "serve", servicesEnv(svc, "rss")...)
	d.waitReady()
	pid := d.cmd.Process.Pid
	idle := procStatus(t, pid)

	peak := map[string]int64{}
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			for k, v := range procStatus(t, pid) {
				peak[k] = max(peak[k], v)
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	codes := make([]string, uploads)
	for i := range uploads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = uploadJunk(t, d, os.Getenv("ONEWINDOW_BENCH_UPLOAD"), int64(size), uint64(i))
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(stop)
	<-sampled
	final := procStatus(t, pid)
	mib := func(kb int64) string { return fmt.Sprintf("%.0f MiB", float64(kb)/1024) }
	t.Logf("%s bodies: %d uploads of %d MiB at once (%d MiB of bodies) in %v: %v", os.Getenv("ONEWINDOW_BENCH_UPLOAD"), uploads, size>>20, uploads*size>>20, took.Round(time.Second), codes)
	t.Logf("serve idle: VmRSS %s; during: peak VmRSS %s (anonymous %s, file-backed %s), VmHWM %s",
		mib(idle["VmRSS"]), mib(peak["VmRSS"]), mib(peak["RssAnon"]), mib(peak["RssFile"]), mib(final["VmHWM"]))
	t.Logf("peak RSS / one body: %.2f; / all bodies: %.2f; anonymous peak / all bodies: %.3f",
		float64(final["VmHWM"]<<10)/size, float64(final["VmHWM"]<<10)/(uploads*size), float64(peak["RssAnon"]<<10)/(uploads*size))
}

// uploadJunk streams a body of size bytes (a PDF header, or a TIFF one for kind "tiff", then
// junk unique to seed) and returns the answer's status and error code.
func uploadJunk(t *testing.T, d *daemon, kind string, size int64, seed uint64) string {
	header, ext := "%PDF-1.4\n%junk\n", "pdf"
	if kind == "tiff" {
		header, ext = "II*\x00", "tif"
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", fmt.Sprintf("big-%d.%s", seed, ext))
		if err == nil {
			_, err = io.Copy(part, io.LimitReader(io.MultiReader(strings.NewReader(header), newJunk(seed)), size))
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", d.base+"/api/v1/batches", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return "error"
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	code := ""
	if i := strings.Index(string(b), `"code":"`); i >= 0 {
		code, _, _ = strings.Cut(string(b[i+8:]), `"`)
	}
	return strconv.Itoa(resp.StatusCode) + " " + code
}

// junk is an endless reader of pseudo-random bytes, cheap enough not to be the bottleneck.
type junk struct {
	block []byte
	off   int
	rng   *rand.PCG
}

func newJunk(seed uint64) *junk {
	j := &junk{block: make([]byte, 1<<20), rng: rand.NewPCG(seed, 14)}
	j.refill()
	return j
}

func (j *junk) refill() {
	for i := 0; i+8 <= len(j.block); i += 8 {
		v := j.rng.Uint64()
		for k := range 8 {
			j.block[i+k] = byte(v >> (8 * k))
		}
	}
	j.off = 0
}

func (j *junk) Read(p []byte) (int, error) {
	if j.off == len(j.block) {
		// A new block's first bytes only: the rest repeats, which costs no CPU and still
		// makes every megabyte differ.
		v := j.rng.Uint64()
		for k := range 8 {
			j.block[k] = byte(v >> (8 * k))
		}
		j.off = 0
	}
	n := copy(p, j.block[j.off:])
	j.off += n
	return n, nil
}

// procStatus reads the kB figures of /proc/PID/status (VmRSS, VmHWM, RssAnon, RssFile, ...).
func procStatus(t *testing.T, pid int) map[string]int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if fields := strings.Fields(v); ok && len(fields) == 2 && fields[1] == "kB" {
			out[k], _ = strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return out
}

// TestRecoveryAfterRedisLoss is issue 14's recovery benchmark: 1,000 batches on record in
// MinIO, Redis emptied, and the time until the API answers for every batch and until Redis
// holds every batch again, with nobody calling reindex. The records are written as intake and assembly leave
// them (finished batches with one document each), which is what the reconciler reads.
//
//	ONEWINDOW_BENCH_RECOVERY=1 go test ./cmd/onewindow -run TestRecoveryAfterRedisLoss -v
func TestRecoveryAfterRedisLoss(t *testing.T) {
	if os.Getenv("ONEWINDOW_BENCH_RECOVERY") == "" {
		t.Skip("benchmark: set ONEWINDOW_BENCH_RECOVERY=1")
	}
	const batches = 1000
	every := 5 * time.Second
	svc := testenv.Services(t)
	opts := testenv.S3Options(svc)
	opts.Prefix = "recover"
	blobs, err := storage.OpenBlobs(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, batches)
	writeStart := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range batches {
		ids[i] = fmt.Sprintf("bench-%04d", i)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			now := time.Now().UTC()
			b := &storage.Batch{ID: ids[i], Status: storage.StatusDone, PagesTotal: 3, PagesDone: 3,
				CaseNo: fmt.Sprintf("RECOVER-%03d", i/10), Station: "bench", Source: "scan", CreatedAt: now, UpdatedAt: now,
				Files:     []storage.BatchFile{{SHA256: fmt.Sprintf("%064x", i), Size: 1000, Kind: "pdf", Pages: 3}},
				Documents: []storage.Document{{ID: ids[i] + "-001", BatchID: ids[i], Type: "other", Pages: []int{0, 1, 2}, CreatedAt: now}}}
			if err := storage.SaveManifest(context.Background(), blobs, b); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	t.Logf("%d batch records written to MinIO in %v", batches, time.Since(writeStart).Round(time.Millisecond))

	d := launch(t, t.TempDir(), "serve", append(servicesEnv(svc, "recover"),
		"ONEWINDOW_RECONCILE_EVERY="+every.String(), "ONEWINDOW_RATE_LIMIT=0", "ONEWINDOW_LOG_LEVEL=info")...)
	d.waitReady()
	// A new installation has no epoch mark either: the first rebuild indexes the records and
	// sets the mark when it is whole.
	state := testenv.State(t, svc)
	waitIndexed(t, state, ids, 5*time.Minute)
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if _, ok, _ := state.Epoch(context.Background()); ok {
			break
		}
		if time.Since(start) > time.Minute {
			t.Fatal("no epoch mark a minute after the first rebuild")
		}
	}

	testenv.LoseRedis(t, state.Redis())
	lost := time.Now()
	// The API reads a batch Redis does not know from its record in MinIO, so every batch
	// answers at once; the rebuild puts them back into Redis (and the queue) behind that.
	answered := waitAll(t, d, ids, 5*time.Minute)
	rebuilt := waitIndexed(t, state, ids, 5*time.Minute)
	t.Logf("Redis lost with %d batches on record (--reconcile-every %v): the API answered for all %d within %v (from their MinIO records); Redis held all of them again after %v",
		batches, every, batches, answered.Sub(lost).Round(10*time.Millisecond), rebuilt.Sub(lost).Round(10*time.Millisecond))
	for _, line := range strings.Split(d.log.String(), "\n") {
		if strings.Contains(line, "Redis has lost its indexes") || strings.Contains(line, "rebuilt after Redis loss") {
			t.Logf("log: %s", line)
		}
	}
}

// waitIndexed polls Redis until it holds every batch again and returns when it did.
func waitIndexed(t *testing.T, state *storage.State, ids []string, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for i := 0; i < len(ids); {
		if _, err := state.GetBatch(context.Background(), ids[i]); err == nil {
			i++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis lacks batch %s %v after its loss", ids[i], limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Now()
}

// waitAll polls until every batch answers 200 and returns when the last one did.
func waitAll(t *testing.T, d *daemon, ids []string, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for i := 0; i < len(ids); {
		req, _ := http.NewRequest("GET", d.base+"/api/v1/batches/"+ids[i], nil)
		req.Header.Set("Authorization", "Bearer "+d.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			i++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch %s still answers %d after %v", ids[i], resp.StatusCode, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Now()
}
