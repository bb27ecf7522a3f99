package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"onewindow/internal/errs"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// exerciseState runs every State operation the daemon uses and checks what it reads back.
func exerciseState(t *testing.T, st *storage.State, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		id := fmt.Sprintf("batch-%03d", i)
		b := &storage.Batch{ID: id, Status: storage.StatusProcessing, PagesTotal: 3, IdempotencyKey: "key-" + id,
			CreatedAt: time.Now()}
		if err := st.PutBatch(ctx, b); err != nil {
			t.Fatalf("PutBatch: %v", err)
		}
		for _, p := range []int{0, 1, 1, 2} {
			if _, err := st.MarkPageDone(ctx, id, p); err != nil {
				t.Fatalf("MarkPageDone: %v", err)
			}
		}
		got, err := st.GetBatch(ctx, id)
		if err != nil || got.PagesDone != 3 {
			t.Fatalf("GetBatch: %+v %v", got, err)
		}
		if bound, err := st.IdempotentBatch(ctx, "key-"+id); err != nil || bound != id {
			t.Fatalf("IdempotentBatch: %q %v", bound, err)
		}
		if bound, claimed, err := st.ClaimIdempotencyKey(ctx, "key-"+id, "other"); err != nil || claimed || bound != id {
			t.Fatalf("ClaimIdempotencyKey: %q %v %v", bound, claimed, err)
		}
		if err := st.ReleaseIdempotencyKey(ctx, "key-"+id, id); err != nil {
			t.Fatalf("ReleaseIdempotencyKey: %v", err)
		}
		doc := &storage.Document{ID: id + "-001", BatchID: id, CaseNo: "JL-CASE-" + fmt.Sprint(i%3), NeedsReview: i%2 == 0,
			CreatedAt: time.Now()}
		if err := st.PutDocument(ctx, doc); err != nil {
			t.Fatalf("PutDocument: %v", err)
		}
		if _, err := st.GetDocument(ctx, doc.ID); err != nil {
			t.Fatalf("GetDocument: %v", err)
		}
	}
	if _, err := st.GetBatch(ctx, "missing"); errs.CodeOf(err) != "batch_not_found" {
		t.Errorf("missing batch: %v", err)
	}
	ids, err := st.DocumentIDs(ctx)
	if err != nil || len(ids) != n {
		t.Errorf("DocumentIDs: %d %v, want %d", len(ids), err, n)
	}
	ofCase, err := st.DocumentsOfCase(ctx, "JL-CASE-0")
	if err != nil || len(ofCase) != (n+2)/3 {
		t.Errorf("DocumentsOfCase: %v %v", ofCase, err)
	}
	waiting, total, err := st.ReviewQueue(ctx, 1, 1000)
	if err != nil || total != (n+1)/2 || len(waiting) != total {
		t.Errorf("ReviewQueue: %d of %d, %v; want %d", len(waiting), total, err, (n+1)/2)
	}
}

// TestStateOnRedisCluster: every State operation works on a three-master cluster, and keys
// spread over the masters rather than all sitting on one.
func TestStateOnRedisCluster(t *testing.T) {
	cluster := testenv.StartRedisCluster(t, 3)
	st := testenv.StateAt(t, cluster.URL())
	exerciseState(t, st, 30)

	ctx := context.Background()
	cc := st.Redis().(*redis.ClusterClient)
	var perNode []int64
	err := cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		n, err := node.DBSize(ctx).Result()
		perNode = append(perNode, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range perNode {
		if n == 0 {
			t.Errorf("keys per master %v: one master holds none", perNode)
		}
	}
	if err := st.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	// The slot the unit tests compute is the slot the cluster computes.
	for _, key := range []string{storage.BatchKeyForTest("b-1"), storage.PagesDoneKeyForTest("b-1"), "ow:docs", "plain"} {
		if got, want := storage.HashSlotForTest(key), cc.ClusterKeySlot(ctx, key).Val(); int64(got) != want {
			t.Errorf("slot of %s: %d, the cluster says %d", key, got, want)
		}
	}
	testenv.LoseRedis(t, cc)
	_ = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		if n := node.DBSize(ctx).Val(); n != 0 {
			t.Errorf("master %s keeps %d keys after the loss", node.Options().Addr, n)
		}
		return nil
	})
	// A transaction across slots is refused and says so, not "Redis does not answer".
	pipe := cc.TxPipeline()
	pipe.Set(ctx, "ow:a", 1, 0)
	pipe.Set(ctx, "ow:b", 1, 0)
	_, err = pipe.Exec(ctx)
	if err = storage.RedisError("test", err); errs.CodeOf(err) != "redis_cross_slot" {
		t.Errorf("cross-slot transaction: %v", err)
	}
	// A master down: the cluster is not ready, though other masters answer.
	cluster.Nodes[2].Kill()
	if err := st.Ping(ctx); errs.KindOf(err) != errs.Unavailable {
		t.Errorf("Ping with a master down: %v, want Unavailable", err)
	}
}

