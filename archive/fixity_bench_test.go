package archive_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/devservices"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// TestFixityThroughput compares a fixity run with `mc cat > /dev/null` of the same objects and
// with a raw read of them through the same storage code (to io.Discard, same parallelism), in
// the same run. Set ONEWINDOW_BENCH_FIXITY_MB (e.g. 512) to run it.
func TestFixityThroughput(t *testing.T) {
	total, _ := strconv.Atoi(os.Getenv("ONEWINDOW_BENCH_FIXITY_MB"))
	if total == 0 {
		t.Skip("set ONEWINDOW_BENCH_FIXITY_MB to measure")
	}
	svc := testenv.Services(t)
	ctx := context.Background()
	blobs := testenv.Blobs(t, svc)
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
	// The raw read gets what fixity gets: the listing, then every record and every file, with
	// the same number of readers; the way `mc cat` of each object to /dev/null would.
	rawRead := func(parallel int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		jobs := make(chan string)
		for range parallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range jobs {
					rc, _, err := blobs.Open(ctx, storage.Archive, k)
					if err == nil {
						_, err = io.Copy(io.Discard, rc)
						rc.Close()
					}
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		for o, err := range blobs.List(ctx, storage.Archive, "documents/") {
			if err != nil {
				t.Fatal(err)
			}
			jobs <- o.Key
		}
		close(jobs)
		wg.Wait()
		return time.Since(start)
	}
	mb := float64(len(keys)*size) / (1 << 20)
	// The issue's own reference: `mc cat` of every record and file to /dev/null, one process.
	if mc := devservices.FindTool("mc", "ONEWINDOW_MC_BIN"); mc != "" {
		opt := testenv.S3Options(svc)
		args := []string{"cat"}
		for o, err := range blobs.List(ctx, storage.Archive, "documents/") {
			if err != nil {
				t.Fatal(err)
			}
			args = append(args, "bench/"+blobs.Name(storage.Archive)+"/"+o.Key)
		}
		cmd := exec.Command(mc, args...) // Stdout nil: /dev/null
		cmd.Env = append(os.Environ(), "MC_CONFIG_DIR="+t.TempDir(),
			"MC_HOST_bench=http://"+opt.AccessKey+":"+opt.SecretKey+"@"+opt.Endpoint)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("mc cat: %v %s", err, stderr.String())
		}
		mcTime := time.Since(start)
		start = time.Now()
		rep, err := archive.CheckFixity(ctx, blobs, archive.DefaultFixityReaders, nil)
		if err != nil || len(rep.Failed) != 0 {
			t.Fatalf("fixity: %v %+v", err, rep)
		}
		fx := time.Since(start)
		t.Logf("mc cat > /dev/null: %.0f MiB/s (%.2fs); fixity, %d readers: %.0f MiB/s (%.2fs); ratio %.2f",
			mb/mcTime.Seconds(), mcTime.Seconds(), archive.DefaultFixityReaders, mb/fx.Seconds(), fx.Seconds(), fx.Seconds()/mcTime.Seconds())
	} else {
		t.Log("no mc found (scripts/bench.sh builds it into .tools/bin): comparing with Go reads only")
	}
	fixity := func(parallel int) (time.Duration, int) {
		start := time.Now()
		rep, err := archive.CheckFixity(ctx, blobs, parallel, nil)
		if err != nil || len(rep.Failed) != 0 || rep.Checked != len(keys) {
			t.Fatalf("fixity: %v %+v", err, rep)
		}
		return time.Since(start), rep.SM3Lanes
	}
	// Each figure is the median of five runs, raw and fixity alternating, so that a burst of
	// other work on the machine moves both alike.
	const runs = 5
	for _, parallel := range []int{1, 8, archive.DefaultFixityReaders} {
		var raws, fxs []time.Duration
		lanes := 0
		for range runs {
			raws = append(raws, rawRead(parallel))
			d, n := fixity(parallel)
			fxs, lanes = append(fxs, d), n
		}
		raw, fx := median(raws), median(fxs)
		t.Logf("%d readers: %d records and files, %.0f MiB, median of %d: raw read %.0f MiB/s (%.2fs), fixity SHA-256+SM3 (%d SM3 lanes) %.0f MiB/s (%.2fs), ratio %.2f",
			parallel, len(keys), mb, runs, mb/raw.Seconds(), raw.Seconds(), lanes, mb/fx.Seconds(), fx.Seconds(), fx.Seconds()/raw.Seconds())
	}
}

func median(d []time.Duration) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
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
