package archive_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"onewindow/archive"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// TestFixityThroughput compares a fixity run with a raw read of the same objects (GetObject to
// io.Discard, same parallelism). Set ONEWINDOW_BENCH_FIXITY_MB (e.g. 512) to run it.
func TestFixityThroughput(t *testing.T) {
	total, _ := strconv.Atoi(os.Getenv("ONEWINDOW_BENCH_FIXITY_MB"))
	if total == 0 {
		t.Skip("set ONEWINDOW_BENCH_FIXITY_MB to measure")
	}
	svc := testenv.Services(t)
	ctx := context.Background()
	blobs, err := storage.OpenBlobs(ctx, testenv.S3Options(svc))
	if err != nil {
		t.Fatal(err)
	}
	const size = 2 << 20
	data := make([]byte, size)
	rand.New(rand.NewSource(1)).Read(data)
	var keys []string
	for i := range total / 2 {
		id := fmt.Sprintf("bench-%05d", i)
		data[0] = byte(i) // every object different
		data[1] = byte(i >> 8)
		d, _ := archive.DigestOf(bytesReader(data))
		key := storage.DocumentPDFKey(id)
		if _, err := blobs.PutBytes(ctx, storage.Archive, key, data, storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		rec := archive.Record{DocumentID: id, Files: []archive.File{{Role: "pdf", Bucket: "archive", Key: key, Digests: d}}}
		rb, _ := json.Marshal(rec)
		if _, err := blobs.PutBytes(ctx, storage.Archive, storage.DocumentRecordKey(id), rb, storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	for _, parallel := range []int{1, 4} {
		start := time.Now()
		var wg sync.WaitGroup
		jobs := make(chan string)
		for range parallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range jobs {
					o, err := blobs.Client().GetObject(ctx, blobs.Name(storage.Archive), k, minio.GetObjectOptions{})
					if err == nil {
						_, err = io.Copy(io.Discard, o)
						o.Close()
					}
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		for _, k := range keys {
			jobs <- k
		}
		close(jobs)
		wg.Wait()
		raw := time.Since(start)
		start = time.Now()
		rep, err := archive.CheckFixity(ctx, blobs, parallel, nil)
		if err != nil || len(rep.Failed) != 0 || rep.Checked != len(keys) {
			t.Fatalf("fixity: %v %+v", err, rep)
		}
		fx := time.Since(start)
		mb := float64(len(keys)*size) / (1 << 20)
		t.Logf("parallel %d: %d objects, %.0f MiB: raw read %.0f MiB/s (%.2fs), fixity SHA-256+SM3 %.0f MiB/s (%.2fs), ratio %.2f",
			parallel, len(keys), mb, mb/raw.Seconds(), raw.Seconds(), mb/fx.Seconds(), fx.Seconds(), fx.Seconds()/raw.Seconds())
	}
}

type sliceReader struct {
	b []byte
	i int
}

func (r *sliceReader) Read(p []byte) (int, error) {
	if r.i >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.i:])
	r.i += n
	return n, nil
}

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }
