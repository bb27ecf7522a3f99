package workers_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/internal/testenv"
	"onewindow/storage"
	"onewindow/workers"
)

// queueOnRealServices starts Redis and MinIO for t and opens the queue on that Redis.
func queueOnRealServices(t *testing.T) (*storage.State, *storage.Blobs, *asynq.Inspector, *asynq.Client) {
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	client := asynq.NewClientFromRedisClient(st.Redis())
	return st, testenv.Blobs(t, svc), asynq.NewInspectorFromRedisClient(st.Redis()), client
}

// An operator's retry puts exactly the failed batch's archived steps back, on a real queue,
// and refuses a batch that failed on its input.
func TestRetryBatchRunsItsArchivedStepsAgain(t *testing.T) {
	st, blobs, insp, client := queueOnRealServices(t)
	ctx := context.Background()
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

// The reconciler's resume takes back exactly the batches stopped by a passing cause (marked
// failed with a transient error, or left processing because the failure could not be
// written), never one that failed on its input, and each at most MaxAutoResumes times.
func TestResumeTransientResumesOnlyPassingFailures(t *testing.T) {
	st, blobs, insp, client := queueOnRealServices(t)
	ctx := context.Background()
	archive := func(id string) {
		t.Helper()
		if _, err := client.EnqueueContext(ctx, tasks.NewPageTask(id, 0)); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			t.Fatal(err)
		}
		if err := insp.ArchiveTask(tasks.QueuePages, "page:"+id+":0"); err != nil {
			t.Fatal(err)
		}
	}
	save := func(b *storage.Batch) {
		t.Helper()
		b.CreatedAt = time.Now().UTC()
		if err := storage.SaveBatch(ctx, blobs, st, b); err != nil {
			t.Fatal(err)
		}
	}
	transient := &storage.BatchError{Code: "storage_unavailable", Message: "x", Transient: true}
	save(&storage.Batch{ID: "b-down", Status: storage.StatusFailed, Error: transient})
	save(&storage.Batch{ID: "b-unwritten", Status: storage.StatusProcessing})
	save(&storage.Batch{ID: "b-bad", Status: storage.StatusFailed, Error: &storage.BatchError{Code: "corrupt_file", Message: "x"}})
	save(&storage.Batch{ID: "b-spent", Status: storage.StatusFailed, Error: transient, AutoResumes: workers.MaxAutoResumes})
	for _, id := range []string{"b-down", "b-unwritten", "b-bad", "b-spent", "b-unknown"} {
		archive(id)
	}
	r := &workers.Retrier{Inspector: insp, Blobs: blobs, State: st}
	resumed, err := r.ResumeTransient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"b-down", "b-unwritten"}, resumed); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
	for id, want := range map[string]asynq.TaskState{"b-down": asynq.TaskStatePending, "b-unwritten": asynq.TaskStatePending,
		"b-bad": asynq.TaskStateArchived, "b-spent": asynq.TaskStateArchived, "b-unknown": asynq.TaskStateArchived} {
		if info, err := insp.GetTaskInfo(tasks.QueuePages, "page:"+id+":0"); err != nil || info.State != want {
			t.Errorf("%s: task %v %v, want %v", id, info, err, want)
		}
	}
	b, _ := st.GetBatch(ctx, "b-down")
	if b.Status != storage.StatusProcessing || b.Error != nil || b.AutoResumes != 1 {
		t.Errorf("b-down after resume: %s %v resumes %d", b.Status, b.Error, b.AutoResumes)
	}
	if m, _ := storage.LoadManifest(ctx, blobs, "b-down"); m.AutoResumes != 1 {
		t.Errorf("the manifest does not count the resume: %d", m.AutoResumes)
	}
	// Nothing archived any more: nothing to do. The same batch failing again for the same
	// cause is resumed until its resumes are spent.
	if resumed, err := r.ResumeTransient(ctx); err != nil || len(resumed) != 0 {
		t.Errorf("second pass: %v %v", resumed, err)
	}
	for want := 2; want <= workers.MaxAutoResumes+1; want++ {
		if err := insp.DeleteTask(tasks.QueuePages, "page:b-down:0"); err != nil {
			t.Fatal(err)
		}
		b.Status, b.Error = storage.StatusFailed, transient
		save(b)
		archive("b-down")
		resumed, err := r.ResumeTransient(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = st.GetBatch(ctx, "b-down")
		if want <= workers.MaxAutoResumes && (!slices.Contains(resumed, "b-down") || b.AutoResumes != want) {
			t.Errorf("resume %d: %v, count %d", want, resumed, b.AutoResumes)
		}
		if want > workers.MaxAutoResumes && (slices.Contains(resumed, "b-down") || b.Status != storage.StatusFailed) {
			t.Errorf("resumed past the bound: %v %s", resumed, b.Status)
		}
	}
}
