package pages

import (
	"context"
	"encoding/binary"
	"testing"

	"onewindow/internal/testfixtures/encode"
)

func FuzzSniff(f *testing.F) {
	for _, seed := range [][]byte{nil, []byte("%PDF-1.4"), []byte("II*\x00"), []byte("MM\x00+"), magicPNG, magicJPEG, []byte("PK\x03\x04")} {
		f.Add(seed)
	}
	for _, name := range []string{"jpeg-junk-header.jpg", "tiff-bigtiff.tif", "png-alpha.png"} {
		data := readTestdata(f, "formats/"+name)
		f.Add(data[:min(len(data), SniffLen)])
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		kind, err := Sniff(head)
		if (kind == "") == (err == nil) {
			t.Fatalf("Sniff = %q, %v", kind, err)
		}
	})
}

// FuzzOpen: arbitrary bytes only ever give errors, from Open or from Page.
func FuzzOpen(f *testing.F) {
	for _, name := range []string{"scan3.pdf", "scan3-g4.tif", "bilevel1.pdf", "encrypted-owner.pdf"} {
		f.Add(readTestdata(f, name))
	}
	page := testPage(40, 30, 1)
	f.Add(buildTIFF(binary.BigEndian, []tiffPageSpec{{img: page}, {img: page}}))
	f.Add(buildPDF([]pdfImagePage{{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", imageData: encode.JPEG(f, page), w: 40, h: 30}}))
	f.Add(buildPDF([]pdfImagePage{{imageDict: "/ColorSpace /DeviceGray /BitsPerComponent 1", imageData: grayToBits(page).pix, w: 40, h: 30}}))
	f.Add(encode.PNG(f, page))
	f.Add(encode.JPEG(f, page))
	for _, name := range []string{"jpeg-junk-header.jpg", "jpeg-exif6.jpg", "jpeg-cmyk.jpg", "png-alpha.png", "png-palette-trns.png"} {
		f.Add(readTestdata(f, "formats/"+name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := Open(context.Background(), data, fuzzLimits)
		checkFuzzOpen(t, src, err)
	})
}
