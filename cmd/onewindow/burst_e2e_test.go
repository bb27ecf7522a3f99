package main

import (
	"bytes"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestPublicBurst: one address sends 1,000 wrong lookups and ratings at once. The later ones
// are refused with 429 before any case is read, while a signed-in desk's calls keep being
// answered. No time is asserted; the latencies are printed.
func TestPublicBurst(t *testing.T) {
	d := publicDaemon(t)
	no := publicCase(t, d, "in_review", "result_ready", "delivered")
	type answer struct {
		status int
		took   time.Duration
	}
	send := func(method, url, token string, body []byte) answer {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		t0 := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return answer{}
		}
		_ = resp.Body.Close()
		return answer{resp.StatusCode, time.Since(t0)}
	}

	const total, workers = 1000, 16
	answers := make([]answer, total)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if i%2 == 0 {
					answers[i] = send("GET", d.base+"/api/v1/public/cases/"+no+"?check=0000", "", nil)
				} else {
					answers[i] = send("POST", d.base+"/api/v1/public/cases/"+no+"/rating", "", []byte(`{"check":"0000","score":3}`))
				}
			}
		})
	}
	stop := make(chan struct{})
	var desk []answer
	deskDone := make(chan struct{})
	go func() { // the window keeps working while the burst lasts
		defer close(deskDone)
		for {
			desk = append(desk, send("GET", d.base+"/api/v1/cases/"+no, d.token, nil))
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	close(stop)
	<-deskDone

	byStatus := map[int]int{}
	var refused []time.Duration
	for _, a := range answers {
		byStatus[a.status]++
		if a.status == http.StatusTooManyRequests {
			refused = append(refused, a.took)
		}
	}
	if byStatus[http.StatusTooManyRequests] < total/2 || byStatus[http.StatusNotFound] == 0 || byStatus[http.StatusOK]+byStatus[http.StatusCreated] != 0 {
		t.Errorf("answers by status %v: want wrong tries refused with 404 first, then 429", byStatus)
	}
	for _, a := range answers[total-workers:] {
		if a.status != http.StatusTooManyRequests {
			t.Errorf("a late request of the burst got %d, not 429", a.status)
		}
	}
	var deskTook []time.Duration
	for _, a := range desk {
		if a.status != http.StatusOK {
			t.Errorf("the desk's call during the burst got %d", a.status)
		}
		deskTook = append(deskTook, a.took)
	}
	if len(desk) == 0 {
		t.Fatal("no desk call ran during the burst")
	}
	p := func(ds []time.Duration, q int) time.Duration {
		slices.Sort(ds)
		return ds[(len(ds)*q+99)/100-1]
	}
	t.Logf("burst of %d from one address, %d at once: %v by status; 429 answered in p50 %s p95 %s",
		total, workers, byStatus, p(refused, 50), p(refused, 95))
	t.Logf("the desk during the burst: %d calls, all 200, p50 %s p95 %s", len(desk), p(deskTook, 50), p(deskTook, 95))
}
