package stats_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/xuri/excelize/v2"

	"onewindow/cases"
	"onewindow/internal/auth"
	"onewindow/internal/clock"
	"onewindow/internal/tasks"
	"onewindow/internal/testenv"
	"onewindow/stats"
	"onewindow/storage"
	"onewindow/workers"
)

// TestPagesAndBacklog: pages digitised count once per done batch, on the hall's day it was
// done (not UTC's), come back after Redis loses them when the batches are put back from their
// manifests (as the reindex does), and the backlog is the queues' size at the request.
func TestPagesAndBacklog(t *testing.T) {
	ctx := context.Background()
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	blobs := testenv.Blobs(t, svc)
	hall := clock.Fixed(hallZone, time.Date(2026, 3, 4, 9, 0, 0, 0, hallZone))
	queues := slices.Sorted(func(yield func(string) bool) {
		for q := range tasks.Queues {
			if !yield(q) {
				return
			}
		}
	})
	s := stats.New(stats.Options{Cases: storage.NewCaseStore(blobs, st), Catalogue: cases.DefaultCatalogue, Clock: hall, Pages: st,
		Queues: workers.QueueStats(asynq.NewInspectorFromRedisClient(st.Redis()), queues)})

	batches := []*storage.Batch{
		// 23:50 on 2 March in the hall is still 2 March; 00:10 on 3 March is 2 March in UTC.
		{ID: "b-late", Status: storage.StatusDone, PagesTotal: 7, UpdatedAt: time.Date(2026, 3, 2, 23, 50, 0, 0, hallZone)},
		{ID: "b-midnight", Status: storage.StatusDone, PagesTotal: 5, UpdatedAt: time.Date(2026, 3, 3, 0, 10, 0, 0, hallZone)},
		{ID: "b-busy", Status: storage.StatusProcessing, PagesTotal: 4, UpdatedAt: time.Date(2026, 3, 3, 10, 0, 0, 0, hallZone)},
		{ID: "b-old", Status: storage.StatusDone, PagesTotal: 100, UpdatedAt: time.Date(2026, 2, 1, 10, 0, 0, 0, hallZone)},
	}
	put := func() {
		for _, b := range batches {
			if err := st.PutBatch(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	put()
	put() // a batch saved again (a redelivered step) is not counted again

	client := asynq.NewClientFromRedisClient(st.Redis())
	for i := range 3 {
		if _, err := client.Enqueue(asynq.NewTask("page:process", []byte{byte(i)}), asynq.Queue(tasks.QueuePages)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.Enqueue(asynq.NewTask("batch:prepare", nil), asynq.Queue(tasks.QueueCritical), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}

	check := func(when string) {
		t.Helper()
		from, to, _ := s.ParseRange("2026-03-02", "2026-03-03")
		r, err := s.Report(ctx, from, to, stats.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, d := range r.Intake {
			got[d.Date] = d.Pages
		}
		if r.PagesDigitised != 12 || got["2026-03-02"] != 7 || got["2026-03-03"] != 5 {
			t.Errorf("%s: pages %d by day %v; want 12: 7 on 2 March, 5 on 3 March", when, r.PagesDigitised, got)
		}
		if r.Backlog == nil || r.Backlog.Total != 4 {
			t.Fatalf("%s: backlog %+v, want 4 tasks", when, r.Backlog)
		}
		for _, q := range r.Backlog.Queues {
			if want := map[string][2]int{tasks.QueuePages: {3, 0}, tasks.QueueCritical: {0, 1}}[q.Queue]; [2]int{q.Pending, q.Scheduled} != want {
				t.Errorf("%s: queue %s pending %d scheduled %d, want %v", when, q.Queue, q.Pending, q.Scheduled, want)
			}
		}
	}
	check("counted on filing")

	// Redis loses the counts; the reindex puts every batch back from its manifest.
	if err := st.Redis().Del(ctx, "ow:{pages}:batches", "ow:{pages}:quarters").Err(); err != nil {
		t.Fatal(err)
	}
	put()
	check("rebuilt")

	// The same figures in the downloads, through the API.
	e := &env{t: t, stats: s}
	e.serve()
	_, _, body := e.get(auth.RoleManager, "?from=2026-03-02&to=2026-03-03")
	var js struct {
		Pages   int `json:"pages_digitised"`
		Backlog struct {
			Total int `json:"total"`
		} `json:"backlog"`
	}
	if err := json.Unmarshal(body, &js); err != nil || js.Pages != 12 || js.Backlog.Total != 4 {
		t.Errorf("JSON: %+v %v %s", js, err, body)
	}
	_, _, body = e.get(auth.RoleManager, "?from=2026-03-02&to=2026-03-03&format=csv")
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"pages_digitised", "", "", "12"}, {"pages_digitised_day", "2026-03-02", "", "7"}, {"pages_digitised_day", "2026-03-03", "", "5"}}
	for _, w := range want {
		if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, w) }) {
			t.Errorf("CSV lacks %v", w)
		}
	}
	_, _, body = e.get(auth.RoleManager, "?from=2026-03-02&to=2026-03-03&format=xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("intake", "D2"); v != "7" {
		t.Errorf("XLSX intake D2 (pages on 2 March) = %q", v)
	}
}
