package delivery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onewindow/internal/testenv"
)

// go test -run '^$' -bench Push -benchtime 1x ./delivery/
//
// Receivers are real HTTP servers in this process that check every signature, so the figures
// include their side too. A pool of workers (the goroutines of one `work` process) takes
// packages from one queue and delivers them through a Deliverer, as the task handler does.

const benchWorkers = 16

func BenchmarkPushOneCaseTo50Departments(b *testing.B) {
	benchPush(b, 50, 1, 20)
}

func BenchmarkPush1000CasesTo5Departments(b *testing.B) {
	benchPush(b, 5, 1000, 8)
}

func benchPush(b *testing.B, departments, cases, docsPerCase int) {
	var depts []*Department
	var accepted atomic.Int64
	for i := range departments {
		secret := "secret-" + strconv.Itoa(i)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := make([]byte, 0, 16<<10)
			buf := make([]byte, 16<<10)
			for {
				n, err := r.Body.Read(buf)
				body = append(body, buf[:n]...)
				if err != nil {
					break
				}
			}
			if err := Verify(AlgSHA256, []byte(secret), r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, time.Now(), 0); err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			accepted.Add(1)
		}))
		b.Cleanup(srv.Close)
		depts = append(depts, hookDept(fmt.Sprintf("dept-%02d", i), srv.URL, secret, 10*time.Second, DefaultConcurrency))
	}
	reg := webhookSet(b, depts...)
	total := cases * departments
	runtime.GC()
	peak := startPeakSampler()
	b.ResetTimer()
	var elapsed time.Duration
	for range b.N {
		dl := &Deliverer{Sender: NewWebhookSender(reg, WebhookOptions{Links: linker{}, SlotWait: time.Minute}), Tracker: NewMemTracker()}
		accepted.Store(0)
		queue := make(chan Package)
		var wg sync.WaitGroup
		var failed atomic.Int64
		start := time.Now()
		for range benchWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := range queue {
					if _, err := dl.Deliver(context.Background(), p, 0, MaxRetry); err != nil {
						failed.Add(1)
					}
				}
			}()
		}
		// Packages are built as each task is taken, as the task handler builds them.
		for c := range cases {
			for _, d := range depts {
				queue <- testPackage(fmt.Sprintf("JL2026-%05d", c), d.ID, 1, docsPerCase)
			}
		}
		close(queue)
		wg.Wait()
		elapsed += time.Since(start)
		if failed.Load() != 0 || accepted.Load() != int64(total) {
			b.Fatalf("%d failed, %d accepted of %d", failed.Load(), accepted.Load(), total)
		}
	}
	b.StopTimer()
	heap := peak()
	rate := float64(total*b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "deliveries/s")
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(vmHWM())/(1<<10), "VmHWM-MiB")
	b.Logf("%d cases x %d departments (%d documents each), %d workers: %d deliveries in %v, %.0f/s; peak heap in use %.1f MiB, VmHWM %.1f MiB",
		cases, departments, docsPerCase, benchWorkers, total*b.N, elapsed.Round(time.Millisecond), rate,
		float64(heap)/(1<<20), float64(vmHWM())/(1<<10))
}

// startPeakSampler samples the heap in use every 5 ms until the returned function is called,
// which gives the peak.
func startPeakSampler() func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(stop); <-done; return peak.Load() }
}

// vmHWM is the process's peak resident set in KiB (Linux), 0 elsewhere.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkPush200CasesTo5Buckets writes bags into five departments' buckets of one real
// MinIO: 200 cases of 4 documents of 256 KiB each.
func BenchmarkPush200CasesTo5Buckets(b *testing.B) {
	svc := testenv.Services(b)
	ctx := context.Background()
	admin, err := minio.New(svc.S3Endpoint, &minio.Options{Creds: credentials.NewStaticV4(svc.S3AccessKey, svc.S3SecretKey, "")})
	if err != nil {
		b.Fatal(err)
	}
	var depts []*Department
	for i := range 5 {
		bucket := fmt.Sprintf("dept-%d", i)
		if err := admin.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
			b.Fatal(err)
		}
		depts = append(depts, &Department{ID: bucket, Kind: KindS3, S3: &S3{Endpoint: svc.S3Endpoint, Bucket: bucket,
			AccessKey: svc.S3AccessKey, SecretKey: Secret(svc.S3SecretKey)}})
	}
	reg := webhookSet(b, depts...)
	docs := &memDocs{pdfs: map[string][]byte{}, fail: map[string]bool{}}
	const cases = 200
	// Every case carries the same four documents, so that the test's own data stays 1 MiB and
	// the peak heap is the delivery path's.
	base := s3Package(docs, "JL2026-BASE", "", 4, 256<<10)
	var pkgs []Package
	for c := range cases {
		for _, d := range depts {
			p := base
			p.Department = d.ID
			p.Manifest.CaseNo, p.Manifest.Department = fmt.Sprintf("JL2026-%05d", c), d.ID
			p.Manifest.PackageID = PackageID(p.Manifest.CaseNo, d.ID, 1)
			p.Manifest.IdempotencyKey = IdempotencyKey(p.Manifest.CaseNo, d.ID, 1)
			pkgs = append(pkgs, p)
		}
	}
	runtime.GC()
	peak := startPeakSampler()
	b.ResetTimer()
	var elapsed time.Duration
	for n := range b.N {
		s := NewS3Sender(reg, docs, S3Options{})
		queue := make(chan Package)
		var wg sync.WaitGroup
		var failed atomic.Int64
		start := time.Now()
		for range benchWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := range queue {
					p.Manifest.Version += n // a new version each round: nothing is found in place
					if _, err := s.Send(ctx, p); err != nil {
						failed.Add(1)
						b.Error(err)
					}
				}
			}()
		}
		for _, p := range pkgs {
			queue <- p
		}
		close(queue)
		wg.Wait()
		elapsed += time.Since(start)
		if failed.Load() != 0 {
			b.Fatalf("%d failed", failed.Load())
		}
	}
	b.StopTimer()
	heap := peak()
	rate := float64(len(pkgs)*b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "deliveries/s")
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(vmHWM())/(1<<10), "VmHWM-MiB")
	b.Logf("%d cases x %d buckets (4 documents of 256 KiB), %d workers: %d bags in %v, %.0f/s; peak heap in use %.1f MiB, VmHWM %.1f MiB",
		cases, len(depts), benchWorkers, len(pkgs)*b.N, elapsed.Round(time.Millisecond), rate,
		float64(heap)/(1<<20), float64(vmHWM())/(1<<10))
}
