package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"

	"onewindow/archive/internal/sm3lanes"
)

// A DigestHub computes the Digests of many streams read at once. Each stream's SHA-256 runs in
// the goroutine that reads it; SM3, about five times slower, runs in the hub's one goroutine,
// which hashes up to eight streams per step in SIMD lanes (see sm3lanes). Fixity reads many
// objects at once, so the lanes stay full, and SM3 stops being the bound.
type DigestHub struct {
	in    chan hubChunk
	done  chan struct{}
	spare chan *hubBuffer // buffers no stream holds
}

// hubChunkSize is what a stream hands the hub per step: a whole number of SM3 blocks, large
// enough that the channel hand-off is lost in the hashing.
const hubChunkSize = 256 << 10

// hubBuffersPerStream lets a reader fill one buffer while the hub hashes another and a third
// waits, so that neither side idles on the other.
const hubBuffersPerStream = 3

// hubBuffer is one chunk's buffer. A hub keeps those its streams gave back: a sync.Pool is
// emptied by every GC, and zeroing a fresh quarter-megabyte per chunk cost more than the hub's
// SHA-256.
type hubBuffer = [hubChunkSize]byte

type hubStream struct {
	state  sm3lanes.State
	queue  []hubChunk    // chunks waiting to be hashed, oldest first
	free   chan []byte   // buffers back to the reader
	result chan [32]byte // the SM3 digest, or nothing when the stream was dropped
	off    int           // hashed bytes of queue[0]
	// finished: the digest is sent; the hub forgets the stream.
	finished bool
}

type hubChunk struct {
	s    *hubStream
	data []byte
	open bool // a new stream: wait for its data before each step
	last bool // the stream ends with this chunk
	drop bool // the reader failed: forget the stream
}

// NewDigestHub starts a hub. Close it once every Digest call has returned.
func NewDigestHub() *DigestHub {
	h := &DigestHub{in: make(chan hubChunk), done: make(chan struct{}), spare: make(chan *hubBuffer, 16*hubBuffersPerStream)}
	go h.run()
	return h
}

// Close stops the hub's goroutine. No Digest call may be running.
func (h *DigestHub) Close() {
	close(h.in)
	<-h.done
}

// Digest reads r to the end and returns its digests. Many goroutines may call it at once;
// that is what makes it fast.
func (h *DigestHub) Digest(r io.Reader) (Digests, error) {
	s := &hubStream{state: sm3lanes.New(), free: make(chan []byte, hubBuffersPerStream), result: make(chan [32]byte, 1)}
	var bufs [hubBuffersPerStream]*hubBuffer
	for i := range bufs {
		select {
		case bufs[i] = <-h.spare:
		default:
			bufs[i] = new(hubBuffer)
		}
		s.free <- bufs[i][:]
	}
	// The buffers are spare again only once the hub has answered: then it holds none.
	defer func() {
		for _, b := range bufs {
			select {
			case h.spare <- b:
			default: // more readers than ever before at once: let the GC have it
			}
		}
	}()
	h.in <- hubChunk{s: s, open: true}
	sha := sha256.New()
	var size int64
	for {
		buf := <-s.free
		n, err := io.ReadFull(r, buf)
		sha.Write(buf[:n])
		size += int64(n)
		last := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !last {
			h.in <- hubChunk{s: s, drop: true}
			<-s.result // the hub holds none of our buffers after this
			return Digests{Size: size}, err
		}
		h.in <- hubChunk{s: s, data: buf[:n], last: last}
		if last {
			sum := <-s.result
			return Digests{SHA256: hex.EncodeToString(sha.Sum(nil)), SM3: hex.EncodeToString(sum[:]), Size: size}, nil
		}
	}
}

// run hashes in steps. It waits until every open stream has a chunk queued, so that each step
// fills as many lanes as there are streams reading, then advances all of them by the blocks they
// have in common. A stream's last chunk is finished serially once its whole blocks are hashed.
func (h *DigestHub) run() {
	defer close(h.done)
	var streams []*hubStream // open streams, in the order they opened
	take := func(c hubChunk) {
		switch {
		case c.open:
			streams = append(streams, c.s)
		case c.drop:
			streams = slices.DeleteFunc(streams, func(s *hubStream) bool { return s == c.s })
			close(c.s.result)
		default:
			c.s.queue = append(c.s.queue, c)
		}
	}
	var ready []*hubStream
	for {
		// Take whatever has arrived without waiting, then wait if too few lanes would fill.
	drain:
		for {
			select {
			case c, ok := <-h.in:
				if !ok {
					return
				}
				take(c)
			default:
				break drain
			}
		}
		ready = ready[:0]
		for _, s := range streams {
			if len(s.queue) > 0 && len(ready) < sm3lanes.MaxLanes {
				ready = append(ready, s)
			}
		}
		if len(ready) == 0 || len(ready) < hubMinReady(len(streams)) {
			c, ok := <-h.in
			if !ok {
				return
			}
			take(c)
			continue
		}
		streams = h.step(streams, ready)
	}
}

// hubMinReady is how many streams must have data before a step: every open one, up to the
// lanes there are. Waiting for the slowest reader costs less than a step with empty lanes.
func hubMinReady(open int) int { return min(open, sm3lanes.MaxLanes) }

// step hashes the common whole blocks of the ready streams, then hands back spent buffers and
// finishes streams whose last chunk is done. It returns the streams still open, in the order
// of the next step.
func (h *DigestHub) step(streams, ready []*hubStream) []*hubStream {
	blocks := -1
	for _, s := range ready {
		b := (len(s.queue[0].data) - s.off) / sm3lanes.BlockSize
		if blocks < 0 || b < blocks {
			blocks = b
		}
	}
	if blocks > 0 {
		var states [sm3lanes.MaxLanes]*sm3lanes.State
		var data [sm3lanes.MaxLanes][]byte
		for i, s := range ready {
			states[i], data[i] = &s.state, s.queue[0].data[s.off:]
		}
		sm3lanes.Blocks(states[:len(ready)], data[:len(ready)], blocks)
	}
	done := false
	for _, s := range ready {
		s.off += max(blocks, 0) * sm3lanes.BlockSize
		c := s.queue[0]
		if rest := len(c.data) - s.off; c.last && rest < sm3lanes.BlockSize {
			s.result <- s.state.Sum(c.data[s.off:])
			s.finished, done = true, true
		} else if rest == 0 {
			s.queue = s.queue[1:]
			s.off = 0
			s.free <- c.data[:cap(c.data)]
		}
	}
	if done {
		streams = slices.DeleteFunc(streams, func(s *hubStream) bool { return s.finished })
	}
	// Round robin: with more open streams than lanes, those just served go to the back.
	if len(streams) > sm3lanes.MaxLanes {
		served := func(s *hubStream) bool { return slices.Contains(ready, s) }
		rotated := make([]*hubStream, 0, len(streams))
		for _, s := range streams {
			if !served(s) {
				rotated = append(rotated, s)
			}
		}
		for _, s := range streams {
			if served(s) {
				rotated = append(rotated, s)
			}
		}
		streams = rotated
	}
	return streams
}
