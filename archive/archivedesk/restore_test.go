package archivedesk_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/archive/archivedesk"
	"onewindow/internal/tasks"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// Redis lost while a batch stood failed for a transient cause took its archived steps along,
// so the reconciler has nothing to put back: the rebuild resumes such a batch from its
// manifest instead, within the same bound, and leaves input failures and spent batches alone.
func TestReindexResumesTransientlyFailedBatches(t *testing.T) {
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	blobs := testenv.Blobs(t, svc)
	ctx := context.Background()
	client := asynq.NewClientFromRedisClient(st.Redis())
	insp := asynq.NewInspectorFromRedisClient(st.Redis())
	transient := storage.BatchError{Code: "storage_unavailable", Message: "x", Transient: true}
	for _, b := range []storage.Batch{
		{ID: "b-down", Status: storage.StatusFailed, Error: &transient, AutoResumes: 1},
		{ID: "b-spent", Status: storage.StatusFailed, Error: &transient, AutoResumes: storage.MaxAutoResumes},
		{ID: "b-bad", Status: storage.StatusFailed, Error: &storage.BatchError{Code: "corrupt_file", Message: "x"}},
	} {
		b.CreatedAt = time.Now().UTC()
		if err := storage.SaveManifest(ctx, blobs, &b); err != nil { // in MinIO only: Redis was lost
			t.Fatal(err)
		}
	}
	d := &archivedesk.Desk{Blobs: blobs, State: st, Queue: &tasks.Queue{Client: client, Limits: tasks.DefaultLimits(8, time.Minute)},
		Log: slog.New(slog.DiscardHandler)}
	res, err := d.Reindex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Batches != 3 || res.Requeued != 1 {
		t.Errorf("reindex: %d batches, %d requeued; want 3, 1", res.Batches, res.Requeued)
	}
	for id, want := range map[string]struct {
		status  string
		resumes int
	}{"b-down": {storage.StatusProcessing, 2}, "b-spent": {storage.StatusFailed, storage.MaxAutoResumes}, "b-bad": {storage.StatusFailed, 0}} {
		b, err := st.GetBatch(ctx, id)
		if err != nil || b.Status != want.status || b.AutoResumes != want.resumes {
			t.Errorf("%s: %v %+v, want %s after %d resumes", id, err, b, want.status, want.resumes)
		}
		m, err := storage.LoadManifest(ctx, blobs, id)
		if err != nil || m.Status != want.status || m.AutoResumes != want.resumes {
			t.Errorf("%s manifest: %v %s %d", id, err, m.Status, m.AutoResumes)
		}
	}
	if info, err := insp.GetTaskInfo(tasks.QueueCritical, "prepare:b-down"); err != nil || info.State != asynq.TaskStatePending {
		t.Errorf("b-down's first step is not queued again: %v %v", info, err)
	}
	for _, id := range []string{"b-spent", "b-bad"} {
		if _, err := insp.GetTaskInfo(tasks.QueueCritical, "prepare:"+id); err == nil {
			t.Errorf("%s was queued again", id)
		}
	}
}
