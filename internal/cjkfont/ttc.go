package cjkfont

import (
	"encoding/binary"
	"fmt"
)

// ttcFace returns face index of a TrueType collection as a standalone TrueType font: the
// face's table directory with its tables copied after it and their offsets rewritten. Table
// checksums do not depend on position, so they stay valid. A plain font is returned as is.
func ttcFace(data []byte, index int) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "ttcf" {
		return data, nil
	}
	n := int(binary.BigEndian.Uint32(data[8:12]))
	if index < 0 || index >= n || len(data) < 12+4*n {
		return nil, fmt.Errorf("font collection has %d faces, not face %d", n, index)
	}
	dir := int(binary.BigEndian.Uint32(data[12+4*index:]))
	if dir+12 > len(data) {
		return nil, fmt.Errorf("font collection: face %d is truncated", index)
	}
	tables := int(binary.BigEndian.Uint16(data[dir+4:]))
	head := 12 + 16*tables
	if dir+head > len(data) {
		return nil, fmt.Errorf("font collection: face %d's table directory is truncated", index)
	}
	out := make([]byte, head, len(data))
	copy(out, data[dir:dir+head])
	for i := 0; i < tables; i++ {
		rec := out[12+16*i:]
		off, length := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if off < 0 || length < 0 || off+length > len(data) {
			return nil, fmt.Errorf("font collection: table %q of face %d lies outside the file", rec[:4], index)
		}
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		out = append(out, data[off:off+length]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}
