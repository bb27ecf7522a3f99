package pages

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"os"
	"testing"
)

// Fixtures built in Go. The committed files in testdata were made with Pillow (a real
// producer of scanner-like PDFs and G4 TIFFs) and qpdf (encryption).

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testPage draws a page-like gray image: white with a black block whose place depends on seed.
func testPage(w, h, seed int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	for y := h / 10; y < h/5; y++ {
		for x := w/10 + seed*w/20; x < w/2+seed*w/20 && x < w; x++ {
			g.Pix[y*g.Stride+x] = 0
		}
	}
	return g
}

// pngHeader is a PNG that declares w x h pixels and holds no pixel data: a decompression
// bomb as far as any header check can tell.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.Write(magicPNG)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit gray
	writeChunk(&b, "IHDR", ihdr[:])
	writeChunk(&b, "IDAT", nil)
	writeChunk(&b, "IEND", nil)
	return b.Bytes()
}

// withPHYs inserts a pHYs chunk (pixels per metre) after IHDR.
func withPHYs(p []byte, ppm uint32) []byte {
	var chunk bytes.Buffer
	var d [9]byte
	binary.BigEndian.PutUint32(d[0:], ppm)
	binary.BigEndian.PutUint32(d[4:], ppm)
	d[8] = 1
	writeChunk(&chunk, "pHYs", d[:])
	at := len(magicPNG) + 8 + 13 + 4
	return append(append(append([]byte{}, p[:at]...), chunk.Bytes()...), p[at:]...)
}

// jpegHeader is the start of a JPEG whose frame declares w x h: enough for DecodeConfig.
func jpegHeader(w, h uint16) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 0, 0, 0, 1, 1, 0x11, 0, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0}
	binary.BigEndian.PutUint16(b[7:], h)
	binary.BigEndian.PutUint16(b[9:], w)
	return b
}

// tiffPageSpec is one page of a hand-built TIFF.
type tiffPageSpec struct {
	img *image.Gray
	// declared size when non-zero (to fake a bomb); the strip then holds nothing.
	w, h uint32
}

// buildTIFF writes an uncompressed 8-bit gray multi-page TIFF in the given byte order.
func buildTIFF(order binary.ByteOrder, pages []tiffPageSpec) []byte {
	var b bytes.Buffer
	if order == binary.LittleEndian {
		b.WriteString("II*\x00")
	} else {
		b.WriteString("MM\x00*")
	}
	b.Write(make([]byte, 4)) // first IFD offset, patched below
	prevNext := 4
	for _, p := range pages {
		w, h := p.w, p.h
		var pix []byte
		if p.img != nil {
			w, h = uint32(p.img.Rect.Dx()), uint32(p.img.Rect.Dy())
			pix = p.img.Pix
		}
		stripOff := b.Len()
		b.Write(pix)
		if b.Len()%2 == 1 {
			b.WriteByte(0)
		}
		resOff := b.Len()
		binary.Write(&b, order, [2]uint32{300, 1})
		ifdOff := b.Len()
		order.PutUint32(b.Bytes()[prevNext:], uint32(ifdOff))
		type entry struct {
			tag, typ uint16
			val      uint32
		}
		entries := []entry{
			{256, 4, w}, {257, 4, h}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1},
			{273, 4, uint32(stripOff)}, {277, 3, 1}, {278, 4, h}, {279, 4, uint32(len(pix))},
			{282, 5, uint32(resOff)}, {283, 5, uint32(resOff)}, {296, 3, 2},
		}
		binary.Write(&b, order, uint16(len(entries)))
		for _, e := range entries {
			binary.Write(&b, order, e.tag)
			binary.Write(&b, order, e.typ)
			binary.Write(&b, order, uint32(1))
			if e.typ == 3 {
				binary.Write(&b, order, [2]uint16{uint16(e.val), 0})
			} else {
				binary.Write(&b, order, e.val)
			}
		}
		prevNext = b.Len()
		binary.Write(&b, order, uint32(0))
	}
	return b.Bytes()
}

// pdfBuilder writes a small PDF with a correct cross-reference table.
type pdfBuilder struct{ objs [][]byte }

// add appends an object and returns its number.
func (p *pdfBuilder) add(body string) int {
	p.objs = append(p.objs, []byte(body))
	return len(p.objs)
}

func (p *pdfBuilder) addStream(dict string, data []byte) int {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s /Length %d >>\nstream\n", dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	p.objs = append(p.objs, b.Bytes())
	return len(p.objs)
}

// bytes writes the file; object 1 must be the catalog.
func (p *pdfBuilder) bytes() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	offs := make([]int, len(p.objs))
	for i, o := range p.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(o)
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(p.objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(p.objs)+1, xref)
	return b.Bytes()
}

// pdfImagePage describes a page: either one image drawn over the whole page, or raw content.
type pdfImagePage struct {
	imageDict string // e.g. "/Filter /DCTDecode /ColorSpace /DeviceGray /BitsPerComponent 8"
	imageData []byte
	w, h      int
	content   string // when set, the page's content stream; the image is still a resource
	pageExtra string // more page dictionary entries, e.g. "/Rotate 90"
}

// buildPDF makes an A4 page per entry.
func buildPDF(pages []pdfImagePage) []byte {
	var p pdfBuilder
	p.add("<< /Type /Catalog /Pages 2 0 R >>")
	p.add("") // page tree root, written once the kids are known
	var kids bytes.Buffer
	for _, pg := range pages {
		res := "<< >>"
		if pg.imageData != nil || pg.w > 0 {
			im := p.addStream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d %s", pg.w, pg.h, pg.imageDict), pg.imageData)
			res = fmt.Sprintf("<< /XObject << /Im0 %d 0 R >> >>", im)
		}
		content := pg.content
		if content == "" {
			content = "q 595.28 0 0 841.89 0 0 cm /Im0 Do Q"
		}
		c := p.addStream("", []byte(content))
		page := p.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources %s /Contents %d 0 R %s >>", res, c, pg.pageExtra))
		fmt.Fprintf(&kids, "%d 0 R ", page)
	}
	p.objs[1] = fmt.Appendf(nil, "<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), len(pages))
	return p.bytes()
}

func zlibBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// grayOf decodes a page image to gray pixels for comparisons.
func grayOf(t testing.TB, img image.Image) *image.Gray {
	t.Helper()
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			g.SetGray(x, y, color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray))
		}
	}
	return g
}
