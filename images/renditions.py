"""Renditions: the resized, cropped, re-encoded copies pages show.

Generated once per original and focal point (``generate``; the key in ``Image.renditions``
says which original, focal point, crops and widths they were made from, so a second save or
a second run does nothing), stored through Django's storage API (local disk or S3, whichever
``STORAGES["default"]`` is), never at request time. Each crop gets a WebP and a JPEG file
per width, capped at what the original can give: no upscaling.

Renditions are re-encoded from decoded pixels with the EXIF orientation applied, so no
metadata (GPS position, camera serial, the original's comments) and no trailing bytes of
the upload survive into a file a reader downloads.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageOps

from images.validation import ALLOWED_FORMATS

if TYPE_CHECKING:
    from images.models import Image

logger = logging.getLogger(__name__)

# Bump when the encoding below changes, so existing images get new renditions.
SPEC_VERSION = 1


@dataclass(frozen=True)
class Crop:
    name: str
    ratio: tuple[int, int] | None  # None: the original's own shape
    max_width: int  # no rendition of this crop is wider


# full: inline and the article's featured image (the picture as taken);
# lead: the home page's lead story (3:2); card: section, hub, home and related cards (16:9).
CROPS = (Crop("full", None, 1600), Crop("lead", (3, 2), 1600), Crop("card", (16, 9), 960))
FORMATS = (
    ("webp", "WEBP", {"quality": 78, "method": 4}),
    ("jpeg", "JPEG", {"quality": 80, "optimize": True, "progressive": True}),
)
# The demo's drawings (demo/pictures.py): ~10x faster to encode, files ~1.5x larger; real
# photos always get FORMATS.
FAST_FORMATS = (
    ("webp", "WEBP", {"quality": 78, "method": 0}),
    ("jpeg", "JPEG", {"quality": 80}),
)


def default_widths() -> tuple[int, ...]:
    return tuple(settings.IMAGES_WIDTHS)


def renditions_key(image: Image, widths: tuple[int, ...] | None = None) -> str:
    widths = tuple(widths or image.renditions.get("widths") or default_widths())
    spec = [
        SPEC_VERSION,
        image.file.name,
        round(image.focal_x, 3),
        round(image.focal_y, 3),
        [(c.name, c.ratio, c.max_width) for c in CROPS],
        widths,
    ]
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:12]


def needs_renditions(image: Image) -> bool:
    return bool(image.file) and image.renditions.get("key") != renditions_key(image)


def crop_box(size: tuple[int, int], ratio: tuple[int, int] | None, focal: tuple[float, float]):
    """The largest box of ``ratio`` inside ``size``, centred on the focal point as far as the
    edges allow (left, top, right, bottom)."""
    width, height = size
    if ratio is None:
        return (0, 0, width, height)
    target = ratio[0] / ratio[1]
    if width / height > target:  # too wide: cut the sides
        crop_w, crop_h = max(1, round(height * target)), height
    else:  # too tall: cut top and bottom
        crop_w, crop_h = width, max(1, round(width / target))
    left = min(max(round(focal[0] * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focal[1] * height - crop_h / 2), 0), height - crop_h)
    return (left, top, left + crop_w, top + crop_h)


def _widths_for(crop_width: int, limit: int, widths: tuple[int, ...]) -> list[int]:
    top = min(crop_width, limit)
    usable = [w for w in widths if w <= top]
    # The largest rendition is as wide as the picture allows (1200 px gives ..., 960, 1200),
    # and a picture narrower than the smallest width still gets one, at its own size.
    if not usable or (usable[-1] < top and top - usable[-1] >= 100):
        usable.append(top)
    return usable


def _flatten(picture: PILImage.Image) -> PILImage.Image:
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        picture = picture.convert("RGBA")
        background = PILImage.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        return background
    return picture.convert("RGB")


def oriented_size(stream) -> tuple[int, int]:
    """The picture's size as shown (EXIF orientation applied), read from the header only."""
    stream.seek(0)
    with PILImage.open(stream, formats=ALLOWED_FORMATS) as picture:
        width, height = picture.size
        # Orientations 5-8 turn the picture a quarter: width and height swap.
        if picture.getexif().get(0x0112, 1) in (5, 6, 7, 8):
            width, height = height, width
    stream.seek(0)
    return width, height


