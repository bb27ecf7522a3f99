"""Draws the suite's pages with Pillow and writes the files that need byte-level care.

Usage: pages.py FONT WORK OUT. Base pages go to WORK for make.sh's other tools; finished
fixtures go to OUT. Everything is seeded, so a rerun makes the same pixels.
"""

import io
import random
import struct
import sys
import zipfile
import zlib

from PIL import Image, ImageDraw, ImageFont, ImageOps

FONT, WORK, OUT = sys.argv[1], sys.argv[2], sys.argv[3]

# About A4 at 96 dpi: small enough to OCR fast and keep the files small, large enough that
# text is legible.
PAGE = (800, 1130)
DPI = 96
LINES = [
    "营业执照申请表",
    "Application for a Business Licence",
    "申请人：李明    联系电话：13912345678",
    "住所：长春市朝阳区人民大街一百号",
    "经营范围：食品销售、餐饮服务",
    "The applicant confirms the above is true.",
    "日期：2026年3月1日",
]


def work(name):
    return f"{WORK}/{name}"


def out(name):
    return f"{OUT}/{name}"


def text_page(title=None, stamp=False):
    """A form with a few lines of Chinese and English, optionally a red seal."""
    img = Image.new("RGB", PAGE, "white")
    d = ImageDraw.Draw(img)
    big, body = ImageFont.truetype(FONT, 46), ImageFont.truetype(FONT, 28)
    d.text((80, 80), title or LINES[0], font=big, fill="black")
    for i, line in enumerate(LINES[1:]):
        d.text((80, 190 + i * 64), line, font=body, fill="black")
    d.line((80, 660, 720, 660), fill="black", width=3)
    if stamp:
        d.ellipse((500, 720, 700, 920), outline=(200, 20, 20), width=8)
        d.text((558, 802), "专用章", font=body, fill=(200, 20, 20))
    return img


def photo():
    """A colour picture with no text: a fractal over a sky, like a photographed exhibit."""
    size = (720, 520)
    frac = Image.effect_mandelbrot(size, (-2.2, -1.2, 1.0, 1.2), 80)
    sky = Image.linear_gradient("L").resize(size)
    rgb = ImageOps.colorize(frac, black=(20, 30, 90), white=(250, 220, 120), mid=(40, 160, 90))
    return Image.blend(rgb, ImageOps.colorize(sky, (90, 140, 220), (250, 250, 255)), 0.35)


