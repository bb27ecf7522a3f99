#!/bin/sh
# make.sh rebuilds the outside-file suite: copies of public test files other projects ship,
# and files made here with the tools scan stations, phones and office software use. The
# files are committed, so the test needs none of these tools; expect.tsv says what the hall
# must do with each, and must be kept in step by hand when a file is added.
#
# Needs: go (for the public test files of Go, x/image and pdfcpu in the module cache),
# python3 with Pillow (PYTHON=... to choose one), tiffcp and tiffset (libtiff-tools),
# jpegtran (libjpeg-turbo-progs), img2pdf, qpdf, ps2pdf (ghostscript), chromium, fc-match.
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
CHROMIUM=${CHROMIUM:-chromium}

goroot=$(go env GOROOT)
modcache=$(go env GOMODCACHE)
newest() { ls -d "$@" | sort -V | tail -n 1; }
ximage=$(newest "$modcache"/golang.org/x/image@v*)/testdata
pdfcpu=$(newest "$modcache"/github.com/pdfcpu/pdfcpu@v*)/pkg/testdata
font=$(fc-match -f '%{file}' 'Noto Sans CJK SC')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

find . -type f ! -name make.sh ! -name pages.py ! -name expect.tsv -delete

# Public files: Go's own image tests and the PngSuite (BSD), x/image (BSD), pdfcpu (Apache-2.0).
copy() { cp "$1" "$2"; chmod 644 "$2"; }
for f in basn0g01 basn0g16 basn2c16 basn3p01 basn3p08-trns basn4a16 basn6a08 ftbwn0g16; do
	copy "$goroot/src/image/png/testdata/pngsuite/$f.png" "pngsuite-$f.png"
done
copy "$goroot/src/image/png/testdata/benchRGB-interlace.png" go-png-interlaced.png
copy "$goroot/src/image/png/testdata/gray-gradient.interlaced.png" go-png-gradient-interlaced.png
for f in crc32 trunc zlib; do copy "$goroot/src/image/png/testdata/invalid-$f.png" "go-png-invalid-$f.png"; done
for f in cmyk progressive q50.411 restart2 rgb progressive.truncated; do
	copy "$goroot/src/image/testdata/video-001.$f.jpeg" "go-jpeg-$f.jpg"
done
copy "$goroot/src/image/testdata/video-005.gray.q50.2x2.jpeg" go-jpeg-gray-2x2.jpg
copy "$goroot/src/image/testdata/video-001.gif" other-gif.gif
for f in bw-deflate bw-packbits bw-uncompressed bw-gopher_ccittGroup3 bw-gopher_ccittGroup4 no_rps no_compress \
	video-001 video-001-16bit video-001-gray-16bit video-001-paletted video-001-tile-64x64 video-001-strip-64 \
	blue-purple-pink.lzwcompressed; do
	copy "$ximage/$f.tiff" "ximage-$f.tif"
done
copy "$ximage/go-turns-two-280x360.jpeg" ximage-go-turns-two.jpg
copy "$ximage/bmp_1bpp.bmp" other-bmp.bmp
copy "$ximage/blue-purple-pink.lossy.webp" other-webp-lossy.webp
copy "$ximage/gopher-doc.8bpp.lossless.webp" other-webp-lossless.webp
for f in test testRot testWithText blank-scan empty Hybrid-PDF Walden; do
	copy "$pdfcpu/$f.pdf" "pdfcpu-$f.pdf"
done
for f in SimplePDF2.0 i277 imageWithBPC pageLevelOutputIntent utf8test viaIncrementalSave withOffsetStart; do
	copy "$pdfcpu/pdf20/$f.pdf" "pdfcpu-pdf20-$f.pdf"
done

# Pages drawn here, and the files that need byte-level care.
"$PYTHON" pages.py "$font" "$work" .

