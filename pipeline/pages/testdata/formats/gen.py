#!/usr/bin/env python3
"""Makes the format fixtures: one small page drawn once, written the ways scanners, copiers
and office software write it. Needs Debian's python3-pil, libtiff-tools and imagemagick.
Run from this directory; copies a few public test files of Go and golang.org/x/image, and
writes the files next to itself.

The page (160x224, upright): a black bar at (16,16)-(96,40), grey lines, a red square at
(112,176)-(144,208), white elsewhere. formats_test.go checks those places on every page."""
import glob, io, os, shutil, struct, subprocess, tempfile
from PIL import Image, ImageDraw

W, H = 160, 224


def page(mode="RGB"):
    im = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(im)
    d.rectangle([16, 16, 95, 39], fill="black")
    for y in (64, 80, 96, 112):
        d.rectangle([16, y, 143, y + 7], fill=(60, 60, 60))
    d.rectangle([112, 176, 143, 207], fill=(255, 0, 0))
    return im.convert(mode) if mode != "RGB" else im


def stored(im, orientation):
    """The pixels a writer stores so that a reader applying orientation shows im."""
    return {1: im, 3: im.transpose(Image.Transpose.ROTATE_180),
            6: im.transpose(Image.Transpose.ROTATE_90), 8: im.transpose(Image.Transpose.ROTATE_270)}[orientation]


def run(*cmd):
    subprocess.run(cmd, check=True)


def tiffcp(src, dst, *opts):
    run("tiffcp", *opts, src, dst)


T = tempfile.mkdtemp()  # sources for tiffcp, not kept
rgb, gray, bw = page(), page("L"), page("1")
gray16 = gray.convert("I").point(lambda v: v * 257).convert("I;16")
rgb.save(T + "/fx-rgb.tif")
gray.save(T + "/fx-gray.tif")
bw.save(T + "/fx-bw.tif")

tiffcp(T + "/fx-rgb.tif", "tiff-jpeg-ycbcr.tif", "-c", "jpeg:90", "-r", "16")       # new-style JPEG, YCbCr 2x2
tiffcp(T + "/fx-gray.tif", "tiff-jpeg-gray.tif", "-c", "jpeg:90", "-r", "16")
tiffcp(T + "/fx-rgb.tif", "tiff-lzw.tif", "-c", "lzw:2")
tiffcp(T + "/fx-gray.tif", "tiff-deflate.tif", "-c", "zip")
tiffcp(T + "/fx-gray.tif", "tiff-packbits.tif", "-c", "packbits")
tiffcp(T + "/fx-rgb.tif", "tiff-lzma.tif", "-c", "lzma")
tiffcp(T + "/fx-rgb.tif", "tiff-zstd.tif", "-c", "zstd")
tiffcp(T + "/fx-rgb.tif", "tiff-webp.tif", "-c", "webp")
tiffcp(T + "/fx-rgb.tif", "tiff-bigtiff.tif", "-8", "-c", "lzw")
tiffcp(T + "/fx-rgb.tif", "tiff-tiled.tif", "-t", "-w", "64", "-l", "64", "-c", "zip")
tiffcp(T + "/fx-rgb.tif", "tiff-planar.tif", "-p", "separate", "-c", "zip")  # RRR..GGG..BBB..
tiffcp(T + "/fx-bw.tif", "tiff-g3.tif", "-c", "g3")
tiffcp(T + "/fx-bw.tif", "tiff-g3-2d-lsb.tif", "-c", "g3:2d:fill", "-f", "lsb2msb")
tiffcp(T + "/fx-bw.tif", "tiff-g4-lsb.tif", "-c", "g4", "-f", "lsb2msb")
tiffcp(T + "/fx-bw.tif", "tiff-1bit.tif", "-c", "none")
page("P").save("tiff-palette.tif", compression="tiff_lzw")
gray16.save("tiff-gray16.tif", compression="tiff_adobe_deflate")
run("convert", T + "/fx-rgb.tif", "-colorspace", "CMYK", "-compress", "LZW", "tiff-cmyk.tif")
run("convert", "tiff-deflate.tif", "-depth", "4", "-type", "Grayscale", "-compress", "LZW", "tiff-gray4.tif")
run("convert", "tiff-lzw.tif", "-colorspace", "Lab", "-compress", "LZW", "tiff-lab.tif")
run("convert", "tiff-lzw.tif", "-depth", "16", "-alpha", "set", "-compress", "Zip", "tiff-rgba16.tif")
# 32-bit floating-point samples, which no reader here takes: refused, saying so.
run("convert", "tiff-lzw.tif", "-define", "quantum:format=floating-point", "-depth", "32", "-compress", "Zip", "tiff-float.tif")

# Transparent background, opaque drawing: the page must come out on white.
rgba = Image.new("RGBA", (W, H), (0, 0, 0, 0))
rgba.paste(rgb, mask=Image.eval(gray, lambda v: 255 if v < 250 else 0))
rgba.save("tiff-alpha.tif", compression="tiff_adobe_deflate")
rgba.save("png-alpha.png")

