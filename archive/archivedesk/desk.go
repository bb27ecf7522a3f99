// Package desk is the archivist's desk: search, reindex, fixity and export as API calls and
// as the operations behind the onewindow commands. It joins the archive package to storage,
// the queue and the HTTP API (which the archive package itself must not import: the workers
// import it to write records).
package archivedesk

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/emmansun/gmsm/smx509"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"onewindow/archive"
	"onewindow/internal/clock"
	"onewindow/internal/errs"
	"onewindow/internal/esign"
	"onewindow/internal/metrics"
	"onewindow/internal/tasks"
	"onewindow/storage"
)

// Enqueuer puts tasks on the queue once, with their type's policy (tasks.Queue).
type Enqueuer interface {
	EnqueueOnce(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error
}

// Desk holds what the archive operations need. Index may be nil in processes that keep no
// search index (the `onewindow reindex` command rebuilds Redis and tells the API processes).
type Desk struct {
	Blobs   *storage.Blobs
	State   *storage.State
	Queue   Enqueuer
	Index   *archive.Index
	Log     *slog.Logger
	Metrics *metrics.Metrics
	// Origin names this process in reindex notices.
	Origin string
	// HallName goes into exported bags as Source-Organization.
	HallName string
	// ReportFont is the CJK TrueType font the report PDF embeds; "" is Debian's wqy-zenhei.
	ReportFont string
	// Audit is the access log; nil logs nothing (commands that serve no one).
	Audit *archive.AuditLog
	// RetentionMode is the object-lock mode of objects the desk files (events, imports).
	RetentionMode string
	// Policy is the retention each document type must have; the report checks it.
	Policy archive.RetentionPolicy
	// Clock dates events and picks the fixity period; nil is the system clock.
	Clock archive.Clock
	// Days is the hall's clock: the from and to days of searches and reports are its days.
	// Zero: clock.DefaultZone.
	Days clock.Clock
	// Rebuilders rebuild the other desks' Redis indexes (cases, deliveries) from MinIO as
	// part of Reindex, so that one command brings back everything Redis lost.
	Rebuilders []Rebuilder
	// Resumer runs again batches that failed for a transient cause; Reconcile calls it once a
	// period while storage and Redis answer. nil: failed batches wait for an operator.
	Resumer Resumer
	// Healers compare the other desks' Redis indexes with MinIO a chunk a period and repair
	// them (Heal), as Rebuilders rebuild them whole.
	Healers []Healer
	// HealChunk is how many older documents and batches a period compares; 0: 1000.
	HealChunk int
	// Signer signs exported bags' tag manifests and report PDFs (internal/esign); nil: unsigned.
	Signer *esign.Signer
	// SignatureRoots are the CAs whose signatures the four-properties report trusts; nil:
	// filed copies' signatures are checked for integrity only.
	SignatureRoots []*smx509.Certificate

	rebuildMu sync.Mutex
	heal      healState
}

// Resumer resumes batches that failed for a cause that has passed (workers.Retrier).
type Resumer interface {
	ResumeTransient(ctx context.Context) ([]string, error)
}

// Follower is the search feed of this process.
func (d *Desk) Follower() *archive.Follower {
	return &archive.Follower{Feed: d.State, Blobs: d.Blobs, Index: d.Index, Log: d.Log, Origin: d.Origin,
		Rebuild: func(ctx context.Context) error { _, err := d.RebuildSearch(ctx); return err }}
}

// Filed is the workers' hook: it announces a filed document to every API process.
func Filed(rdb redis.UniversalClient, log *slog.Logger) func(ctx context.Context, doc *storage.Document) {
	st := storage.StateFrom(rdb)
	return func(ctx context.Context, doc *storage.Document) {
		if err := st.AnnounceFiled(ctx, doc.ID); err != nil {
			// The document is filed and in Redis; only search lags until the next reindex.
			log.Error("cannot announce filed document to search", "document", doc.ID, "err", err)
		}
	}
}

// ReindexResult is what a reindex rebuilt.
type ReindexResult struct {
	// Rebuilt counts what each Rebuilder restored, by its name.
	Rebuilt    map[string]int `json:"rebuilt,omitempty"`
	Documents  int            `json:"documents"`
	Batches    int            `json:"batches"`
	Requeued   int            `json:"requeued"`
	Searchable int            `json:"searchable"`
	Seconds    float64        `json:"seconds"`
}

// Rebuilder is another desk's part of Reindex.
type Rebuilder struct {
	Name    string
	Rebuild func(ctx context.Context) (int, error)
}

// Reindex rebuilds the Redis indexes (batches, idempotency keys, documents, cases) and the
// search index from MinIO alone. Batches that had not finished are put back on the queue: their
// tasks may have been lost with Redis, and every step is safe to run twice.
func (d *Desk) Reindex(ctx context.Context) (*ReindexResult, error) {
	start := time.Now()
	res := &ReindexResult{}
	run := d.Origin + "@" + d.Clock.Now().Format(time.RFC3339Nano)
	if err := d.State.BeginRebuild(ctx, run); err != nil {
		return res, err
	}
	for o, err := range d.Blobs.List(ctx, storage.Inbox, storage.BatchesPrefix) {
		if err != nil {
			return res, err
		}
		id, ok := storage.BatchOfManifestKey(o.Key)
		if !ok {
			continue
		}
		b, err := storage.LoadManifest(ctx, d.Blobs, id)
		if err != nil {
			return res, err
		}
		if err := d.restoreBatch(ctx, b); err != nil {
			return res, err
		}
		res.Batches++
		if b.Status == storage.StatusQueued || b.Status == storage.StatusProcessing {
			res.Requeued++
		}
	}
	n, err := d.rebuildDocuments(ctx, true)
	res.Documents, res.Searchable = n, n
	if d.Index == nil {
		res.Searchable = 0
	}
	if err != nil {
		return res, err
	}
	for _, rb := range d.Rebuilders {
		n, err := rb.Rebuild(ctx)
		if err != nil {
			return res, fmt.Errorf("reindex %s: %w", rb.Name, err)
		}
		if res.Rebuilt == nil {
			res.Rebuilt = map[string]int{}
		}
		res.Rebuilt[rb.Name] = n
	}
	whole, err := d.State.FinishRebuild(ctx, run, d.Clock.Now().Format(time.RFC3339Nano))
	if err != nil {
		return res, err
	}
	if !whole {
		return res, errs.E("desk.Reindex", errs.Unavailable, "rebuild_interrupted",
			"Redis lost its data (or another rebuild began) while the indexes were being rebuilt; they are rebuilt again.", nil)
	}
	if err := d.State.AnnounceReindex(ctx, d.Origin); err != nil {
		d.Log.Warn("reindex: cannot tell other API processes", "err", err)
	}
	res.Seconds = time.Since(start).Seconds()
	d.Log.Info("reindex done", "documents", res.Documents, "batches", res.Batches, "requeued", res.Requeued,
		"seconds", res.Seconds)
	return res, nil
}

// restoreBatch puts a batch back into Redis as its manifest records it; for an unfinished
// batch it also restores the pages already done (their results are in the work bucket) and
// re-enqueues its first step. A batch that had failed for a transient cause lost its archived
// steps with Redis, so the reconciler could no longer resume it: it is resumed here instead,
// within the same bound.
func (d *Desk) restoreBatch(ctx context.Context, b *storage.Batch) error {
	if b.Status == storage.StatusFailed && b.Error != nil && b.Error.Transient && b.AutoResumes < storage.MaxAutoResumes && d.Queue != nil {
		b.Status, b.Error = storage.StatusProcessing, nil
		b.AutoResumes++
		b.UpdatedAt = d.Clock.Now()
		if err := storage.SaveManifest(ctx, d.Blobs, b); err != nil {
			return err
		}
		d.Log.Warn("batch resumed after a transient failure", "batch", b.ID, "resume", b.AutoResumes, "by", "reindex")
	}
	if err := d.State.PutBatch(ctx, b); err != nil {
		return err
	}
	if b.Status != storage.StatusQueued && b.Status != storage.StatusProcessing {
		return nil
	}
	for i := range b.PagesTotal {
		ok, err := d.Blobs.Exists(ctx, storage.Work, storage.PageResultKey(b.ID, i))
		if err != nil {
			return err
		}
		if ok {
			if _, err := d.State.MarkPageDone(ctx, b.ID, i); err != nil {
				return err
			}
		}
	}
	if d.Queue == nil {
		return nil
	}
	return d.Queue.EnqueueOnce(ctx, tasks.NewPrepareTask(b.ID))
}

// RebuildSearch recreates this process's search index from the archive bucket.
func (d *Desk) RebuildSearch(ctx context.Context) (int, error) {
	return d.rebuildDocuments(ctx, false)
}

// rebuildDocuments reads every record in the archive bucket once and rebuilds from it the
// search index (if this process has one) and, if withRedis, the Redis document entries.
func (d *Desk) rebuildDocuments(ctx context.Context, withRedis bool) (int, error) {
	d.rebuildMu.Lock()
	defer d.rebuildMu.Unlock()
	var batch *archive.Batch
	if d.Index != nil {
		if err := d.Index.Reset(); err != nil {
			return 0, err
		}
		// Whatever is announced from now on is indexed again by the feed; harmless.
		_ = d.Follower().SkipToEnd(ctx)
		batch = d.Index.NewBatch()
	}
	n := 0
	for key, err := range archive.RecordKeys(ctx, d.Blobs) {
		if err != nil {
			return n, err
		}
		id, _ := storage.DocumentOfRecordKey(key)
		rec, text, doc, err := d.loadDocument(ctx, id)
		if err != nil {
			return n, err
		}
		if withRedis {
			if err := d.State.PutDocument(ctx, doc); err != nil {
				return n, err
			}
			// A full reindex also claims the codes filed before codes were claimed.
			if other, err := archive.ClaimFiledCode(ctx, d.Blobs, rec); err != nil {
				return n, err
			} else if other != "" {
				d.Log.Warn("reindex: archival code held by another document", "document", id, "archival_code", rec.ArchivalCode, "held_by", other)
			}
		}
		if batch != nil && len(doc.SupersededBy) == 0 {
			if err := batch.Add(rec, text); err != nil {
				return n, err
			}
		}
		n++
	}
	if batch != nil {
		if err := batch.Flush(); err != nil {
			return n, err
		}
		return n, d.Index.Persist()
	}
	return n, nil
}

// Fixity runs a fixity check over the whole archive, keeps its report in the archive bucket,
// counts results in the metrics and logs every failure at error level.
func (d *Desk) Fixity(ctx context.Context, parallel int) (*archive.FixityReport, error) {
	var tell archive.FixityResult
	if d.Metrics != nil {
		tell = func(result string) { d.Metrics.FixityChecked.WithLabelValues(result).Inc() }
	}
	rep, err := archive.CheckFixity(ctx, d.Blobs, parallel, tell)
	if err != nil {
		return rep, err
	}
	for _, f := range rep.Failed {
		d.Log.Error("FIXITY FAILURE: archived object does not match its record", "object", f.Object,
			"bucket", f.Bucket, "document", f.Document, "reason", f.Reason, "detail", f.Detail)
	}
	if err := archive.SaveFixityReport(ctx, d.Blobs, rep); err != nil {
		d.Log.Error("cannot keep fixity report", "err", err)
		return rep, err
	}
	d.Log.Info("fixity run done", "records", rep.Records, "checked", rep.Checked, "failed", len(rep.Failed),
		"bytes", rep.Bytes, "seconds", rep.FinishedAt.Sub(rep.StartedAt).Seconds(), "report", rep.Key)
	return rep, nil
}

// ScheduleFixity runs Fixity every interval until ctx ends. Of several processes, one runs
// each period: they take a Redis lock named after the period.
func (d *Desk) ScheduleFixity(ctx context.Context, every time.Duration) {
	d.periodic(ctx, every, d.State.ClaimFixityRun, func(ctx context.Context) {
		if _, err := d.Fixity(ctx, archive.DefaultFixityReaders); err != nil && ctx.Err() == nil {
			d.Log.Error("scheduled fixity run failed", "err", err)
		}
	})
}

// periodic calls run every interval until ctx ends, in the process that wins claim for the
// period (a Redis key named after the period's start, lasting one period).
func (d *Desk) periodic(ctx context.Context, every time.Duration,
	claim func(ctx context.Context, slot int64, origin string, ttl time.Duration) (bool, error), run func(ctx context.Context)) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			slot := d.Clock.Now().Truncate(every).Unix()
			if ok, err := claim(ctx, slot, d.Origin, every); err != nil || !ok {
				continue
			}
			run(ctx)
		}
	}
}

