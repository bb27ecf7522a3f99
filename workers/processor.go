package workers

import (
	"context"
	"io"
	"iter"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/archive"
	"onewindow/internal/config"
	"onewindow/internal/metrics"
	"onewindow/internal/tasks"
	"onewindow/pipeline/assemble"
	"onewindow/pipeline/stamp"
	"onewindow/storage"
)

// Blobs is the part of object storage the workers use.
type Blobs interface {
	Put(ctx context.Context, bk storage.Bucket, key string, r io.Reader, size int64, o storage.PutOptions) (storage.ObjectInfo, error)
	PutBytes(ctx context.Context, bk storage.Bucket, key string, data []byte, o storage.PutOptions) (storage.ObjectInfo, error)
	Get(ctx context.Context, bk storage.Bucket, key string) ([]byte, error)
	Exists(ctx context.Context, bk storage.Bucket, key string) (bool, error)
	Open(ctx context.Context, bk storage.Bucket, key string) (io.ReadCloser, storage.ObjectInfo, error)
	List(ctx context.Context, bk storage.Bucket, prefix string) iter.Seq2[storage.ObjectInfo, error]
	ExtendRetention(ctx context.Context, bk storage.Bucket, key, mode string, until time.Time) error
}

// State is the part of the Redis indexes the workers use.
type State interface {
	PutBatch(ctx context.Context, b *storage.Batch) error
	GetBatch(ctx context.Context, id string) (*storage.Batch, error)
	MarkPageDone(ctx context.Context, batchID string, index int) (int, error)
	PutDocument(ctx context.Context, d *storage.Document) error
	// CaseDocuments lists a case's filed documents: their codes confirm near misses of the
	// same codes in the case's later batches.
	CaseDocuments(ctx context.Context, caseNo string) ([]storage.Document, error)
}

// Enqueuer puts tasks on the queue with their type's policy (tasks.Queue).
type Enqueuer interface {
	EnqueueOnce(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error
}

// Processor holds what the task handlers need. Build it with its fields set, then Register.
type Processor struct {
	Config  config.Config
	Blobs   Blobs
	State   State
	Queue   Enqueuer
	Engines Recognizer
	Planner *assemble.Planner
	// Model is the classifier's learned model as stored; nil: no learning.
	Model   *ModelStore
	Stamper *stamp.Stamper
	// Filer files rendered documents in the archive under the hall's retention schedule.
	Filer   *archive.Filer
	Metrics *metrics.Metrics
	Log     *slog.Logger
	// Filed is told of every filed document (the archive's search index listens here).
	Filed func(ctx context.Context, d *storage.Document)
}

// Register adds the handlers and the common middleware to mux.
func (p *Processor) Register(mux *asynq.ServeMux) {
	mux.Use(p.middleware)
	mux.HandleFunc(tasks.TypePrepare, p.prepare)
	mux.HandleFunc(tasks.TypePage, p.processPage)
	mux.HandleFunc(tasks.TypeAssemble, p.assembleBatch)
	mux.HandleFunc(tasks.TypeRefile, p.refileBatch)
	mux.HandleFunc(tasks.TypeTrain, p.trainDocument)
}