def soft_photo():
    """A pale picture with nothing as dark as ink: clouds in a light sky."""
    size = (720, 520)
    rnd = random.Random(7)
    img = Image.linear_gradient("L").resize(size).point(lambda v: 165 + v * 75 // 255)
    d = ImageDraw.Draw(img)
    for _ in range(25):
        x, y, r = rnd.randrange(720), rnd.randrange(320), rnd.randrange(25, 70)
        d.ellipse((x - r, y - r // 2, x + r, y + r // 2), fill=rnd.randrange(215, 245))
    return ImageOps.colorize(img, (120, 150, 200), (250, 250, 255))


def drawing():
    """A sketch plan: lines and shapes, no text."""
    img = Image.new("L", (800, 640), 255)
    d = ImageDraw.Draw(img)
    d.rectangle((60, 60, 740, 580), outline=0, width=5)
    d.line((400, 60, 400, 580), fill=0, width=4)
    d.line((60, 320, 400, 320), fill=0, width=4)
    d.arc((400, 240, 560, 400), 180, 270, fill=0, width=3)
    d.ellipse((520, 400, 680, 560), outline=0, width=4)
    for x in range(100, 370, 32):
        d.line((x, 350, x + 24, 550), fill=0, width=2)
    return img


def blank_page():
    """The white back of a sheet: scanner speckle and nothing else."""
    rnd = random.Random(3)
    img = Image.new("L", PAGE, 250)
    px = img.load()
    for _ in range(60):
        px[rnd.randrange(40, PAGE[0] - 40), rnd.randrange(40, PAGE[1] - 40)] = rnd.randrange(120, 200)
    return img


def bilevel(img):
    return img.convert("L").point(lambda v: 255 if v > 160 else 0).convert("1", dither=Image.Dither.NONE)


def exif_orientation(value):
    ex = Image.Exif()
    ex[0x0112] = value
    return ex.tobytes()


def ojpeg_tiff(jpeg, width, height):
    """A TIFF with old-style JPEG (compression 6): the whole JPEG file, pointed to by
    JPEGInterchangeFormat, as scanners of the 1990s wrote them."""
    tags = [
        (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 6),
        (262, 3, 1, 1), (273, 4, 1, 0), (277, 3, 1, 1), (278, 4, 1, height),
        (279, 4, 1, len(jpeg)), (282, 5, 1, 0), (283, 5, 1, 0), (296, 3, 1, 2),
        (513, 4, 1, 0), (514, 4, 1, len(jpeg)),
    ]
    ifd_at = 8
    res_at = ifd_at + 2 + 12 * len(tags) + 4
    data_at = res_at + 8
    entries = b""
    for tag, typ, count, value in tags:
        if tag in (273, 513):
            value = data_at
        if tag in (282, 283):
            entries += struct.pack("<HHII", tag, typ, count, res_at)
            continue
        fmt = "<HHIHH" if typ == 3 else "<HHII"
        entries += struct.pack(fmt, tag, typ, count, value, 0) if typ == 3 else struct.pack(fmt, tag, typ, count, value)
    return (b"II*\x00" + struct.pack("<I", ifd_at) + struct.pack("<H", len(tags)) + entries
            + b"\x00\x00\x00\x00" + struct.pack("<II", DPI, 1) + jpeg)


def inline_image_pdf(img):
    """A one-page PDF drawing its picture as an inline image (BI ... ID ... EI)."""
    g = bilevel(img)
    w, h = g.size
    data = zlib.compress(g.tobytes())
    content = (b"q 595 0 0 842 0 0 cm\nBI /W %d /H %d /BPC 1 /CS /G /F /Fl /L %d ID\n" % (w, h, len(data))
               + data + b"\nEI\nQ\n")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    return pdf_file(objs)


def pdf_file(objs):
    b = io.BytesIO()
    b.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(b.tell())
        b.write(b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n")
    xref = b.tell()
    b.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        b.write(b"%010d 00000 n \n" % off)
    b.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return b.getvalue()


def docx():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in [
            ("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
            ("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             "<w:body><w:p><w:r><w:t>营业执照申请表</w:t></w:r></w:p></w:body></w:document>"),
        ]:
            info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
            z.writestr(info, body)
    return b.getvalue()


def heic_like():
    """The opening boxes of an HEIF photo from a phone; not a format the hall takes."""
    ftyp = b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    meta = b"meta" + b"\x00" * 4 + b"hdlr" + b"\x00" * 24 + b"pict"
    return struct.pack(">I", 8 + len(ftyp) - 4) + ftyp + struct.pack(">I", 4 + len(meta)) + meta + bytes(range(256)) * 8


def write(name, data):
    with open(out(name), "wb") as f:
        f.write(data)


def jpeg_bytes(img, **kw):
    b = io.BytesIO()
    img.save(b, "JPEG", **kw)
    return b.getvalue()


def main():
    text, stamped, pic, soft, plan, blank = text_page(), text_page(stamp=True), photo(), soft_photo(), drawing(), blank_page()
    gray = text.convert("L")
    dpi = {"dpi": (DPI, DPI)}

    # Base pages for make.sh (tiffcp, img2pdf, ImageMagick).
    gray.save(work("text-gray.png"), **dpi)
    bilevel(text).save(work("text-bw.tif"), compression="group4", dpi=(DPI, DPI))
    text.save(work("text-rgb.tif"), compression="tiff_lzw", dpi=(DPI, DPI))
    stamped.save(work("stamped.png"), **dpi)
    gray.save(work("text-gray.tif"), compression="tiff_lzw", dpi=(DPI, DPI))
    pic.save(work("photo.tif"), compression="tiff_lzw", dpi=(DPI, DPI))
    pic.resize((240, 174)).save(work("photo-small.tif"), compression="tiff_lzw", dpi=(DPI, DPI))
    pic.save(work("photo.png"), **dpi)
    plan.save(work("drawing.tif"), compression="tiff_lzw", dpi=(DPI, DPI))
    blank.save(work("blank.tif"), compression="tiff_lzw", dpi=(DPI, DPI))
    gray.save(work("text.jpg"), quality=80, **dpi)
    pic.save(work("photo.jpg"), quality=80, **dpi)
    blank.save(work("blank.jpg"), quality=80, **dpi)
    pic.convert("CMYK").save(work("photo-cmyk.jpg"), quality=80, **dpi)
    pic.save(work("photo.jp2"), irreversible=True, quality_mode="rates", quality_layers=[40])

    # PNG as scan stations and phones write it.
    bilevel(text).save(out("png-1bit-text.png"), **dpi)
    gray.save(out("png-gray8-text.png"), **dpi)
    gray.point(lambda v: v * 257, "I").convert("I;16").save(out("png-gray16-text.png"), **dpi)
    stamped.quantize(16).save(out("png-palette-stamped.png"), **dpi)
    rgba = pic.convert("RGBA")
    ImageDraw.Draw(rgba).rectangle((0, 0, 160, 520), fill=(0, 0, 0, 0))
    rgba.save(out("png-rgba-photo.png"))
    gray.save(out("png-300dpi-text.png"), dpi=(300, 300))
    plan.save(out("png-drawing.png"))
    soft.save(out("png-soft-picture.png"))
    good = open(out("png-gray8-text.png"), "rb").read()
    write("png-truncated.png", good[: len(good) // 2])

    # A strip longer than Tesseract takes (32767 px), which once crashed the OCR engine; and
    # a PNG under a PDF's name, since the type comes from the bytes, never the name.
    strip = Image.new("1", (33000, 300), 1)
    ImageDraw.Draw(strip).text((100, -40), "   ".join(LINES[:4]), font=ImageFont.truetype(FONT, 200), fill=0)
    strip.save(out("png-long-strip.png"), optimize=True)
    plan.save(out("png-named-as.pdf"), "PNG")

    # JPEG.
    write("jpeg-gray-text.jpg", jpeg_bytes(gray, quality=75, **dpi))
    write("jpeg-444-stamped.jpg", jpeg_bytes(stamped, quality=85, subsampling=0, **dpi))
    write("jpeg-420-photo.jpg", jpeg_bytes(pic, quality=80, subsampling=2))
    write("jpeg-progressive-text.jpg", jpeg_bytes(stamped, quality=80, progressive=True, **dpi))
    write("jpeg-cmyk-photo.jpg", jpeg_bytes(pic.convert("CMYK"), quality=80))
    write("jpeg-exif-rotate90.jpg", jpeg_bytes(text.rotate(90, expand=True), quality=80, exif=exif_orientation(6), **dpi))
    write("jpeg-exif-rotate180.jpg", jpeg_bytes(text.rotate(180), quality=80, exif=exif_orientation(3), **dpi))
    write("jpeg-soft-picture.jpg", jpeg_bytes(soft, quality=85))
    camera = b"CAMERA-HDR\x00\x01" + bytes(random.Random(5).randrange(0, 0xFE) for _ in range(500))
    write("jpeg-junk-before-header.jpg", camera + jpeg_bytes(gray, quality=75, **dpi))
    whole = jpeg_bytes(gray, quality=75)
    write("jpeg-truncated.jpg", whole[: len(whole) // 2])
    write("jpeg-blank-back.jpg", jpeg_bytes(blank, quality=80, **dpi))

    # TIFF written by Pillow's libtiff; make.sh derives the rest with tiffcp.
    bilevel(text).save(out("tiff-g4-text.tif"), compression="group4", dpi=(DPI, DPI))
    gray.save(out("tiff-packbits-gray.tif"), compression="packbits", dpi=(DPI, DPI))
    pic.save(out("tiff-jpeg-photo.tif"), compression="jpeg", quality=80, dpi=(DPI, DPI))
    gray.point(lambda v: v * 257, "I").convert("I;16").save(out("tiff-gray16-text.tif"), compression="tiff_lzw")
    stamped.quantize(16).save(out("tiff-palette-stamped.tif"), compression="tiff_lzw", dpi=(DPI, DPI))
    pic.resize((240, 174)).convert("CMYK").save(out("tiff-cmyk-photo.tif"), compression="tiff_lzw")
    rgba.save(out("tiff-rgba-photo.tif"), compression="tiff_adobe_deflate")
    write("tiff-ojpeg-text.tif", ojpeg_tiff(jpeg_bytes(gray, quality=75), *PAGE))

    # PDF with an inline image, and files that are no scan at all.
    write("pdf-inline-image.pdf", inline_image_pdf(text))
    write("other-docx.docx", docx())
    write("other-heic-like.heic", heic_like())
    write("other-text.txt", "申请材料清单\nThis is a note typed at the desk, not a scan.\n".encode())
    write("other-empty.pdf", b"")
    b = io.BytesIO()
    pic.resize((300, 216)).save(b, "JPEG2000")
    write("other-jpeg2000.jp2", b.getvalue())


main()
