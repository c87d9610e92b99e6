"""Rendition sizes and encoding time: what the image library writes for one picture.

    .venv/bin/python benchmarks/rendition_sizes.py [PICTURE ...]

For each picture (default: the demo's drawing of one slug at 1600 x 1067, drawn by
demo/pictures.py) prints, per crop and width, the WebP and JPEG bytes with the encoder
settings images/renditions.py uses (FORMATS for uploads, FAST_FORMATS for the demo), and
the time to make them all. No database and no storage: the same crop, resize and encode
calls as ``images.renditions.generate``, with the files kept in memory.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from PIL import Image, ImageOps  # noqa: E402

from demo import pictures  # noqa: E402
from images.renditions import (  # noqa: E402
    CROPS,
    FAST_FORMATS,
    FORMATS,
    _flatten,
    _widths_for,
    crop_box,
    default_widths,
)


def renditions(picture: Image.Image, formats, widths) -> tuple[list[tuple], float]:
    rows, started = [], time.perf_counter()
    for crop in CROPS:
        region = picture.crop(crop_box(picture.size, crop.ratio, (0.5, 0.5)))
        for width in _widths_for(region.width, crop.max_width, widths):
            height = max(1, round(region.height * width / region.width))
            resized = region.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            sizes = []
            for _ext, pillow_format, options in formats:
                buffer = io.BytesIO()
                resized.save(buffer, pillow_format, **options)
                sizes.append(len(buffer.getvalue()))
            rows.append((crop.name, f"{width}x{height}", *sizes))
    return rows, time.perf_counter() - started


def report(name: str, picture: Image.Image) -> None:
    for label, formats in (("upload encoding", FORMATS), ("demo (fast) encoding", FAST_FORMATS)):
        rows, seconds = renditions(picture, formats, default_widths())
        total_webp = sum(r[2] for r in rows) / 1024
        total_jpeg = sum(r[3] for r in rows) / 1024
        print(f"\n{name} {picture.size[0]}x{picture.size[1]}, {label}: {seconds:.2f} s")
        print(f"{'crop':<6}{'size':>11}{'WebP KB':>9}{'JPEG KB':>9}")
        for crop, size, webp, jpeg in rows:
            print(f"{crop:<6}{size:>11}{webp / 1024:>9.1f}{jpeg / 1024:>9.1f}")
        print(f"{'all':<17}{total_webp:>9.1f}{total_jpeg:>9.1f}")


def main() -> None:
    paths = sys.argv[1:]
    if not paths:
        pictures.SIZE = (1600, 1067)
        data, _ = pictures.draw("five-questions-about-cocaine-trafficking-in-esmeraldas")
        report("demo drawing", Image.open(io.BytesIO(data)).convert("RGB"))
    for path in paths:
        with Image.open(path) as raw:
            raw.load()
            report(Path(path).name, _flatten(ImageOps.exif_transpose(raw)))
    print(f"\nload average: {os.getloadavg()[0]:.1f} (2 cores; other jobs share them)")


if __name__ == "__main__":
    main()
