package archive_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"sync"
	"testing"

	"onewindow/archive"
)

// TestDigestHubMatchesSerialDigests feeds the hub many streams at once, of lengths around the
// chunk and block boundaries, in small reads, and with readers that fail half way; every stream
// that ends must get exactly the serial digests, and a failed one its error.
func TestDigestHubMatchesSerialDigests(t *testing.T) {
	hub := archive.NewDigestHub()
	defer hub.Close()
	rng := rand.New(rand.NewSource(3))
	sizes := []int{0, 1, 63, 64, 65, 4096, 256<<10 - 1, 256 << 10, 256<<10 + 1, 600 << 10, 1 << 20}
	for range 40 {
		sizes = append(sizes, rng.Intn(900<<10))
	}
	var wg sync.WaitGroup
	work := make(chan int)
	for range 11 { // more readers than lanes
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				data := make([]byte, sizes[i])
				rand.New(rand.NewSource(int64(i))).Read(data)
				want, _ := archive.DigestOf(bytes.NewReader(data))
				var r io.Reader = &smallReads{data: data, max: 1 + i*997}
				failing := i%7 == 3 && len(data) > 0
				if failing {
					r = io.MultiReader(bytes.NewReader(data[:len(data)/2]), errReader{})
				}
				got, err := hub.Digest(r)
				switch {
				case failing && !errors.Is(err, errBroken):
					t.Errorf("stream %d: error %v, want the reader's", i, err)
				case !failing && err != nil:
					t.Errorf("stream %d: %v", i, err)
				case !failing && got != want:
					t.Errorf("stream %d (%d bytes): %+v, want %+v", i, sizes[i], got, want)
				}
			}
		}()
	}
	for i := range sizes {
		work <- i
	}
	close(work)
	wg.Wait()
}

var errBroken = errors.New("connection reset")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBroken }

// smallReads hands out at most max bytes per Read, as a network body does.
type smallReads struct {
	data []byte
	max  int
}

func (r *smallReads) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.max)], r.data)
	r.data = r.data[n:]
	return n, nil
}
