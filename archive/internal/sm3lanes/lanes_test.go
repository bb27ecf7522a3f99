package sm3lanes

import (
	"math/rand"
	"testing"

	"github.com/emmansun/gmsm/sm3"
)

func TestLanesMatchSM3(t *testing.T) {
	t.Logf("lanes on this CPU: %d", Lanes())
	rng := rand.New(rand.NewSource(7))
	for n := 1; n <= MaxLanes; n++ {
		data := make([][]byte, n)
		states := make([]*State, n)
		for i := range n {
			data[i] = make([]byte, rng.Intn(5000))
			rng.Read(data[i])
			s := New()
			states[i] = &s
		}
		// Feed the lanes in steps of a few blocks, as a reader delivering chunks would.
		off := make([]int, n)
		for {
			var live []*State
			var chunk [][]byte
			for i := range n {
				if len(data[i])-off[i] >= BlockSize {
					live = append(live, states[i])
					chunk = append(chunk, data[i][off[i]:])
				}
			}
			if len(live) == 0 {
				break
			}
			blocks := 1 + rng.Intn(4)
			for _, c := range chunk {
				blocks = min(blocks, len(c)/BlockSize)
			}
			Blocks(live, chunk, blocks)
			for i := range n {
				if len(data[i])-off[i] >= BlockSize {
					off[i] += blocks * BlockSize
				}
			}
		}
		for i := range n {
			if got, want := states[i].Sum(data[i][off[i]:]), sm3.Sum(data[i]); got != want {
				t.Fatalf("%d lanes, lane %d (%d bytes): %x, want %x", n, i, len(data[i]), got, want)
			}
			if states[i].Len() != uint64(off[i]) {
				t.Fatalf("lane %d length %d, want %d", i, states[i].Len(), off[i])
			}
		}
	}
}

// BenchmarkLanes hashes 1 MiB in each of eight streams, and the same eight with the
// single-stream hash, in one run; the ratio is the gain of the lanes.
func BenchmarkLanes(b *testing.B) {
	data := make([][]byte, MaxLanes)
	for i := range data {
		data[i] = make([]byte, 1<<20)
		rand.New(rand.NewSource(int64(i))).Read(data[i])
	}
	b.Run("sm3-serial", func(b *testing.B) {
		b.SetBytes(MaxLanes << 20)
		for b.Loop() {
			for _, d := range data {
				sm3.Sum(d)
			}
		}
	})
	b.Run("sm3-lanes", func(b *testing.B) {
		b.SetBytes(MaxLanes << 20)
		for b.Loop() {
			states := make([]*State, MaxLanes)
			for i := range states {
				s := New()
				states[i] = &s
			}
			Blocks(states, data, (1<<20)/BlockSize)
		}
	})
}