# Old-style JPEG (compression 6) as old Microsoft and Kodak software wrote it: one JPEG
# stream named by JPEGInterchangeFormat, YCbCr 2x2.
buf = io.BytesIO()
rgb.save(buf, "JPEG", quality=90, subsampling=2)
jpg = buf.getvalue()
entries = [(256, 3, 1, W), (257, 3, 1, H), (258, 3, 3, None), (259, 3, 1, 6), (262, 3, 1, 6),
           (273, 4, 1, 8), (277, 3, 1, 3), (278, 3, 1, H), (279, 4, 1, len(jpg)),
           (513, 4, 1, 8), (514, 4, 1, len(jpg)), (530, 3, 2, None)]
ifd_off = 8 + len(jpg) + (len(jpg) & 1)
bps_off = ifd_off + 2 + 12 * len(entries) + 4
out = bytearray(b"II*\x00" + struct.pack("<I", ifd_off) + jpg + b"\x00" * (len(jpg) & 1))
out += struct.pack("<H", len(entries))
for tag, typ, count, val in entries:
    if tag == 258:
        out += struct.pack("<HHII", tag, typ, count, bps_off)
    elif tag == 530:
        out += struct.pack("<HHIHH", tag, typ, count, 2, 2)
    elif typ == 3:
        out += struct.pack("<HHIHH", tag, typ, count, val, 0)
    else:
        out += struct.pack("<HHII", tag, typ, count, val)
out += struct.pack("<I", 0) + struct.pack("<HHH", 8, 8, 8)
open("tiff-ojpeg.tif", "wb").write(out)

# Four pages, each compressed and turned its own way.
parts = []
for i, (orient, comp, im) in enumerate([(1, "g4", bw), (3, "jpeg:90", rgb), (6, "lzw", gray), (8, "zip", rgb)]):
    stored(im, orient).save(T + f"/fx-p{i}.tif")
    tiffcp(T + f"/fx-p{i}.tif", T + f"/fx-q{i}.tif", "-c", comp, "-r", "16")
    run("tiffset", "-s", "274", str(orient), T + f"/fx-q{i}.tif")
    parts.append(T + f"/fx-q{i}.tif")
# A thumbnail (NewSubfileType 1) after the first page: not a page, but libtiff counts it.
rgb.resize((40, 56)).save(T + "/fx-thumb.tif", compression="tiff_lzw")
run("tiffset", "-s", "254", "1", T + "/fx-thumb.tif")
run("tiffcp", parts[0], T + "/fx-thumb.tif", *parts[1:], "tiff-multipage.tif")

# An upright page stored turned, with the orientation tag only (x/image/tiff's route).
stored(gray, 6).save(T + "/fx-o6.tif")
tiffcp(T + "/fx-o6.tif", "tiff-orient6-lzw.tif", "-c", "lzw")
run("tiffset", "-s", "274", "6", "tiff-orient6-lzw.tif")

# A CMYK page turned, which only tiff2rgba reads: libtiff's RGBA interface flips it itself.
stored(rgb, 6).save(T + "/fx-c6.tif")
run("convert", T + "/fx-c6.tif", "-colorspace", "CMYK", "-compress", "LZW", "tiff-cmyk-orient6.tif")
run("tiffset", "-s", "274", "6", "tiff-cmyk-orient6.tif")

# PNG: 1-bit, 16-bit, palette with transparency, interlaced.
bw.save("png-1bit.png")
gray16.save("png-gray16.png")
pal = page("P")
pal.info["transparency"] = 0 if pal.getpixel((0, 0)) == 0 else pal.getpixel((0, 0))
pal.save("png-palette-trns.png", transparency=pal.getpixel((0, 0)))
run("convert", T + "/fx-rgb.tif", "-interlace", "PNG", "png-interlaced.png")

# JPEG: baseline, progressive, Adobe CMYK (inverted, as Photoshop and copiers write it),
# turned by EXIF, and with junk before the start of image.
rgb.save("jpeg-baseline.jpg", quality=85)
rgb.save("jpeg-progressive.jpg", quality=85, progressive=True)
rgb.convert("CMYK").save("jpeg-cmyk.jpg", quality=90)
run("convert", "jpeg-baseline.jpg", "-colorspace", "CMYK", "-define", "jpeg:colorspace=5", "jpeg-ycck.jpg")  # 5: JCS_YCCK
for orient in (3, 6, 8):
    exif = Image.Exif()
    exif[0x0112] = orient
    stored(rgb, orient).save(f"jpeg-exif{orient}.jpg", quality=85, exif=exif)
open("jpeg-junk-header.jpg", "wb").write(b"\x00\x01MMSFILE header\r\n" * 10 + open("jpeg-baseline.jpg", "rb").read())

# Red lettering on black, in CMYK: a picture, not a blank page.
poster = Image.new("RGB", (W, H), "black")
d = ImageDraw.Draw(poster)
for y in range(30, 200, 40):
    d.text((20, y), "OPEN 9-17", fill=(230, 20, 20))
poster.convert("CMYK").save("jpeg-cmyk-red-on-black.jpg", quality=85)

# Public test files: x/image's TIFF without RowsPerStrip, Go's photograph.
xi = sorted(glob.glob(os.path.join(os.environ["GOMODCACHE"], "golang.org/x/image@*/testdata")))[-1]
shutil.copy(os.path.join(xi, "no_rps.tiff"), "tiff-no-rps.tif")
shutil.copy(os.path.join(os.environ["GOROOT"], "src/image/testdata/video-001.q50.420.jpeg"), "jpeg-photo.jpg")