// Reconcile keeps Redis and the search index true to MinIO by itself. Every interval it looks
// for the epoch mark Reindex leaves: when the mark is gone (Redis restarted without
// persistence, flushed, failed over to an empty replica) one process claims the rebuild and runs
// Reindex, which also puts unfinished batches back on the queue. While the mark is there it
// compares a slice of the archive with the indexes and repairs what a partial loss took (Heal).
// Each interval one process also resumes the batches that failed while storage or the queue
// was down (Resumer).
func (d *Desk) Reconcile(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if d.reconcileEpoch(ctx) {
			d.healPass(ctx, every)
		}
		d.resumeTransient(ctx, every)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// reconcileEpoch rebuilds a Redis without the epoch mark, and says whether Redis holds whole
// indexes now. A new installation (an empty archive) has no mark either: it is marked quietly,
// so that the warning about a lost Redis is only ever a real one.
func (d *Desk) reconcileEpoch(ctx context.Context) bool {
	if _, ok, err := d.State.Epoch(ctx); err != nil || ok {
		return err == nil
	}
	if claimed, err := d.State.ClaimReconcile(ctx, d.Origin, 10*time.Minute); err != nil || !claimed {
		return false
	}
	empty, err := d.archiveEmpty(ctx)
	if err != nil {
		d.Log.Warn("Redis has no epoch mark, but MinIO does not answer; rebuilding when it does", "err", err)
		return false
	}
	if !empty {
		d.Log.Info("Redis has no epoch mark: rebuilding its indexes from MinIO")
	}
	res, err := d.Reindex(ctx)
	switch {
	case err != nil:
		d.Log.Error("rebuild after Redis loss failed; trying again", "err", err)
		return false
	case empty:
		d.Log.Info("new installation: Redis is marked as holding onewindow's indexes")
		return true
	}
	d.Log.Warn("Redis has lost its indexes (no epoch mark); rebuilt them from MinIO", "batches", res.Batches,
		"requeued", res.Requeued, "documents", res.Documents, "rebuilt", res.Rebuilt, "seconds", res.Seconds)
	if d.Metrics != nil {
		d.Metrics.IndexRepairs.WithLabelValues("batches").Add(float64(res.Batches))
		d.Metrics.IndexRepairs.WithLabelValues("documents").Add(float64(res.Documents))
		for name, n := range res.Rebuilt {
			d.Metrics.IndexRepairs.WithLabelValues(name).Add(float64(n))
		}
	}
	return true
}

// archiveEmpty says whether MinIO holds nothing onewindow indexes: no batch, document or case.
func (d *Desk) archiveEmpty(ctx context.Context) (bool, error) {
	for _, p := range []struct {
		bk     storage.Bucket
		prefix string
	}{{storage.Inbox, storage.BatchesPrefix}, {storage.Archive, storage.DocumentsPrefix}, {storage.Archive, storage.CasesPrefix}} {
		names, _, err := d.Blobs.Children(ctx, p.bk, p.prefix, "", "", 1)
		if err != nil || len(names) > 0 {
			return false, err
		}
	}
	return true, nil
}

// healPass runs one Heal while storage and Redis answer (an outage is not a difference) and
// reports what it repaired.
func (d *Desk) healPass(ctx context.Context, every time.Duration) {
	if d.Blobs.Ping(ctx) != nil || d.State.Ping(ctx) != nil {
		return
	}
	res, err := d.Heal(ctx, every, healGrace)
	d.logHeal(res)
	if err != nil && ctx.Err() == nil {
		d.Log.Warn("comparing the indexes with the archive stopped; trying again next period", "err", err)
	}
}

// resumeTransient lets one process a period resume transiently failed batches, and only
// while storage and Redis answer: resuming into an outage would spend a resume for nothing.
func (d *Desk) resumeTransient(ctx context.Context, every time.Duration) {
	if d.Resumer == nil || d.Blobs.Ping(ctx) != nil || d.State.Ping(ctx) != nil {
		return
	}
	slot := d.Clock.Now().Truncate(every).Unix()
	if ok, err := d.State.ClaimResumeRun(ctx, slot, d.Origin, every); err != nil || !ok {
		return
	}
	resumed, err := d.Resumer.ResumeTransient(ctx)
	if err != nil && ctx.Err() == nil {
		d.Log.Warn("resuming transiently failed batches stopped; trying again next period", "resumed", len(resumed), "err", err)
	}
}

// CaseRecords reads the records of a case's documents, in document order.
func (d *Desk) CaseRecords(ctx context.Context, caseNo string) ([]*archive.Record, error) {
	ids, err := d.State.DocumentsOfCase(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	sort.Strings(ids)
	recs := make([]*archive.Record, 0, len(ids))
	for _, id := range ids {
		rec, err := archive.ReadRecord(ctx, d.Blobs, id)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	return recs, nil
}
