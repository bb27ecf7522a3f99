package pages

import (
	"encoding/binary"
	"fmt"
)

// pngProblem explains a PNG that does not decode.
func pngProblem(err error) error {
	return &Problem{What: "is a damaged PNG image", Fix: fixUploadAgain, Err: fmt.Errorf("%w: png: %v", ErrCorrupt, err)}
}

// pngHasAlpha tells from the header and the chunks before the pixels whether a PNG may have
// transparent pixels: an alpha channel (colour types 4 and 6) or a tRNS chunk.
func pngHasAlpha(data []byte) bool {
	const colourTypeAt = 8 + 8 + 9 // magic, IHDR length and type, width, height, bit depth
	if len(data) <= colourTypeAt {
		return false
	}
	if t := data[colourTypeAt]; t == 4 || t == 6 {
		return true
	}
	for p := data[len(magicPNG):]; len(p) >= 12; {
		n := uint64(binary.BigEndian.Uint32(p[0:4]))
		switch string(p[4:8]) {
		case "tRNS":
			return true
		case "IDAT":
			return false
		}
		if n+12 > uint64(len(p)) {
			return false
		}
		p = p[12+n:]
	}
	return false
}
