package pages

import (
	"encoding/binary"
	"fmt"
)

// ifdEntries is one parsed image file directory, of a classic TIFF (12-byte entries, 4-byte
// offsets) or a BigTIFF (20-byte entries, 8-byte offsets), which large scans and some
// archiving systems write.
type ifdEntries struct {
	data    []byte
	order   binary.ByteOrder
	big     bool
	offset  uint64
	entries map[uint16][]byte // tag -> 12- or 20-byte entry
}

// ifdLayout is the sizes that differ between classic TIFF and BigTIFF.
func ifdLayout(big bool) (countSize, entrySize, offsetSize uint64) {
	if big {
		return 8, 20, 8
	}
	return 2, 12, 4
}

func readIFD(data []byte, order binary.ByteOrder, big bool, off uint64) (ifdEntries, uint64, error) {
	countSize, entrySize, offsetSize := ifdLayout(big)
	if off > uint64(len(data)) || off+countSize > uint64(len(data)) {
		return ifdEntries{}, 0, fmt.Errorf("offset %d beyond end of file", off)
	}
	count := readOffset(data[off:], order, countSize)
	if count > uint64(len(data))/entrySize {
		return ifdEntries{}, 0, fmt.Errorf("%d entries at offset %d run past end of file", count, off)
	}
	end := off + countSize + count*entrySize
	if end+offsetSize > uint64(len(data)) {
		return ifdEntries{}, 0, fmt.Errorf("%d entries at offset %d run past end of file", count, off)
	}
	ifd := ifdEntries{data: data, order: order, big: big, offset: off, entries: make(map[uint16][]byte, count)}
	for p := off + countSize; p < end; p += entrySize {
		e := data[p : p+entrySize]
		ifd.entries[order.Uint16(e)] = e
	}
	return ifd, readOffset(data[end:], order, offsetSize), nil
}

// readOffset reads a 2-, 4- or 8-byte unsigned number.
func readOffset(b []byte, order binary.ByteOrder, size uint64) uint64 {
	switch size {
	case 2:
		return uint64(order.Uint16(b))
	case 4:
		return uint64(order.Uint32(b))
	}
	return order.Uint64(b)
}

// tiffTypeSize is the byte size of each field type; 16-18 (LONG8, SLONG8, IFD8) are BigTIFF's.
var tiffTypeSize = map[uint16]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8}

// values returns the raw bytes of a tag's values, its type and count.
func (ifd ifdEntries) values(tag uint16) ([]byte, uint16, uint64, bool) {
	e, ok := ifd.entries[tag]
	if !ok {
		return nil, 0, 0, false
	}
	_, _, offsetSize := ifdLayout(ifd.big)
	typ := ifd.order.Uint16(e[2:4])
	count := readOffset(e[4:], ifd.order, offsetSize)
	size, ok := tiffTypeSize[typ]
	if !ok || count == 0 || count > uint64(len(ifd.data)) {
		return nil, 0, 0, false
	}
	n := size * count
	field := e[4+offsetSize:]
	if n <= offsetSize {
		return field[:n], typ, count, true
	}
	off := readOffset(field, ifd.order, offsetSize)
	if off > uint64(len(ifd.data)) || off+n > uint64(len(ifd.data)) {
		return nil, 0, 0, false
	}
	return ifd.data[off : off+n], typ, count, true
}

// uints reads a SHORT, LONG or LONG8 tag (or an IFD offset).
func (ifd ifdEntries) uints(tag uint16) ([]uint64, bool) {
	b, typ, count, ok := ifd.values(tag)
	if !ok {
		return nil, false
	}
	size := tiffTypeSize[typ]
	switch typ {
	case 3, 4, 13, 16, 18:
	default:
		return nil, false
	}
	out := make([]uint64, count)
	for i := range out {
		out[i] = readOffset(b[uint64(i)*size:], ifd.order, size)
	}
	return out, true
}

func (ifd ifdEntries) uint(tag uint16) (uint64, bool) {
	b, typ, _, ok := ifd.values(tag)
	switch {
	case !ok:
		return 0, false
	case typ == 1:
		return uint64(b[0]), true
	case typ == 3, typ == 4, typ == 13, typ == 16, typ == 18:
		return readOffset(b, ifd.order, tiffTypeSize[typ]), true
	}
	return 0, false
}
