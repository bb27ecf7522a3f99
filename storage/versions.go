package storage

import (
	"context"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
)

// Object lock, versions and one-level listings: what the archive's reports, legal holds and
// audit log need of S3 beyond reading and writing.

// Lock is an object version's object-lock state.
type Lock struct {
	Mode      string    `json:"mode,omitempty"` // GOVERNANCE, COMPLIANCE, or empty: not retained
	Until     time.Time `json:"until,omitzero"`
	LegalHold bool      `json:"legal_hold"`
}

// WithLock is o with the retention of l: what archive.RetentionPolicy.Until answered.
func (o PutOptions) WithLock(l Lock) PutOptions {
	o.RetentionMode, o.RetainUntil = l.Mode, l.Until
	return o
}

// Retainer is the hall's retention schedule (archive.RetentionPolicy), which the stores of
// case events and ratings ask how long to keep what they file.
type Retainer interface {
	Until(docType, matter string, now time.Time) Lock
}

// LockOf reads the retention and legal hold of key's current version. A bucket without object
// lock, or an object without retention, yields a zero Lock and no error.
func (b *Blobs) LockOf(ctx context.Context, bk Bucket, key string) (Lock, error) {
	var l Lock
	mode, until, err := b.c.GetObjectRetention(ctx, b.names[bk], key, "")
	switch {
	case err == nil:
		if mode != nil {
			l.Mode = string(*mode)
		}
		if until != nil {
			l.Until = until.UTC()
		}
	case noLock(err):
	default:
		return l, wrap("storage.LockOf", key, err)
	}
	hold, err := b.c.GetObjectLegalHold(ctx, b.names[bk], key, minio.GetObjectLegalHoldOptions{})
	switch {
	case err == nil:
		l.LegalHold = hold != nil && *hold == minio.LegalHoldEnabled
	case noLock(err):
	default:
		return l, wrap("storage.LockOf", key, err)
	}
	return l, nil
}

// noLock reports the S3 answers that mean "no retention or hold configured" rather than a failure.
func noLock(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == "NoSuchObjectLockConfiguration" || code == "ObjectLockConfigurationNotFoundError" ||
		code == "InvalidRequest" || strings.Contains(code, "ObjectLock")
}

// ExtendRetention makes key's current version retained until at least until, in mode. A longer
// retention already in force is left alone: object lock never shortens one without a bypass.
func (b *Blobs) ExtendRetention(ctx context.Context, bk Bucket, key, mode string, until time.Time) error {
	cur, curUntil, err := b.c.GetObjectRetention(ctx, b.names[bk], key, "")
	if err != nil && !noLock(err) {
		return wrap("storage.ExtendRetention", key, err)
	}
	if cur != nil && curUntil != nil && !curUntil.Before(until) {
		return nil
	}
	m := minio.RetentionMode(mode)
	if cur != nil && *cur == minio.Compliance {
		m = minio.Compliance // a compliance lock cannot be turned into a governance one
	}
	if err := b.c.PutObjectRetention(ctx, b.names[bk], key, minio.PutObjectRetentionOptions{Mode: &m, RetainUntilDate: &until}); err != nil {
		return wrap("storage.ExtendRetention", key, err)
	}
	return nil
}

// SetLegalHold puts key's current version under legal hold, or releases it.
func (b *Blobs) SetLegalHold(ctx context.Context, bk Bucket, key string, on bool) error {
	st := minio.LegalHoldDisabled
	if on {
		st = minio.LegalHoldEnabled
	}
	if err := b.c.PutObjectLegalHold(ctx, b.names[bk], key, minio.PutObjectLegalHoldOptions{Status: &st}); err != nil {
		return wrap("storage.SetLegalHold", key, err)
	}
	return nil
}

// Versions counts the versions of key (delete markers included). A filed object has exactly
// one: another means something was written on top of it.
func (b *Blobs) Versions(ctx context.Context, bk Bucket, key string) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	for o := range b.c.ListObjects(ctx, b.names[bk], minio.ListObjectsOptions{Prefix: key, WithVersions: true}) {
		if o.Err != nil {
			return n, wrap("storage.Versions", key, o.Err)
		}
		if o.Key == key {
			n++
		}
	}
	return n, nil
}

// ListLevel returns the names one level below prefix (which ends in "/"): sub-prefixes end in
// "/", objects do not. Sorted in key order.
func (b *Blobs) ListLevel(ctx context.Context, bk Bucket, prefix string) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var names []string
	for o := range b.c.ListObjects(ctx, b.names[bk], minio.ListObjectsOptions{Prefix: prefix}) {
		if o.Err != nil {
			return nil, wrap("storage.ListLevel", prefix, o.Err)
		}
		names = append(names, o.Key)
	}
	return names, nil
}
