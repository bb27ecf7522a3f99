package workers_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/internal/testenv"
	"onewindow/storage"
	"onewindow/workers"
)

// An operator's retry puts exactly the failed batch's archived steps back, on a real queue,
// and refuses a batch that failed on its input.
func TestRetryBatchRunsItsArchivedStepsAgain(t *testing.T) {
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	blobs := testenv.Blobs(t, svc)
	ctx := context.Background()
	insp := asynq.NewInspectorFromRedisClient(st.Redis())
	client := asynq.NewClientFromRedisClient(st.Redis())
	for _, id := range []string{"b-down", "b-other"} {
		if _, err := client.EnqueueContext(ctx, tasks.NewPageTask(id, 0)); err != nil {
			t.Fatal(err)
		}
		if err := insp.ArchiveTask(tasks.QueuePages, "page:"+id+":0"); err != nil {
			t.Fatal(err)
		}
	}
	for id, code := range map[string]string{"b-down": "storage_unavailable", "b-bad": "corrupt_file"} {
		b := &storage.Batch{ID: id, Status: storage.StatusFailed, Error: &storage.BatchError{Code: code, Message: "x"},
			CreatedAt: time.Now().UTC()}
		if err := storage.SaveBatch(ctx, blobs, st, b); err != nil {
			t.Fatal(err)
		}
	}
	r := &workers.Retrier{Inspector: insp, Blobs: blobs, State: st}
	n, err := r.RetryBatch(ctx, "b-down")
	if err != nil || n != 1 {
		t.Fatalf("retry: %d tasks, %v", n, err)
	}
	if info, err := insp.GetTaskInfo(tasks.QueuePages, "page:b-down:0"); err != nil || info.State != asynq.TaskStatePending {
		t.Errorf("the failed page is not pending again: %v %v", info, err)
	}
	if info, _ := insp.GetTaskInfo(tasks.QueuePages, "page:b-other:0"); info.State != asynq.TaskStateArchived {
		t.Error("another batch's failed step was put back")
	}
	if b, _ := st.GetBatch(ctx, "b-down"); b.Status != storage.StatusProcessing || b.Error != nil {
		t.Errorf("batch after retry: %s %v", b.Status, b.Error)
	}
	if _, err := r.RetryBatch(ctx, "b-bad"); errs.CodeOf(err) != "batch_input_refused" {
		t.Errorf("a batch refused for its input: %v", err)
	}
	if _, err := r.RetryBatch(ctx, "b-down"); errs.CodeOf(err) != "batch_not_failed" {
		t.Errorf("a batch that is running: %v", err)
	}
}
