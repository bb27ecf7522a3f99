package public_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"onewindow/cases"
)

// BenchmarkLookupConcurrent: the progress lookup (case number and the right check) answered
// to 16 clients at once over real Redis and MinIO, each lookup reading the case's events from
// MinIO: prints p50 and p95 of one lookup.
func BenchmarkLookupConcurrent(b *testing.B) {
	e := newEnv(b)
	var nos []string
	for range 20 {
		no := e.open()
		e.decide(no, cases.DecisionAccept)
		nos = append(nos, no)
	}
	const clients = 16
	for b.Loop() {
		var mu sync.Mutex
		var took []time.Duration
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for i := range 50 {
					t0 := time.Now()
					resp, err := http.Get(e.srv.URL + "/api/v1/public/cases/" + nos[(c+i)%len(nos)] + "?check=5678")
					if err != nil {
						b.Error(err)
						return
					}
					_ = resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("lookup: %d", resp.StatusCode)
						return
					}
					mu.Lock()
					took = append(took, time.Since(t0))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(took)
		p50, p95 := took[len(took)/2], took[(len(took)*95+99)/100-1]
		b.Logf("%d lookups by %d clients at once: p50 %s p95 %s", len(took), clients, p50, p95)
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
	}
}
