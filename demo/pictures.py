"""Demo pictures: a map-like illustration per article, drawn with Pillow from its slug.

No downloads and no randomness outside the slug: the same slug always gives the same
picture (so ``seed_demo`` stays deterministic and idempotent), and two slugs give different
coastlines, rivers, roads, towns and palettes.
"""

from __future__ import annotations

import hashlib
import io
import math
import random

from PIL import Image, ImageDraw

SIZE = (840, 560)  # small originals keep seeding fast; renditions go up to this width

# (sea, land, relief, water lines, roads, towns) per palette
PALETTES = [
    ("#1d3557", "#e9d8a6", "#d4b483", "#5fa8d3", "#9b2226", "#001219"),
    ("#0b2027", "#c9d6a3", "#8fae6b", "#40798c", "#f4a259", "#1b1b1e"),
    ("#22333b", "#eae0d5", "#c6ac8f", "#5e8b9e", "#a4161a", "#0a0908"),
    ("#14213d", "#fca311", "#e5c07b", "#8ecae6", "#e5e5e5", "#000000"),
    ("#2b2d42", "#edf2f4", "#cfd6dc", "#8d99ae", "#d90429", "#2b2d42"),
    ("#003049", "#eae2b7", "#fcbf49", "#669bbc", "#d62828", "#000000"),
]
PALETTE_NAMES = {
    "en": ["sand", "green", "stone", "amber", "grey", "ochre"],
    "es": ["arena", "verde", "piedra", "ámbar", "gris", "ocre"],
}


def _rng(slug: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big"))


def _blob(rng: random.Random, cx: float, cy: float, radius: float, points: int = 28):
    """A closed, irregular outline around (cx, cy): a landmass."""
    outline = []
    wobble = [rng.uniform(0.65, 1.25) for _ in range(points)]
    for i in range(points):
        # Smooth the noise with its neighbours so coasts curve instead of zig-zagging.
        r = radius * (wobble[i - 1] + 2 * wobble[i] + wobble[(i + 1) % points]) / 4
        angle = 2 * math.pi * i / points
        outline.append((cx + r * math.cos(angle) * 1.4, cy + r * math.sin(angle)))
    return outline


def _path(rng: random.Random, start, steps: int, step: float, heading: float):
    x, y = start
    points = [(x, y)]
    for _ in range(steps):
        heading += rng.uniform(-0.5, 0.5)
        x, y = x + step * math.cos(heading), y + step * math.sin(heading)
        points.append((x, y))
    return points


def draw(slug: str) -> tuple[bytes, int]:
    """The JPEG bytes of ``slug``'s picture and the index of its palette (for the alt text)."""
    rng = _rng(slug)
    index = rng.randrange(len(PALETTES))
    sea, land, relief, water, road, town = PALETTES[index]
    width, height = SIZE
    picture = Image.new("RGB", SIZE, sea)
    canvas = ImageDraw.Draw(picture)
    # Faint graticule, as on a printed map.
    for x in range(0, width, 80):
        canvas.line([(x, 0), (x, height)], fill=water, width=1)
    for y in range(0, height, 80):
        canvas.line([(0, y), (width, y)], fill=water, width=1)
    masses = [
        (rng.uniform(0.2, 0.8) * width, rng.uniform(0.25, 0.75) * height, rng.uniform(150, 260))
        for _ in range(rng.randint(1, 3))
    ]
    for cx, cy, radius in masses:
        canvas.polygon(_blob(rng, cx, cy, radius), fill=land)
        # Relief: smaller nested outlines, like contour lines.
        for scale in (0.7, 0.45):
            canvas.polygon(
                _blob(rng, cx + rng.uniform(-20, 20), cy, radius * scale), outline=relief, width=3
            )
    for cx, cy, radius in masses:
        river = _path(rng, (cx, cy), 14, radius / 9, rng.uniform(0, 2 * math.pi))
        canvas.line(river, fill=water, width=4, joint="curve")
    towns = [
        (rng.uniform(0.1, 0.9) * width, rng.uniform(0.15, 0.85) * height)
        for _ in range(rng.randint(3, 6))
    ]
    canvas.line(towns, fill=road, width=3, joint="curve")
    for x, y in towns:
        canvas.ellipse((x - 7, y - 7, x + 7, y + 7), fill=town, outline=land, width=2)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue(), index


def alt_text(language: str, palette: int) -> str:
    colour = PALETTE_NAMES["es" if language == "es" else "en"][palette]
    if language == "es":
        return f"Ilustración de un mapa imaginario en tonos {colour}: costas, ríos y pueblos."
    return f"Illustration of an imaginary map in {colour} tones: coastlines, rivers and towns."
