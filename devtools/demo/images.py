"""Demo pictures drawn with Pillow, so the demo needs no download and no binary in the repo."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

CRUST, SAUCE, CHEESE = (222, 160, 80), (196, 45, 30), (250, 232, 180)


def _to_jpeg(image):
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def pizza(seed, toppings, sauce=SAUCE, size=640):
    """A pizza seen from above: crust, sauce, melted cheese, then toppings (RGB colours)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (size, size), (92, 60, 38))  # wooden board
    draw = ImageDraw.Draw(image)
    for x in range(0, size, 18):
        draw.line([(x, 0), (x + rng.randint(-8, 8), size)], fill=(82, 52, 32), width=3)
    margin, crust = size * 0.06, size * 0.05
    draw.ellipse([margin, margin, size - margin, size - margin], fill=CRUST)
    inner = margin + crust
    draw.ellipse([inner, inner, size - inner, size - inner], fill=sauce)
    centre, radius = size / 2, size / 2 - inner
    for _ in range(26):
        r, x, y = _spot(rng, centre, radius * 0.85, radius * 0.12, radius * 0.22)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=CHEESE)
    for colour in toppings:
        for _ in range(9):
            r, x, y = _spot(rng, centre, radius * 0.85, radius * 0.05, radius * 0.09)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=colour, outline=tuple(max(c - 40, 0) for c in colour))
    return _to_jpeg(image.filter(ImageFilter.SMOOTH))


def _spot(rng, centre, spread, rmin, rmax):
    while True:
        x, y = rng.uniform(-spread, spread), rng.uniform(-spread, spread)
        if x * x + y * y <= spread * spread:
            return rng.uniform(rmin, rmax), centre + x, centre + y


def drink(colour, size=640):
    image = Image.new("RGB", (size, size), (245, 236, 222))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([size * 0.36, size * 0.18, size * 0.64, size * 0.86], radius=40, fill=colour)
    draw.rectangle([size * 0.44, size * 0.08, size * 0.56, size * 0.2], fill=colour)
    draw.rectangle([size * 0.36, size * 0.42, size * 0.64, size * 0.58], fill=(250, 250, 245))
    return _to_jpeg(image)


def dessert(colour, size=640):
    image = Image.new("RGB", (size, size), (250, 244, 236))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        [size * 0.12, size * 0.55, size * 0.88, size * 0.85], fill=(255, 255, 255), outline=(220, 210, 200), width=4
    )
    draw.polygon(
        [(size * 0.25, size * 0.7), (size * 0.75, size * 0.7), (size * 0.62, size * 0.35), (size * 0.38, size * 0.35)],
        fill=colour,
    )
    draw.rectangle([size * 0.38, size * 0.33, size * 0.62, size * 0.38], fill=(90, 50, 30))
    return _to_jpeg(image)


AWNINGS = [(179, 38, 30), (40, 110, 60), (30, 70, 140), (200, 120, 20), (120, 40, 110)]


def storefront(seed, size=(1200, 700)):
    """A pizzeria front: striped awning, windows, a warm glow."""
    rng = random.Random(seed)
    name_colour = AWNINGS[seed % len(AWNINGS)]
    width, height = size
    image = Image.new("RGB", size, (60 + rng.randint(0, 40), 45, 35))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 0.62, width, height], fill=(70, 70, 72))
    stripe = width / 14
    for i in range(14):
        colour = name_colour if i % 2 == 0 else (245, 240, 230)
        draw.rectangle([i * stripe, height * 0.12, (i + 1) * stripe, height * 0.26], fill=colour)
    for i in range(3):
        x = width * (0.08 + i * 0.31)
        draw.rectangle([x, height * 0.3, x + width * 0.25, height * 0.6], fill=(255, 200, 110))
        draw.ellipse([x + 40, height * 0.36, x + 120, height * 0.52], fill=(230, 150, 60))
    return _to_jpeg(image)
