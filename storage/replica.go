package storage

import (
	"context"
	"iter"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onewindow/internal/errs"
)

// OpenReplica connects to the buckets at o (the copy on a second MinIO, or the hall's own,
// under the same prefix) for a comparison. Unlike OpenBlobs it creates nothing: a check must not
// make what it looks at, and a bucket missing there is an answer.
func OpenReplica(ctx context.Context, o S3Options) (*Blobs, error) {
	const op = "storage.OpenReplica"
	c, err := minio.New(o.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure: o.Secure, Region: o.Region})
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "bad_s3_endpoint", "The S3 endpoint setting is not valid.", err)
	}
	b := &Blobs{c: c, sign: c, names: bucketNames(o.Prefix)}
	for _, name := range b.names {
		ok, err := c.BucketExists(ctx, name)
		switch minio.ToErrorResponse(err).Code {
		case "":
		case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch":
			return nil, errs.E(op, errs.Forbidden, "storage_access_denied", "Object storage at "+o.Endpoint+" refused the key.", err)
		default:
			return nil, errs.E(op, errs.Unavailable, "storage_unavailable", "Object storage at "+o.Endpoint+" does not answer.", err)
		}
		if !ok {
			return nil, errs.E(op, errs.NotFound, "replica_bucket_missing",
				"Object storage at "+o.Endpoint+" has no bucket "+name+": replication is not set up (docs/OPERATIONS.md).", nil)
		}
	}
	return b, nil
}

// ReplicaLag is how far one bucket's copy on a second MinIO (bucket replication, see
// docs/OPERATIONS.md) is behind the bucket itself, judged by the latest version of every key:
// the version a reader gets, which failing over to the copy would give.
type ReplicaLag struct {
	Bucket  string `json:"bucket"`
	Objects int    `json:"objects"` // live objects in the bucket
	Copied  int    `json:"copied"`  // of those, in the copy as the same version
	Missing int    `json:"missing"` // in the bucket, not in the copy
	Differ  int    `json:"differ"`  // in both, the copy's latest version another one
	Extra   int    `json:"extra"`   // live in the copy only (a delete not yet replicated)
	// Examples names a few keys that are not current, for the operator's first look.
	Examples []string `json:"examples,omitempty"`
}

// Current reports whether the copy holds exactly the bucket's latest versions.
func (l ReplicaLag) Current() bool { return l.Missing == 0 && l.Differ == 0 && l.Extra == 0 }

const lagExamples = 5

// CompareReplica compares every bucket of b with the bucket of the same name in replica. Both
// listings come in key order, so they are merged as they stream: a bucket of millions of
// objects costs two listings, not a map of them.
func CompareReplica(ctx context.Context, b, replica *Blobs) ([]ReplicaLag, error) {
	var out []ReplicaLag
	for bk := range b.names {
		lag, err := compareBucket(ctx, b, replica, Bucket(bk))
		if err != nil {
			return out, err
		}
		out = append(out, lag)
	}
	return out, nil
}

func compareBucket(ctx context.Context, b, replica *Blobs, bk Bucket) (ReplicaLag, error) {
	lag := ReplicaLag{Bucket: b.names[bk]}
	src, stopSrc := iter.Pull2(b.latest(ctx, bk))
	defer stopSrc()
	dst, stopDst := iter.Pull2(replica.latest(ctx, bk))
	defer stopDst()
	note := func(key string) {
		if len(lag.Examples) < lagExamples {
			lag.Examples = append(lag.Examples, key)
		}
	}
	s, serr, sok := src()
	d, derr, dok := dst()
	for sok || dok {
		if serr != nil {
			return lag, serr
		}
		if derr != nil {
			return lag, derr
		}
		switch {
		case dok && (!sok || d.Key < s.Key):
			lag.Extra++
			note(d.Key)
			d, derr, dok = dst()
		case sok && (!dok || s.Key < d.Key):
			lag.Objects++
			lag.Missing++
			note(s.Key)
			s, serr, sok = src()
		default:
			lag.Objects++
			// Replication keeps the version ID, so an equal one is the same version; size and
			// ETag catch a copy that differs all the same.
			if s.VersionID == d.VersionID && s.Size == d.Size && s.ETag == d.ETag {
				lag.Copied++
			} else {
				lag.Differ++
				note(s.Key)
			}
			s, serr, sok = src()
			d, derr, dok = dst()
		}
	}
	return lag, nil
}

// latest yields the latest version of every key that is not deleted, in key order.
func (b *Blobs) latest(ctx context.Context, bk Bucket) iter.Seq2[ObjectInfo, error] {
	return func(yield func(ObjectInfo, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		opts := minio.ListObjectsOptions{Recursive: true, WithVersions: true}
		for o := range b.c.ListObjects(ctx, b.names[bk], opts) {
			if o.Err != nil {
				yield(ObjectInfo{}, wrap("storage.CompareReplica", b.names[bk], o.Err))
				return
			}
			if !o.IsLatest || o.IsDeleteMarker {
				continue
			}
			if !yield(toInfo(o), nil) {
				return
			}
		}
	}
}
