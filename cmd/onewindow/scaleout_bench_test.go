package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	"onewindow/internal/testenv"
	"onewindow/internal/testfixtures"
)

// TestScaleOut is issue 15's scale-out benchmark: the same stacks filed by one `work`
// process and by two, each held to one core (one worker goroutine, GOMAXPROCS=1, Tesseract
// without OpenMP threads), against one Redis and one MinIO. It prints pages per minute and
// the ratio, and asserts nothing about time.
//
//	ONEWINDOW_BENCH_SCALE=1 go test ./cmd/onewindow -run TestScaleOut -v
func TestScaleOut(t *testing.T) {
	if os.Getenv("ONEWINDOW_BENCH_SCALE") == "" {
		t.Skip("benchmark: set ONEWINDOW_BENCH_SCALE=1")
	}
	const stacks = 4
	pdf := testfixtures.ScanPDF(t, latencyPages(t)...)
	pages := stacks * len(latencyPages(t))
	rate := map[int]float64{}
	for _, workers := range []int{1, 2} {
		svc := testenv.Services(t)
		h := startHall(t, svc.RedisURL(), testenv.S3Options(svc), 0)
		for range workers {
			w := launch(t, t.TempDir(), "work", append(h.env, "ONEWINDOW_CONCURRENCY=1", "GOMAXPROCS=1", "OMP_THREAD_LIMIT=1")...)
			h.workers = append(h.workers, w)
		}
		time.Sleep(2 * time.Second) // the workers connect
		start := time.Now()
		var ids []string
		for i := range stacks {
			code, body := h.api.upload(testToken, nil, map[string]string{"case_no": fmt.Sprintf("SCALE-%d-%d", workers, i)},
				file{"stack.pdf", pdf})
			if code != 202 {
				t.Fatalf("upload: %d %v", code, body)
			}
			ids = append(ids, body["id"].(string))
		}
		h.checkFiledOnce(t, ids, 10*time.Minute)
		took := time.Since(start)
		rate[workers] = float64(pages) / took.Minutes()
		t.Logf("%d work process(es), one core each: %d pages in %v, %.1f pages/min", workers, pages, took.Round(time.Millisecond), rate[workers])
	}
	t.Logf("two processes / one: %.2f", rate[2]/rate[1])
}
