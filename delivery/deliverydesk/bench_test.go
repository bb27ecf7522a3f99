package deliverydesk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/cases"
	"onewindow/delivery"
	"onewindow/delivery/deliverydesk"
	"onewindow/internal/tasks"
	"onewindow/internal/testenv"
)

// nopQueue takes tasks and drops them: the benchmark runs the deliver handler itself.
type nopQueue struct{}

func (nopQueue) EnqueueOnce(context.Context, *asynq.Task, ...asynq.Option) error { return nil }

// BenchmarkDeliverTo50Departments runs the whole deliver task of one case's package for 50
// webhook departments, 8 at a time as one worker does: the package built from storage, the
// signed POST, the tracker's record in MinIO and Redis, the case's timeline and a `delivered`
// event per document. One op is one case: 50 deliveries.
func BenchmarkDeliverTo50Departments(b *testing.B) {
	svc := testenv.Services(b)
	ctx := context.Background()
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	b.Cleanup(recv.Close)
	var depts []*delivery.Department
	var ids []string
	for i := range 50 {
		id := fmt.Sprintf("dept-%02d", i)
		ids = append(ids, id)
		depts = append(depts, &delivery.Department{ID: id, Kind: delivery.KindWebhook,
			Webhook: &delivery.Webhook{URL: recv.URL, Secret: delivery.Secret("s"), Concurrency: 8}})
	}
	set, _ := delivery.NewSet(depts...)
	yaml := "matters:\n  - code: WIDE\n    name: wide\n    departments: [" + strings.Join(ids, ", ") + "]\n    time_limit_days: 5\n    materials:\n      - {type: id_card, name: ID, required: true}\n"
	cat, err := cases.LoadCatalogue(strings.NewReader(yaml), func(string) bool { return true })
	if err != nil {
		b.Fatal(err)
	}
	f := &fixture{blobs: testenv.Blobs(b, svc), state: testenv.State(b, svc), cases: &memCases{cat: cat, m: map[string]*cases.Case{}}}
	f.d, err = deliverydesk.New(deliverydesk.Options{Cases: f.cases, Registry: delivery.StaticRegistry(set), Blobs: f.blobs, State: f.state, Queue: nopQueue{}})
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	cases := 0
	for b.Loop() { // one op: one case's package to all 50 departments
		b.StopTimer()
		no := fmt.Sprintf("BENCH-%06d", cases)
		cases++
		f.openAccepted(b, no, "WIDE")
		if _, err := f.d.Plan(ctx, no, 0); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		work := make(chan string)
		for range 8 {
			wg.Go(func() {
				for id := range work {
					t := tasks.NewDeliverTask(tasks.DeliverPayload{CaseNo: no, Department: id, Version: 1, Key: delivery.IdempotencyKey(no, id, 1)}, 0)
					if err := f.d.HandleDeliver(ctx, t); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for _, id := range ids {
			work <- id
		}
		close(work)
		wg.Wait()
		total += time.Since(start)
	}
	b.ReportMetric(float64(50*cases)/total.Seconds(), "deliveries/s")
}
