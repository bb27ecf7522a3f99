package tasks_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/tasks"
	"onewindow/internal/testenv"
)

// The hall's --max-retry and --task-timeout reach every task, per type, on a real queue: asynq
// stops a failing task after MaxRetry retries and ends a run at its Timeout.
func TestLimitsTakeEffect(t *testing.T) {
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	client := asynq.NewClientFromRedisClient(st.Redis())
	q := &tasks.Queue{Client: client, Limits: tasks.DefaultLimits(2, 2*time.Second)}
	ctx := context.Background()

	insp := asynq.NewInspectorFromRedisClient(st.Redis())
	for _, tt := range []struct {
		task    *asynq.Task
		id      string
		queue   string
		retry   int
		timeout time.Duration
	}{
		{tasks.NewPageTask("b1", 0), "page:b1:0", tasks.QueuePages, 2, 2 * time.Second},
		{tasks.NewAssembleTask("b1"), "assemble:b1", tasks.QueueCritical, 2, 8 * time.Second},
		{tasks.NewTrainTask("b1-001", "id_card"), "train:b1-001:id_card", tasks.QueueCritical, 2, 2 * time.Second},
	} {
		if err := q.EnqueueOnce(ctx, tt.task); err != nil {
			t.Fatal(err)
		}
		if err := q.EnqueueOnce(ctx, tt.task); err != nil {
			t.Fatalf("a second enqueue of %s is not an error: %v", tt.id, err)
		}
		info, err := insp.GetTaskInfo(tt.queue, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if info.MaxRetry != tt.retry || info.Timeout != tt.timeout {
			t.Errorf("%s: max retry %d, timeout %v; want %d, %v", tt.id, info.MaxRetry, info.Timeout, tt.retry, tt.timeout)
		}
	}
	for qn := range tasks.Queues {
		_, _ = insp.DeleteAllPendingTasks(qn)
	}

	// A worker really gives up after MaxRetry and really cuts a run at Timeout.
	var runs atomic.Int32
	deadlines := make(chan time.Duration, 8)
	srv := asynq.NewServerFromRedisClient(st.Redis(), asynq.Config{Concurrency: 2, Queues: tasks.Queues,
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return 10 * time.Millisecond },
		LogLevel:       asynq.ErrorLevel})
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypePrepare, func(ctx context.Context, _ *asynq.Task) error {
		runs.Add(1)
		return errors.New("always fails")
	})
	mux.HandleFunc(tasks.TypePage, func(ctx context.Context, _ *asynq.Task) error {
		dl, _ := ctx.Deadline()
		deadlines <- time.Until(dl)
		<-ctx.Done()
		return ctx.Err()
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	if err := q.EnqueueOnce(ctx, tasks.NewPrepareTask("b2")); err != nil {
		t.Fatal(err)
	}
	if err := q.EnqueueOnce(ctx, tasks.NewPageTask("b2", 0)); err != nil {
		t.Fatal(err)
	}
	select {
	case left := <-deadlines:
		if left > 2*time.Second || left < 500*time.Millisecond {
			t.Errorf("a page run had %v left at its start; want the 2 s timeout", left)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the page task never ran")
	}
	for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if info, err := insp.GetTaskInfo(tasks.QueueCritical, "prepare:b2"); err == nil && info.State == asynq.TaskStateArchived {
			if n := runs.Load(); n != 3 {
				t.Errorf("a failing task ran %d times; want 1 + 2 retries", n)
			}
			return
		}
	}
	t.Fatalf("the failing task was not archived after its retries (ran %d times)", runs.Load())
}
