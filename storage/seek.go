package storage

import (
	"context"
	"io"

	"github.com/minio/minio-go/v7"
)

// OpenSeeker opens an object for reading from any offset, as HTTP Range requests need: a
// Seek followed by a Read asks S3 for the object from there on.
func (b *Blobs) OpenSeeker(ctx context.Context, bk Bucket, key string) (io.ReadSeekCloser, ObjectInfo, error) {
	o, err := b.c.GetObject(ctx, b.names[bk], key, minio.GetObjectOptions{})
	if err != nil {
		return nil, ObjectInfo{}, wrap("storage.OpenSeeker", key, err)
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		return nil, ObjectInfo{}, wrap("storage.OpenSeeker", key, err)
	}
	st.Key = key
	return o, toInfo(st), nil
}