def generate(
    image: Image, *, widths: tuple[int, ...] | None = None, fast: bool = False, notify: bool = True
) -> bool:
    """Make and store the renditions of ``image`` unless they exist; True if it made them.

    The caller saves nothing: this sets ``image.renditions`` and saves that field (and, as
    every save does, ``display``). Files of a previous focal point or original are deleted
    once the new ones are stored. ``fast``: quicker encoding and resampling (the demo's
    drawings); ``notify=False`` only when no article body can show the image yet (seeding).
    """
    widths = tuple(widths or image.renditions.get("widths") or default_widths())
    key = renditions_key(image, widths)
    if image.renditions.get("key") == key:
        return False
    with image.file.open("rb") as stream, PILImage.open(stream, formats=ALLOWED_FORMATS) as raw:
        raw.load()
        picture = _flatten(ImageOps.exif_transpose(raw))
    crops: dict[str, Any] = {}
    stored: list[str] = []
    focal = (image.focal_x, image.focal_y)
    made: dict[tuple, list] = {}
    resample = PILImage.Resampling.BICUBIC if fast else PILImage.Resampling.LANCZOS
    for crop in CROPS:
        box = crop_box(picture.size, crop.ratio, focal)
        reuse = made.get((box, crop.max_width))
        if reuse is not None:
            # A 3:2 photo's "lead" crop is the whole photo: same pixels, same files.
            crops[crop.name] = {"files": reuse}
            continue
        region = picture.crop(box)
        files = []
        for width in _widths_for(region.width, crop.max_width, widths):
            height = max(1, round(region.height * width / region.width))
            resized = (
                region
                if width == region.width
                else region.resize((width, height), resample, reducing_gap=3.0)
            )
            names = {}
            for ext, pillow_format, options in FAST_FORMATS if fast else FORMATS:
                buffer = io.BytesIO()
                resized.save(buffer, pillow_format, **options)
                name = default_storage.save(
                    f"renditions/{image.pk}/{key}/{crop.name}-{width}.{ext}",
                    ContentFile(buffer.getvalue()),
                )
                stored.append(name)
                names[ext] = name
            files.append({"w": width, "h": height, **names})
        crops[crop.name] = {"files": files}
        made[(box, crop.max_width)] = files
    previous = _files_of(image.renditions)
    image.width, image.height = picture.size
    image.renditions = {"key": key, "widths": list(widths), "crops": crops}
    # The save redraws the bodies that show the picture (Image.save), unless told not to.
    image.save(update_fields=["renditions", "width", "height"], redraw=notify)
    for name in previous - set(stored):
        default_storage.delete(name)
    return True


def _files_of(renditions: dict) -> set[str]:
    return {
        entry[ext]
        for crop in (renditions.get("crops") or {}).values()
        for entry in crop["files"]
        for ext in ("webp", "jpeg")
        if ext in entry
    }


def _aliased(crops: dict[str, list]) -> dict[str, Any]:
    """A crop with the same files as an earlier one names it instead of repeating its list
    (a 3:2 photo's lead is its full shape): pages decode this JSON for every card."""
    out: dict[str, Any] = {}
    for name, files in crops.items():
        out[name] = next((earlier for earlier, f in crops.items() if f == files), name)
        if out[name] == name:
            out[name] = files
    return out


def display_data(image: Image) -> dict[str, Any]:
    """What a page needs to draw ``image``: stored on the image (``Image.display``)."""
    return {
        "alt": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "w": image.width,
        "h": image.height,
        "original": image.file.name if image.file else "",
        "crops": _aliased(
            {name: crop["files"] for name, crop in (image.renditions.get("crops") or {}).items()}
        ),
    }
