package archivedesk_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/storage"
)

// cpuTime is the CPU this process has used (user and system). MinIO and redis-server run as
// other processes, so it is the reconciler's own cost.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHealPass measures one comparison pass of a hall with a million documents on
// record that files 2,000 a day, in a real MinIO and Redis. A pass compares what it would
// there, with Redis and the search index: the documents and batches taken in over the last
// two hours (500, a busy morning's), a chunk of 1,000 of the last three days' (6,000 here) and a
// chunk of 1,000 older ones. Documents beyond the chunks are never read in a pass, so the
// figure is the cost at a million; 4,000 older documents stand for them. Side by side, the
// reference compares every document on record the same way (what a pass without slices would
// do), here 10,500: at a million it costs about a hundred times that. It prints the pass's
// CPU as a share of one core at the default 15 s interval (the budget is 1 %).
func BenchmarkHealPass(b *testing.B) {
	s := newSynthetic(b)
	s.noText = true
	start := time.Now()
	s.file(b, spread(500, time.Minute, 2*time.Hour-time.Minute))
	s.file(b, spread(6000, 2*time.Hour, 72*time.Hour-time.Hour))
	s.file(b, spread(4000, 30*24*time.Hour, 5*365*24*time.Hour))
	b.Logf("filed %d synthetic documents in %v", len(s.docs), time.Since(start).Round(time.Second))
	d := s.desk(0)
	ctx := context.Background()
	// Settle: the index's segments written and merged, connections open, before measuring.
	if err := s.idx.Persist(); err != nil {
		b.Fatal(err)
	}
	heal(b, d)
	time.Sleep(3 * time.Second)

	const interval = 15 * time.Second
	b.ResetTimer()
	cpu0, wall0 := cpuTime(b), time.Now()
	const passes = 5 // a round: the setup takes a minute, so run it once (-benchtime=1x)
	for range b.N * passes {
		if res := heal(b, d); len(res.Repaired) != 0 {
			b.Fatalf("repaired %v in whole indexes", res.Repaired)
		}
	}
	pass := (cpuTime(b) - cpu0) / time.Duration(b.N*passes)
	passWall := time.Since(wall0) / time.Duration(b.N*passes)
	b.StopTimer()

	cpu1 := cpuTime(b)
	var all []string
	for key, err := range archive.RecordKeys(ctx, s.blobs) {
		if err != nil {
			b.Fatal(err)
		}
		id, _ := storage.DocumentOfRecordKey(key)
		all = append(all, id)
	}
	if _, err := s.st.DocumentIndexStates(ctx, all); err != nil {
		b.Fatal(err)
	}
	if _, err := s.idx.Holding(all); err != nil {
		b.Fatal(err)
	}
	full := cpuTime(b) - cpu1

	share := float64(pass) / float64(interval) * 100
	b.ReportMetric(float64(pass.Microseconds())/1000, "cpu-ms/pass")
	b.ReportMetric(share, "%core@15s")
	b.Logf("one pass (2,500 documents and their batches compared): %v CPU, %v wall; %.3f %% of one core every %v",
		pass.Round(time.Millisecond), passWall.Round(time.Millisecond), share, interval)
	b.Logf("reference, every document on record compared (%d): %v CPU, ratio pass/reference %.2f; at 1,000,000 on record it would take about %v CPU a pass, ratio %.4f",
		len(all), full.Round(time.Millisecond), float64(pass)/float64(full), (full * 100).Round(100*time.Millisecond), float64(pass)/float64(full*100))
}