// TestStateThroughResharding: writes and reads go on while a third of the slots move from one
// master to another (the client follows ASK and MOVED), and nothing written is lost.
func TestStateThroughResharding(t *testing.T) {
	cluster := testenv.StartRedisCluster(t, 3)
	st := testenv.StateAt(t, cluster.URL())
	ctx := context.Background()
	const batches = 200
	stop := make(chan struct{})
	done := make(chan struct{})
	var failures []error
	rounds := 0
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			for i := range batches {
				id := fmt.Sprintf("reshard-%03d", i)
				if _, err := st.MarkPageDone(ctx, id, rounds); err != nil {
					failures = append(failures, err)
				}
				if _, err := st.GetBatch(ctx, id); errs.CodeOf(err) != "batch_not_found" {
					failures = append(failures, err)
				}
			}
			rounds++
		}
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cluster.Reshard(t, 0, 1, 5000)
	moved := time.Since(start)
	close(stop)
	<-done
	for _, err := range failures[:min(len(failures), 5)] {
		t.Errorf("during resharding: %v (code %s)", err, errs.CodeOf(err))
	}
	for i := range batches {
		n, err := st.MarkPageDone(ctx, fmt.Sprintf("reshard-%03d", i), 0)
		if err != nil || n != rounds {
			t.Fatalf("batch %d: %d pages (%v), want %d", i, n, err, rounds)
		}
	}
	t.Logf("5000 slots moved in %.1fs under %d rounds of %d batches; %d failures", moved.Seconds(), rounds, batches, len(failures))
}

// TestStateThroughSentinelFailover: writes go on while the sentinel promotes the replica and
// none fails. Redis replicates asynchronously, so writes the old master acknowledged after
// the promotion are lost when it rejoins as a replica: always a suffix of its history, which
// the queue's redelivery covers (a task whose writes were lost also lost its completion and
// runs again). The test reports how many.
func TestStateThroughSentinelFailover(t *testing.T) {
	g := testenv.StartSentinelGroup(t)
	st := testenv.StateAt(t, g.URL())
	ctx := context.Background()
	done := make(chan struct{})
	var failures []error
	written := 0
	go func() {
		defer close(done)
		deadline := time.Now().Add(8 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := st.MarkPageDone(ctx, "failover", written); err != nil {
				failures = append(failures, err)
			} else {
				written++
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	time.Sleep(time.Second)
	newMaster := g.Failover(t)
	<-done
	if newMaster != g.Replica.Addr {
		t.Errorf("new master %s, want the replica %s", newMaster, g.Replica.Addr)
	}
	for _, err := range failures {
		t.Errorf("write failed during failover: %v (code %s)", err, errs.CodeOf(err))
	}
	n, err := st.MarkPageDone(ctx, "failover", 0)
	if err != nil || n > written || n < written/2 {
		t.Errorf("pages done %d (%v) of %d written", n, err, written)
	}
	t.Logf("%d writes through the failover, %d failed, %d acknowledged by the old master after the promotion and lost",
		written, len(failures), written-n)
	exerciseState(t, st, 5)
}
