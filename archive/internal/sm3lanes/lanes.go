// Package sm3lanes hashes several SM3 streams at once. SM3 (GB/T 32905) is a strictly serial
// hash: one stream runs at about a fifth of SHA-256's speed on CPUs with SHA extensions, which
// makes it the whole cost of a fixity run. Independent streams, though, can share the SIMD lanes
// of one core: github.com/emmansun/gmsm carries an eight-lane AVX2 and a four-lane SSE/AVX block
// function for its KDF, about four times the single-stream rate in total. This package puts
// them to work for whole files; the digests are exactly SM3's.
package sm3lanes

import (
	"encoding"
	"encoding/binary"

	"github.com/emmansun/gmsm/sm3"
)

// BlockSize is SM3's block size; Blocks consumes whole blocks.
const BlockSize = 64

// MaxLanes is the most streams one Blocks call takes.
const MaxLanes = 8

var iv = [8]uint32{0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e}

// State is one stream's SM3 chaining value and the bytes it has consumed.
type State struct {
	h [8]uint32
	n uint64
}

// New starts an empty stream.
func New() State { return State{h: iv} }

// Len is how many bytes the stream has consumed.
func (s *State) Len() uint64 { return s.n }

// Blocks advances states[i] by blocks whole blocks taken from data[i], which must hold at least
// blocks*BlockSize bytes. It takes at most MaxLanes streams.
func Blocks(states []*State, data [][]byte, blocks int) {
	if len(states) != len(data) || len(states) > MaxLanes {
		panic("sm3lanes: states and data must pair up, at most MaxLanes of them")
	}
	if blocks <= 0 || len(states) == 0 {
		return
	}
	for i := range data {
		if len(data[i]) < blocks*BlockSize {
			panic("sm3lanes: data shorter than the blocks asked for")
		}
	}
	if !multiBlocks(states, data, blocks) {
		for i, s := range states {
			s.serial(data[i][:blocks*BlockSize])
		}
	}
	for _, s := range states {
		s.n += uint64(blocks * BlockSize)
	}
}

// Sum returns the digest of everything consumed followed by tail, which may be any length.
// The state itself is left as it was.
func (s *State) Sum(tail []byte) [sm3.Size]byte {
	d := s.digest()
	d.Write(tail)
	var out [sm3.Size]byte
	d.Sum(out[:0])
	return out
}

// serial hashes whole blocks of one stream with gmsm's single-stream code.
func (s *State) serial(p []byte) {
	d := s.digest()
	d.Write(p)
	b, err := d.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("sm3lanes: " + err.Error())
	}
	for k := range s.h {
		s.h[k] = binary.BigEndian.Uint32(b[len(stateMagic)+4*k:])
	}
}

// stateMagic and the layout below are gmsm's marshalled digest, the same as crypto/sha256's:
// magic, the eight state words, a block of pending bytes, and the length, all big-endian.
const stateMagic = "sm3\x03"

func (s *State) digest() interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
} {
	b := make([]byte, 0, len(stateMagic)+8*4+BlockSize+8)
	b = append(b, stateMagic...)
	for _, w := range s.h {
		b = binary.BigEndian.AppendUint32(b, w)
	}
	b = append(b, make([]byte, BlockSize)...)
	b = binary.BigEndian.AppendUint64(b, s.n)
	d := sm3.New()
	if err := d.(encoding.BinaryUnmarshaler).UnmarshalBinary(b); err != nil {
		panic("sm3lanes: " + err.Error())
	}
	return d
}
