# Makes the hand-built fixtures (JBIG2, inline image, soft mask); see README.md.
import re, zlib, subprocess, sys

def write_pdf(path, objs):
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    open(path, "wb").write(out)

def stream(d, data):
    return b"<< " + d + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

# The G4 data of the CCITT fixture, rewrapped as a JBIG2 generic region coded with MMR (the
# same T.6 code): what a JBIG2 encoder writes for a lossless bilevel scan.
raw = subprocess.run(["qpdf", "--show-object=7", "--raw-stream-data", "simple-ccitt.pdf"], capture_output=True).stdout
W, H = 620, 877
import struct
def seg(num, typ, data):
    return struct.pack(">IBBBI", num, typ, 0, 1, len(data)) + data
pageinfo = struct.pack(">IIIIBH", W, H, 0, 0, 0, 0)
region = struct.pack(">IIIIB", W, H, 0, 0, 0) + b"\x01" + raw
jb = seg(0, 48, pageinfo) + seg(1, 38, region) + seg(2, 49, b"")
A4 = b"/MediaBox [0 0 595 842]"
def page_objs(content, res):
    return [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R " + A4 + b" /Resources " + res + b" /Contents 4 0 R >>",
            stream(b"", content)]
objs = page_objs(b"q 595 0 0 842 0 0 cm /Im0 Do Q", b"<< /XObject << /Im0 5 0 R >> >>")
objs.append(stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode" % (W, H), jb))
write_pdf("jbig2.pdf", objs)

# An inline image (BI ... ID ... EI) drawn over the page:
# an 8x8 gray diagonal, as small scanner utilities and some converters write it.
pix = bytes((0 if x == y else 255) for y in range(8) for x in range(8))
content = b"q 595 0 0 842 0 0 cm BI /W 8 /H 8 /CS /G /BPC 8 ID\n" + pix + b"\nEI Q"
write_pdf("inline.pdf", page_objs(content, b"<< >>"))

# A gray scan drawn through a soft mask (transparency), as photo apps export it.
gray = subprocess.run(["convert", "page.png", "-depth", "8", "gray:-"], capture_output=True).stdout
mask = bytes([200]) * (W * H)
objs = page_objs(b"q 595 0 0 842 0 0 cm /Im0 Do Q", b"<< /XObject << /Im0 5 0 R >> >>")
objs.append(stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /SMask 6 0 R" % (W, H), zlib.compress(gray, 9)))
objs.append(stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode" % (W, H), zlib.compress(mask, 9)))
write_pdf("masked.pdf", objs)
