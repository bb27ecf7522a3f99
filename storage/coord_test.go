package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"onewindow/internal/testenv"
	"onewindow/storage"
)

func TestAuditLockAndHead(t *testing.T) {
	ctx := context.Background()
	st := testenv.State(t, testenv.Services(t))

	if _, ok, err := st.AuditHead(ctx); err != nil || ok {
		t.Fatalf("head of a new installation: ok %v, %v", ok, err)
	}
	if ok, err := st.LockAudit(ctx, "a", time.Minute); err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if ok, err := st.LockAudit(ctx, "b", time.Minute); err != nil || ok {
		t.Fatalf("second writer took a held lock: %v %v", ok, err)
	}
	want := storage.AuditHead{Seq: 7, Hash: "ab", Key: "audit/2026/01/02/000000000007.json"}
	if moved, err := st.MoveAuditHead(ctx, "b", want); err != nil || moved {
		t.Fatalf("a writer without the lock moved the head: %v %v", moved, err)
	}
	if moved, err := st.MoveAuditHead(ctx, "a", want); err != nil || !moved {
		t.Fatalf("the holder could not move the head: %v %v", moved, err)
	}
	if got, ok, err := st.AuditHead(ctx); err != nil || !ok || got != want {
		t.Fatalf("head %+v %v %v, want %+v", got, ok, err, want)
	}
	if err := st.UnlockAudit(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.LockAudit(ctx, "c", time.Minute); ok {
		t.Fatal("another writer's unlock released the lock")
	}
	if err := st.UnlockAudit(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.LockAudit(ctx, "c", time.Minute); !ok {
		t.Fatal("the lock was not released by its holder")
	}

	// One script reads the lock and writes the head: on a cluster they must share a slot.
	keys, err := st.Redis().Keys(ctx, "ow:*audit*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"ow:{audit}:head", "ow:{audit}:lock"}) {
		t.Fatalf("audit keys %q: not under one hash tag", keys)
	}
}

func TestFiledStream(t *testing.T) {
	ctx := context.Background()
	st := testenv.State(t, testenv.Services(t))

	if last, err := st.LastFiled(ctx); err != nil || last != "" {
		t.Fatalf("empty stream: %q %v", last, err)
	}
	if n, err := st.ReadFiled(ctx, "0", 10, 10*time.Millisecond); err != nil || len(n) != 0 {
		t.Fatalf("read of an empty stream: %v %v", n, err)
	}
	if err := st.AnnounceFiled(ctx, "B1-001"); err != nil {
		t.Fatal(err)
	}
	if err := st.AnnounceReindex(ctx, "host:42"); err != nil {
		t.Fatal(err)
	}
	got, err := st.ReadFiled(ctx, "0", 10, time.Second)
	if err != nil || len(got) != 2 {
		t.Fatalf("read %+v %v", got, err)
	}
	if got[0].Doc != "B1-001" || got[0].Reindex != "" || got[1].Reindex != "host:42" || got[1].Doc != "" {
		t.Fatalf("notices %+v", got)
	}
	last, err := st.LastFiled(ctx)
	if err != nil || last != got[1].ID {
		t.Fatalf("last %q %v, want %q", last, err, got[1].ID)
	}
	if more, err := st.ReadFiled(ctx, last, 10, 10*time.Millisecond); err != nil || len(more) != 0 {
		t.Fatalf("read past the end: %v %v", more, err)
	}
}

func TestClaimFixityRun(t *testing.T) {
	ctx := context.Background()
	st := testenv.State(t, testenv.Services(t))
	for i, want := range []bool{true, false} {
		ok, err := st.ClaimFixityRun(ctx, 1_700_000_000, "api-1", time.Minute)
		if err != nil || ok != want {
			t.Fatalf("claim %d: %v %v, want %v", i, ok, err, want)
		}
	}
	if ok, _ := st.ClaimFixityRun(ctx, 1_700_003_600, "api-2", time.Minute); !ok {
		t.Fatal("the next period was taken by the previous claim")
	}
}

// A Redis lost again in the middle of a rebuild is not marked whole over the partial index
// that rebuild left: the next pass finds no mark and rebuilds again.
func TestRebuildInterruptedByRedisLoss(t *testing.T) {
	ctx := context.Background()
	st := testenv.State(t, testenv.Services(t))
	if err := st.BeginRebuild(ctx, "run-a"); err != nil {
		t.Fatal(err)
	}
	if err := st.Redis().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if whole, err := st.FinishRebuild(ctx, "run-a", "e1"); err != nil || whole {
		t.Fatalf("a rebuild that lost its Redis half-way set the mark: %v %v", whole, err)
	}
	if _, ok, _ := st.Epoch(ctx); ok {
		t.Fatal("epoch mark set over a partial index")
	}

	// A later run takes the note over; the earlier one may no longer finish.
	_ = st.BeginRebuild(ctx, "run-b")
	_ = st.BeginRebuild(ctx, "run-c")
	if whole, _ := st.FinishRebuild(ctx, "run-b", "e2"); whole {
		t.Fatal("an overtaken rebuild set the mark")
	}
	if whole, err := st.FinishRebuild(ctx, "run-c", "e3"); err != nil || !whole {
		t.Fatalf("the latest rebuild could not finish: %v %v", whole, err)
	}
	if v, ok, _ := st.Epoch(ctx); !ok || v != "e3" {
		t.Fatalf("epoch %q %v, want e3", v, ok)
	}
	keys, _ := st.Redis().Keys(ctx, "ow:*epoch*").Result()
	if !slices.Equal(keys, []string{"ow:{epoch}"}) {
		t.Fatalf("epoch keys %q: the note must be gone and the mark under the {epoch} tag", keys)
	}
}
