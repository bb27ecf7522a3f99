package pages

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
)

// jpegStart is the offset of the first plausible start of image (FF D8 FF, then a marker)
// within jpegHeaderWindow, or -1. The one at 0 counts too.
func jpegStart(head []byte) int {
	window := head[:min(len(head), jpegHeaderWindow+len(magicJPEG)+1)]
	for off := 0; ; {
		i := bytes.Index(window[off:], magicJPEG)
		if i < 0 || off+i+3 >= len(window) {
			return -1
		}
		off += i
		// A segment marker must follow: APPn, DQT, DHT, SOFn, COM, DRI. Not a fill byte,
		// a restart marker or a second SOI, which random bytes give as readily.
		if m := window[off+3]; m >= 0xC0 && m != 0xFF && m != 0xD8 && m != 0xD9 && (m < 0xD0 || m > 0xD7) {
			// A PDF whose first image lies near its start is a PDF, not a JPEG with junk.
			if !bytes.Contains(window[:off], magicPDF) {
				return off
			}
			return -1
		}
		off++
	}
}

// jpegFacts is what the page needs from a JPEG's markers, read without decoding.
type jpegFacts struct {
	orientation int  // EXIF 0x0112; 0 when absent
	components  int  // from the frame header
	sof         byte // the frame header's marker: C0 baseline, C2 progressive, ...
	precision   int  // bits per sample
}

// variant names a kind of JPEG by its frame header, for a clerk: Go's decoder reads
// baseline and progressive 8-bit ones, which is what scanners and cameras write.
func (f jpegFacts) variant() string {
	switch {
	case f.sof == 0xC3 || f.sof == 0xC7 || f.sof == 0xCB || f.sof == 0xCF:
		return "a lossless JPEG"
	case f.sof >= 0xC9:
		return "an arithmetic-coded JPEG"
	case f.sof >= 0xC5:
		return "a hierarchical JPEG"
	case f.precision > 8:
		return fmt.Sprintf("a %d-bit JPEG", f.precision)
	}
	return "a kind of JPEG"
}

// readJPEGFacts walks the segments from SOI up to the first frame header.
func readJPEGFacts(data []byte) jpegFacts {
	var f jpegFacts
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			i++ // extraneous bytes, which libjpeg and Go skip with a warning
			continue
		}
		m := data[i+1]
		if m == 0xFF || m == 0x01 || (m >= 0xD0 && m <= 0xD8) {
			i += 1 + boolInt(m != 0xFF)
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return f
		}
		seg := data[i+4 : i+2+n]
		switch {
		case m == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) && f.orientation == 0:
			f.orientation = exifOrientation(seg[6:])
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			if len(seg) >= 6 {
				f.sof, f.precision, f.components = m, int(seg[0]), int(seg[5])
			}
			return f
		case m == 0xDA || m == 0xD9:
			return f
		}
		i += 2 + n
	}
	return f
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// exifOrientation reads tag 0x0112 from the first IFD of an EXIF block (a little TIFF file).
func exifOrientation(tiffData []byte) int {
	if len(tiffData) < 8 {
		return 0
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch string(tiffData[:4]) {
	case "II*\x00":
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return 0
	}
	ifd, _, err := readIFD(tiffData, order, false, uint64(order.Uint32(tiffData[4:8])))
	if err != nil {
		return 0
	}
	v, _ := ifd.uint(tagOrientation)
	return int(v)
}

// jpegProblem explains a JPEG that Go's decoder refuses.
func jpegProblem(data []byte, err error) error {
	var unsupported jpeg.UnsupportedError
	if errors.As(err, &unsupported) {
		return &Problem{What: fmt.Sprintf("is %s, which this service cannot read", readJPEGFacts(data).variant()),
			Fix: "Scan it again as an ordinary JPEG or as PDF.", Err: fmt.Errorf("%w: jpeg: %v", ErrUnreadable, err)}
	}
	return &Problem{What: "is a damaged JPEG image", Fix: fixUploadAgain, Err: fmt.Errorf("%w: jpeg: %v", ErrCorrupt, err)}
}

// normalJPEG is the JPEG as every later stage takes it: colour as RGB (a CMYK or YCCK scan,
// Adobe's inverted convention, decoded by Go's reader) and the page upright as EXIF says.
func normalJPEG(data []byte, orientation int) ([]byte, image.Rectangle, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, image.Rectangle{}, jpegProblem(data, err)
	}
	if _, gray := img.(*image.Gray); !gray {
		img = toRGBA(img)
	}
	img = upright(img, orientation)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: reencodeQuality}); err != nil {
		return nil, image.Rectangle{}, fmt.Errorf("encode page as jpeg: %w", err)
	}
	return out.Bytes(), img.Bounds(), nil
}

// reencodeQuality keeps a re-encoded photograph or colour scan visually as it was; the
// original upload is archived unchanged.
const reencodeQuality = 92
