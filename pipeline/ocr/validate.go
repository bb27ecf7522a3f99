package ocr

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// decodes reports whether Leptonica will read the page. A PNG is checked by walking its
// chunks (every CRC, ending in IEND), which catches truncated and damaged uploads without
// inflating 9 MB of pixels; anything else is decoded by Leptonica.
func decodes(data []byte) bool {
	if bytes.HasPrefix(data, pngSignature) {
		return pngChunksIntact(data)
	}
	return pixDecodes(data)
}

func pngChunksIntact(data []byte) bool {
	rest := data[len(pngSignature):]
	for len(rest) >= 12 {
		n := binary.BigEndian.Uint32(rest)
		if uint64(n)+12 > uint64(len(rest)) {
			return false
		}
		typeAndData := rest[4 : 8+n]
		if crc32.ChecksumIEEE(typeAndData) != binary.BigEndian.Uint32(rest[8+n:]) {
			return false
		}
		if string(typeAndData[:4]) == "IEND" {
			return true
		}
		rest = rest[12+n:]
	}
	return false
}
