// Package storage owns every byte in MinIO and every key in Redis. MinIO is the record;
// Redis holds the queue and indexes that can be rebuilt from MinIO.
package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onewindow/internal/errs"
)

// Bucket names one of the three buckets by role.
type Bucket int

const (
	Inbox   Bucket = iota // raw uploads, content-addressed, and batch manifests
	Work                  // page images and OCR results: derived, could be recomputed
	Archive               // filed documents, e-file records and events, under object lock
)

// S3Options name an S3 endpoint (a single MinIO, a distributed MinIO, or any S3).
type S3Options struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Secure    bool
	Region    string
	Prefix    string // bucket names are Prefix-inbox, Prefix-work, Prefix-archive
	// PublicURL (scheme://host[:port]) is the address presigned links name, when users reach
	// object storage by another one than the daemon; empty: Endpoint.
	PublicURL string
}

// Blobs is the MinIO side of storage.
type Blobs struct {
	c     *minio.Client
	sign  *minio.Client // signs presigned links for the public address; c when there is none
	names [3]string
}

// partSize bounds minio-go's buffer for uploads of unknown size (it would otherwise allocate
// 528 MiB per upload).
const partSize = 16 << 20

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string
	ContentType  string
	LastModified time.Time
	VersionID    string
	Metadata     map[string]string
}

// PutOptions are per-call options of Put.
type PutOptions struct {
	ContentType string
	Metadata    map[string]string
	// IfAbsent refuses to replace an existing object (ErrExists); filing is write-once.
	IfAbsent bool
	// RetainUntil puts the object version under object-lock retention (Archive only).
	RetainUntil   time.Time
	RetentionMode string // GOVERNANCE or COMPLIANCE
	LegalHold     bool
}

// ErrExists is returned by Put with IfAbsent when the key is taken.
var ErrExists = errors.New("object already exists")

// OpenBlobs connects to S3 and makes sure the three buckets exist; the archive bucket is
// created with object locking (which implies versioning).
func OpenBlobs(ctx context.Context, o S3Options) (*Blobs, error) {
	const op = "storage.OpenBlobs"
	c, err := minio.New(o.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure: o.Secure,
		Region: o.Region,
	})
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "bad_s3_endpoint", "The S3 endpoint setting is not valid.", err)
	}
	b := &Blobs{c: c, sign: c, names: bucketNames(o.Prefix)}
	if o.PublicURL != "" {
		u, err := url.Parse(o.PublicURL)
		if err != nil || u.Host == "" {
			return nil, errs.E(op, errs.Invalid, "bad_s3_public_url", "The S3 public URL setting is not valid.", err)
		}
		// The region is given, so signing never asks the public address anything: the daemon
		// may not be able to reach it at all.
		region := o.Region
		if region == "" {
			region = "us-east-1"
		}
		b.sign, err = minio.New(u.Host, &minio.Options{Creds: credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
			Secure: u.Scheme == "https", Region: region})
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "bad_s3_public_url", "The S3 public URL setting is not valid.", err)
		}
	}
	for i, name := range b.names {
		ok, err := c.BucketExists(ctx, name)
		if err != nil {
			return nil, errs.E(op, errs.Unavailable, "storage_unavailable", "Object storage does not answer.", err)
		}
		if ok {
			continue
		}
		err = c.MakeBucket(ctx, name, minio.MakeBucketOptions{Region: o.Region, ObjectLocking: Bucket(i) == Archive})
		if err != nil && minio.ToErrorResponse(err).Code != "BucketAlreadyOwnedByYou" {
			return nil, errs.E(op, errs.Unavailable, "storage_unavailable", "Cannot create bucket "+name+".", err)
		}
	}
	return b, nil
}

// bucketNames are the three buckets' S3 names under prefix (empty: "onewindow").
func bucketNames(prefix string) [3]string {
	if prefix == "" {
		prefix = "onewindow"
	}
	return [3]string{prefix + "-inbox", prefix + "-work", prefix + "-archive"}
}

// Name is the bucket's S3 name.
func (b *Blobs) Name(bk Bucket) string { return b.names[bk] }

// Client exposes the minio client to storage-level tests and admin tools.
func (b *Blobs) Client() *minio.Client { return b.c }

// Ping checks that S3 answers.
func (b *Blobs) Ping(ctx context.Context) error {
	_, err := b.c.BucketExists(ctx, b.names[Inbox])
	if err != nil {
		return errs.E("storage.Ping", errs.Unavailable, "storage_unavailable", "Object storage does not answer.", err)
	}
	return nil
}

