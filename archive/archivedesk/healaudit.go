package archivedesk

import (
	"context"
	"path"
	"strconv"
	"time"

	"onewindow/archive"
	"onewindow/storage"
)

// healAuditHead puts back the audit chain's head when a partial loss of Redis took its last
// move. Such a head is usually harmless (the next append finds its entry taken and reads the
// head from MinIO), but not when the entry after it was written on an earlier day than the
// next append's: that append would fork the chain. The check costs a few existence tests: is
// the entry after the head in MinIO, under the head's day, yesterday or today? Only then is the
// head read from MinIO, under the chain's lock, so that no append is in between.
func (d *Desk) healAuditHead(ctx context.Context, now time.Time, res *HealResult) error {
	h, ok, err := d.State.AuditHead(ctx)
	if err != nil || !ok {
		return err // no head: the next append reads it from MinIO anyway
	}
	next := path.Base(storage.AuditKey(now, h.Seq+1))
	stale := false
	for _, dir := range []string{path.Dir(h.Key), path.Dir(storage.AuditKey(now.Add(-24*time.Hour), 0)), path.Dir(storage.AuditKey(now, 0))} {
		if stale, err = d.Blobs.Exists(ctx, storage.Archive, dir+"/"+next); err != nil || stale {
			break
		}
	}
	if err != nil || !stale {
		return err
	}
	token := d.Origin + "/heal@" + strconv.FormatInt(now.UnixNano(), 10)
	if locked, err := d.State.LockAudit(ctx, token, 30*time.Second); err != nil || !locked {
		return err // an append holds it: look again next period
	}
	defer func() { _ = d.State.UnlockAudit(context.WithoutCancel(ctx), token) }()
	if h, ok, err = d.State.AuditHead(ctx); err != nil || !ok {
		return err
	}
	found, err := archive.FindAuditHead(ctx, d.Blobs)
	if err != nil || found.Seq <= h.Seq {
		return err
	}
	if _, err := d.State.MoveAuditHead(ctx, token, found); err != nil {
		return err
	}
	res.repaired("audit", strconv.FormatInt(found.Seq, 10))
	return nil
}
