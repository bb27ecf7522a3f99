//go:build amd64 && !purego

package sm3lanes

import (
	_ "unsafe" // for go:linkname

	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/sys/cpu"
)

// gmsm's multi-buffer block functions are not exported; they back its KDF. Their signature is
// pinned by the gmsm version in go.mod, and selfTest below proves them against the exported
// single-stream hash before a single lane is used: should a gmsm upgrade change them, the lanes
// switch off and hashing goes on serially, correct but slower.
//
//go:linkname blockMultBy8 github.com/emmansun/gmsm/sm3.blockMultBy8
//go:noescape
func blockMultBy8(dig **[8]uint32, p **byte, buffer *byte, blocks int)

//go:linkname blockMultBy4 github.com/emmansun/gmsm/sm3.blockMultBy4
//go:noescape
func blockMultBy4(dig **[8]uint32, p **byte, buffer *byte, blocks int)

// scratchSize is what gmsm's by-8 KDF allocates for the block functions' state and message words.
const scratchSize = 3456

// The same CPU checks gmsm makes before it calls them.
var (
	have8 = cpu.X86.HasAVX2 && cpu.X86.HasBMI2
	have4 = cpu.X86.HasSSSE3 || cpu.X86.HasAVX
)

var lanesWork = selfTest()

// Lanes is how many streams this CPU hashes at once (8, 4, or 1 when only serial code runs).
func Lanes() int {
	switch {
	case !lanesWork:
		return 1
	case have8:
		return 8
	case have4:
		return 4
	}
	return 1
}

func multiBlocks(states []*State, data [][]byte, blocks int) bool {
	n := len(states)
	if !lanesWork || n < 2 {
		return false
	}
	return runLanes(states, data, blocks)
}

// runLanes fills unused lanes with a copy of lane 0's input and throws their results away.
func runLanes(states []*State, data [][]byte, blocks int) bool {
	width := 4
	if len(states) > 4 {
		if !have8 {
			return false
		}
		width = 8
	} else if !have4 {
		return false
	}
	var digs [MaxLanes]*[8]uint32
	var ptrs [MaxLanes]*byte
	var spare [MaxLanes][8]uint32
	for i := range width {
		if i < len(states) {
			digs[i], ptrs[i] = &states[i].h, &data[i][0]
		} else {
			spare[i] = states[0].h
			digs[i], ptrs[i] = &spare[i], &data[0][0]
		}
	}
	var scratch [scratchSize]byte
	if width == 8 {
		blockMultBy8(&digs[0], &ptrs[0], &scratch[0], blocks)
	} else {
		blockMultBy4(&digs[0], &ptrs[0], &scratch[0], blocks)
	}
	return true
}

// selfTest hashes distinct inputs in every lane width and compares with sm3.Sum.
func selfTest() bool {
	if !have4 && !have8 {
		return false
	}
	for _, width := range []int{4, 8} {
		if width == 8 && !have8 || width == 4 && !have4 {
			continue
		}
		states := make([]*State, width)
		data := make([][]byte, width)
		for i := range width {
			s := New()
			states[i] = &s
			data[i] = make([]byte, 3*BlockSize)
			for k := range data[i] {
				data[i][k] = byte(i*31 + k*7)
			}
		}
		if !runLanes(states, data, 3) {
			return false
		}
		for i := range width {
			states[i].n = 3 * BlockSize
			if states[i].Sum(nil) != sm3.Sum(data[i]) {
				return false
			}
		}
	}
	return true
}
