#!/usr/bin/env python3
"""Makes the picture fixtures of the blank tests (Debian's python3-pil): pages that carry
content but no ink-dark mark on light paper, which an empty-back test must still keep.
Run from this directory. photo.jpg is Go's own public test photograph
(src/image/testdata/video-001.q50.420.jpeg)."""
import random
from PIL import Image, ImageDraw, ImageFilter

random.seed(19)
W, H = 210, 297  # A4 proportions, small

# Mountains under a pale sky, as a phone photographs a poster.
im = Image.new("RGB", (W, H))
d = ImageDraw.Draw(im)
for y in range(H):
    d.line([(0, y), (W, y)], fill=(170 + y * 60 // H, 195 + y * 40 // H, 235))
ridge = [(0, 190), (35, 125), (65, 160), (105, 85), (145, 150), (175, 115), (210, 165), (210, 297), (0, 297)]
d.polygon(ridge, fill=(95, 105, 120))
d.polygon([(92, 102), (105, 85), (118, 104), (111, 100), (105, 106), (99, 100)], fill=(245, 245, 250))
d.polygon([(0, 235), (70, 210), (150, 230), (210, 215), (210, 297), (0, 297)], fill=(60, 90, 55))
im = im.filter(ImageFilter.GaussianBlur(1))
im.save("mountains.jpg", quality=60)

# A pale photograph: low contrast, nothing near ink-dark.
pale = im.point(lambda v: 150 + v * 100 // 255)
pale.save("pale-photo.jpg", quality=60)

# Red lettering on black, in CMYK as a print shop's file comes.
poster = Image.new("RGB", (W, H), "black")
d = ImageDraw.Draw(poster)
for y in range(40, 270, 60):
    d.text((20, y), "OPEN DAILY 9:00-17:00", fill=(230, 20, 20))
poster.convert("CMYK").save("red-on-black.jpg", quality=50)

# A light tint pattern with no dark line: a security background printed on its own.
pat = Image.new("L", (W, H), 250)
d = ImageDraw.Draw(pat)
for x in range(-H, W, 12):
    d.line([(x, 0), (x + H, H)], fill=185, width=3)
pat.save("tint-pattern.png")

# A charcoal drawing: broad dark strokes over most of the sheet.
dr = Image.new("L", (W, H), 235)
d = ImageDraw.Draw(dr)
for _ in range(30):
    x, y = random.randrange(W), random.randrange(H)
    d.line([(x, y), (x + random.randrange(-80, 80), y + random.randrange(-80, 80))], fill=random.randrange(20, 90), width=random.randrange(4, 15))
dr.save("dark-drawing.png")

# Chalk on a blackboard: light lines on a dark ground.
bb = Image.new("L", (W, H), 40)
d = ImageDraw.Draw(bb)
for y in range(40, 260, 25):
    d.text((20, y), "x = (a + b) / 2", fill=220)
bb.save("blackboard.png")

# A scanner lid left open: black with sensor noise.
lid = Image.effect_noise((W, H), 6).point(lambda v: max(0, v - 118))
lid.save("black-lid.jpg", quality=40)