// Put stores r (size bytes, or -1 if unknown) under key.
func (b *Blobs) Put(ctx context.Context, bk Bucket, key string, r io.Reader, size int64, o PutOptions) (ObjectInfo, error) {
	opts := minio.PutObjectOptions{ContentType: o.ContentType, UserMetadata: o.Metadata, PartSize: partSize}
	if o.IfAbsent {
		opts.SetMatchETagExcept("*")
	}
	if !o.RetainUntil.IsZero() {
		opts.Mode = minio.RetentionMode(o.RetentionMode)
		opts.RetainUntilDate = o.RetainUntil
	}
	if o.LegalHold {
		opts.LegalHold = minio.LegalHoldEnabled
	}
	info, err := b.c.PutObject(ctx, b.names[bk], key, r, size, opts)
	if err != nil {
		if resp := minio.ToErrorResponse(err); resp.StatusCode == http.StatusPreconditionFailed {
			return ObjectInfo{}, ErrExists
		}
		return ObjectInfo{}, wrap("storage.Put", key, err)
	}
	return ObjectInfo{Key: key, Size: info.Size, ETag: info.ETag, VersionID: info.VersionID}, nil
}

// PutBytes stores data under key.
func (b *Blobs) PutBytes(ctx context.Context, bk Bucket, key string, data []byte, o PutOptions) (ObjectInfo, error) {
	return b.Put(ctx, bk, key, bytes.NewReader(data), int64(len(data)), o)
}

// Open streams an object. The caller closes the reader.
func (b *Blobs) Open(ctx context.Context, bk Bucket, key string) (io.ReadCloser, ObjectInfo, error) {
	// The plain response body: minio.Object's seekable reader adds a goroutine and a copy per
	// read, which fixity, reading the whole archive, notices.
	body, st, _, err := minio.Core{Client: b.c}.GetObject(ctx, b.names[bk], key, minio.GetObjectOptions{})
	if err != nil {
		return nil, ObjectInfo{}, wrap("storage.Open", key, err)
	}
	st.Key = key
	return body, toInfo(st), nil
}

// Get reads a whole object into memory; for small objects only.
func (b *Blobs) Get(ctx context.Context, bk Bucket, key string) ([]byte, error) {
	rc, _, err := b.Open(ctx, bk, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, wrap("storage.Get", key, err)
	}
	return data, nil
}

// Stat describes an object.
func (b *Blobs) Stat(ctx context.Context, bk Bucket, key string) (ObjectInfo, error) {
	st, err := b.c.StatObject(ctx, b.names[bk], key, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, wrap("storage.Stat", key, err)
	}
	return toInfo(st), nil
}

// Exists reports whether key is stored.
func (b *Blobs) Exists(ctx context.Context, bk Bucket, key string) (bool, error) {
	_, err := b.Stat(ctx, bk, key)
	if errs.KindOf(err) == errs.NotFound {
		return false, nil
	}
	return err == nil, err
}

// Delete removes an object (inbox and work only: archive objects are retained).
func (b *Blobs) Delete(ctx context.Context, bk Bucket, key string) error {
	if err := b.c.RemoveObject(ctx, b.names[bk], key, minio.RemoveObjectOptions{}); err != nil {
		return wrap("storage.Delete", key, err)
	}
	return nil
}

// List yields the objects under prefix, in key order.
func (b *Blobs) List(ctx context.Context, bk Bucket, prefix string) iter.Seq2[ObjectInfo, error] {
	return func(yield func(ObjectInfo, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for o := range b.c.ListObjects(ctx, b.names[bk], minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if o.Err != nil {
				yield(ObjectInfo{}, wrap("storage.List", prefix, o.Err))
				return
			}
			if !yield(toInfo(o), nil) {
				return
			}
		}
	}
}

// PresignGet hands out a URL that reads key until it expires.
func (b *Blobs) PresignGet(ctx context.Context, bk Bucket, key string, expiry time.Duration) (string, error) {
	u, err := b.sign.PresignedGetObject(ctx, b.names[bk], key, expiry, nil)
	if err != nil {
		return "", wrap("storage.PresignGet", key, err)
	}
	return u.String(), nil
}

func toInfo(o minio.ObjectInfo) ObjectInfo {
	md := map[string]string{}
	for k, v := range o.UserMetadata {
		md[k] = v
	}
	for k, v := range o.Metadata {
		if name, ok := strings.CutPrefix(k, "X-Amz-Meta-"); ok && name != "" && len(v) > 0 {
			md[name] = v[0]
		}
	}
	return ObjectInfo{Key: o.Key, Size: o.Size, ETag: o.ETag, ContentType: o.ContentType,
		LastModified: o.LastModified, VersionID: o.VersionID, Metadata: md}
}

func wrap(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound:
		return errs.E(op, errs.NotFound, "not_found", "No such object.", fmt.Errorf("%s: %w", key, err))
	case resp.Code == "AccessDenied":
		return errs.E(op, errs.Forbidden, "object_locked", "The object is protected.", fmt.Errorf("%s: %w", key, err))
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	default:
		return errs.E(op, errs.Unavailable, "storage_unavailable", "Object storage failed.", fmt.Errorf("%s: %w", key, err))
	}
}
