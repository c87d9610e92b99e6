from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageDraw

from images.services import image_create


def picture_bytes(
    size: tuple[int, int] = (1200, 800), fmt: str = "JPEG", *, exif: bytes | None = None
) -> bytes:
    """A real picture: a dark frame with a bright square in its right third."""
    picture = PILImage.new("RGB", size, (30, 40, 50))
    draw = ImageDraw.Draw(picture)
    w, h = size
    draw.rectangle((int(w * 0.75), int(h * 0.4), int(w * 0.85), int(h * 0.6)), fill=(250, 200, 0))
    buffer = io.BytesIO()
    options = {"exif": exif} if exif else {}
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def upload(name: str = "photo.jpg", data: bytes | None = None, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else picture_bytes(), content_type)


@pytest.fixture
def make_image(db, django_capture_on_commit_callbacks):
    """An image made as the admin makes one: validated, stored, renditions from the task."""

    def make(**kwargs):
        defaults = {
            "file": upload(),
            "alt_text": "A yellow square on a dark background",
            "credit": "Photo: Test Desk",
            "caption": "The square, seen from the road.",
        }
        with django_capture_on_commit_callbacks(execute=True):
            image = image_create(**(defaults | kwargs))
        image.refresh_from_db()
        return image

    return make
