package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"onewindow/internal/errs"
	"onewindow/storage"
)

// Superseded reports whether a reviewer's correction filed other documents in docID's place.
func Superseded(ctx context.Context, b Getter, docID string) (bool, error) {
	_, err := b.Get(ctx, storage.Archive, storage.SupersededKey(docID))
	switch {
	case err == nil:
		return true, nil
	case errs.KindOf(err) == errs.NotFound:
		return false, nil
	}
	return false, err
}

// Getter reads small objects.
type Getter interface {
	Get(ctx context.Context, bk storage.Bucket, key string) ([]byte, error)
}

// ReadRecord reads a filed document's record from the archive bucket. A document with no
// record is not filed: that error says so (document_not_found), whoever asked.
func ReadRecord(ctx context.Context, b Getter, docID string) (*Record, error) {
	data, err := b.Get(ctx, storage.Archive, storage.DocumentRecordKey(docID))
	if errs.KindOf(err) == errs.NotFound {
		return nil, errs.E("archive.ReadRecord", errs.NotFound, "document_not_found", "No filed document has that ID.", err)
	}
	if err != nil {
		return nil, err
	}
	var rec Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("record of %s: %w", docID, err)
	}
	return &rec, nil
}

// LoadRecord reads a filed document's record and its OCR text, for indexing.
func LoadRecord(ctx context.Context, b Getter, docID string) (*Record, string, error) {
	rec, err := ReadRecord(ctx, b, docID)
	if err != nil {
		return nil, "", err
	}
	text, err := b.Get(ctx, storage.Archive, storage.DocumentTextKey(docID))
	if err != nil {
		return nil, "", err
	}
	return rec, string(text), nil
}

// FiledFeed is the stream that announces filed documents to every API process
// (storage.State). It is a notice only: the index entry is built from the archive bucket, and
// a lost stream is repaired by reindex.
type FiledFeed interface {
	// ReadFiled waits up to block for notices after position after; none when nothing came.
	ReadFiled(ctx context.Context, after string, count int64, block time.Duration) ([]storage.FiledNotice, error)
	// LastFiled is the newest notice's position, "" when there is none.
	LastFiled(ctx context.Context) (string, error)
}

// Follower tails the filed stream and feeds the index. Its position is kept inside the index,
// so a restarted process picks up where it stopped.
type Follower struct {
	Feed   FiledFeed
	Blobs  Getter
	Index  *Index
	Log    *slog.Logger
	Origin string // this process; its own reindex notices are skipped
	// Rebuild is called on another process's reindex notice.
	Rebuild func(ctx context.Context) error
	// Block is how long one read waits for news (default 5 s).
	Block time.Duration
}

// SkipToEnd moves the position to the stream's newest entry (after a full rebuild, which
// already covered everything announced so far).
func (f *Follower) SkipToEnd(ctx context.Context) error {
	last, err := f.Feed.LastFiled(ctx)
	if err != nil || last == "" {
		return err
	}
	return f.Index.AddAt(nil, "", last)
}

// Run follows the stream until ctx ends.
func (f *Follower) Run(ctx context.Context) {
	block := f.Block
	if block == 0 {
		block = 5 * time.Second
	}
	if f.Index.Stale() && f.Rebuild != nil {
		// Documents indexed under an older mapping lack fields searches now use.
		f.Log.Info("search feed: the index predates the current mapping; rebuilding it from the archive")
		if err := f.Rebuild(ctx); err != nil && ctx.Err() == nil {
			f.Log.Error("search feed: rebuilding the index failed; run reindex", "err", err)
		}
	}
	pos := f.Index.Position()
	for ctx.Err() == nil {
		// Nothing new comes back empty. If Redis was flushed the stream restarts at IDs below
		// pos only when the clock went back; time-based IDs keep growing otherwise.
		notices, err := f.Feed.ReadFiled(ctx, pos, 200, block)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			f.Log.Warn("search feed: reading the filed stream failed", "err", err)
			sleep(ctx, 2*time.Second)
			continue
		}
		for _, n := range notices {
			if err := f.handle(ctx, n); err != nil {
				if ctx.Err() != nil {
					return
				}
				f.Log.Error("search feed: indexing failed; will retry", "entry", n.ID, "err", err)
				sleep(ctx, 2*time.Second)
				break
			}
			pos = n.ID
		}
	}
}

func (f *Follower) handle(ctx context.Context, n storage.FiledNotice) error {
	if n.Reindex != "" {
		if n.Reindex == f.Origin || f.Rebuild == nil {
			return f.Index.AddAt(nil, "", n.ID)
		}
		f.Log.Info("search feed: rebuilding the index on another process's reindex", "origin", n.Reindex)
		return f.Rebuild(ctx) // which moves the position past this notice
	}
	id := n.Doc
	if id == "" {
		return f.Index.AddAt(nil, "", n.ID)
	}
	switch superseded, err := Superseded(ctx, f.Blobs, id); {
	case err != nil:
		return err
	case superseded:
		// Search finds what is in force; the superseded record stays in the archive.
		return f.Index.RemoveAt(id, n.ID)
	}
	rec, text, err := LoadRecord(ctx, f.Blobs, id)
	if errs.KindOf(err) == errs.NotFound {
		f.Log.Error("search feed: announced document has no record in the archive", "document", id, "err", err)
		return f.Index.AddAt(nil, "", n.ID)
	}
	if err != nil {
		return err
	}
	return f.Index.AddAt(rec, text, n.ID)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// copyBuf is io.Copy with a buffer large enough for object streams.
func copyBuf(dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, 256<<10)
	return io.CopyBuffer(dst, src, buf)
}