# TIFF as libtiff writes it in every option a scanner driver might pick.
tiffcp -c g4 -f lsb2msb "$work/text-bw.tif" tiff-g4-lsb2msb.tif
tiffcp -c g3:1d "$work/text-bw.tif" tiff-g3-1d.tif
tiffcp -c g3:2d:fill -f lsb2msb "$work/text-bw.tif" tiff-g3-2d-lsb2msb.tif
tiffcp -c none "$work/text-bw.tif" tiff-bilevel-uncompressed.tif
tiffcp -c lzw:2 "$work/text-rgb.tif" tiff-lzw-predictor-text.tif
tiffcp -c zip "$work/drawing.tif" tiff-deflate-drawing.tif
tiffcp -c jpeg:r:75 -r 16 "$work/photo.tif" tiff-jpeg-rgb-photo.tif
tiffcp -c zip -t -w 256 -l 256 "$work/drawing.tif" tiff-tiled-drawing.tif
tiffcp -c lzw -p separate "$work/photo-small.tif" tiff-planar-separate-photo.tif
tiffcp -c lzw -B "$work/text-gray.tif" tiff-bigendian-text.tif
tiffcp -8 -c g4 "$work/text-bw.tif" tiff-bigtiff-g4.tif
tiffcp -c lzma "$work/text-gray.tif" tiff-lzma-text.tif
# A stack from a feeder: text as G4, a photograph as JPEG, a page fed upside down with its
# orientation tag set, and the blank back of a sheet.
tiffcp -c lzw "$work/text-gray.tif" "$work/upside.tif"
tiffset -s 274 3 "$work/upside.tif"
tiffcp "$work/text-bw.tif" "$work/blank.tif" tiff-multipage-with-blank.tif
tiffcp -c jpeg:75 -r 16 "$work/photo.tif" "$work/photo-jpeg.tif"
tiffcp "$work/text-bw.tif" "$work/photo-jpeg.tif" "$work/upside.tif" tiff-multipage-mixed.tif
cp "$work/text-bw.tif" tiff-orientation-rotate90.tif
tiffset -s 274 6 tiff-orientation-rotate90.tif
head -c 30000 tiff-packbits-gray.tif >tiff-truncated.tif

# JPEG with arithmetic coding, which libjpeg reads and few others do.
jpegtran -arithmetic -outfile jpeg-arithmetic.jpg "$work/text.jpg"

# PDF as scanners, office software and mail gateways write it.
img2pdf -o pdf-jpeg-scan.pdf "$work/text.jpg"
img2pdf -o pdf-jpeg-cmyk.pdf "$work/photo-cmyk.jpg"
img2pdf -o pdf-jpx-photo.pdf "$work/photo.jp2"
img2pdf -o pdf-ccitt-g4.pdf "$work/text-bw.tif"
img2pdf -o pdf-flate-gray.pdf "$work/text-gray.png"
img2pdf -o pdf-scan-with-blank.pdf "$work/text.jpg" "$work/blank.jpg"
cat >"$work/letter.ps" <<'EOF'
%!PS
/Helvetica-Bold findfont 20 scalefont setfont 72 760 moveto (Notice of Acceptance) show
/Helvetica findfont 12 scalefont setfont
72 720 moveto (The application for a business licence was received complete on 1 March 2026.) show
72 700 moveto (The decision will be sent to the applicant within five working days.) show
72 680 moveto (Service hall, 100 People's Street) show
showpage
EOF
ps2pdf "$work/letter.ps" pdf-born-digital-en.pdf
cat >"$work/form.html" <<'EOF'
<!doctype html><meta charset="utf-8">
<style>body { font-family: "Noto Sans CJK SC"; font-size: 14pt; margin: 2cm }</style>
<h1>受理通知书</h1><p>申请人：李明</p><p>您提交的营业执照申请材料齐全，已予受理。</p>
<p>Notice of acceptance: the application is complete.</p>
EOF
"$CHROMIUM" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
	--print-to-pdf="$work/form.pdf" "$work/form.html" 2>/dev/null
qpdf --linearize "$work/form.pdf" pdf-born-digital-zh.pdf
qpdf --empty --pages pdf-jpeg-scan.pdf pdf-ccitt-g4.pdf pdf-born-digital-en.pdf -- pdf-multipage-mixed.pdf
qpdf --rotate=+90 pdf-jpeg-scan.pdf pdf-rotate90.pdf
qpdf --object-streams=generate pdf-flate-gray.pdf pdf-object-streams.pdf
qpdf --encrypt "" owner 256 -- pdf-jpeg-scan.pdf pdf-owner-password-aes256.pdf
qpdf --allow-weak-crypto --encrypt "" owner 128 --use-aes=n -- pdf-ccitt-g4.pdf pdf-owner-password-rc4.pdf
qpdf --encrypt user owner 256 -- pdf-jpeg-scan.pdf pdf-user-password-aes256.pdf
qpdf --allow-weak-crypto --encrypt user owner 40 -- pdf-born-digital-en.pdf pdf-user-password-rc4-40.pdf
# Damage that poppler repairs: no cross-reference table, or one whose offsets are all wrong.
"$PYTHON" - <<'EOF'
import re
scan = open("pdf-jpeg-scan.pdf", "rb").read()
cut = scan.rindex(b"\nxref") + 1
open("pdf-no-xref.pdf", "wb").write(scan[:cut] + b"%%EOF\n")
shifted = re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m[1]) + 7), scan)
open("pdf-wrong-xref-offsets.pdf", "wb").write(shifted)
open("pdf-junk-before-header.pdf", "wb").write(b"X-Gateway: scanned mail relay\r\n\r\n" + scan)
open("pdf-header-only.pdf", "wb").write(scan[:200])
EOF
