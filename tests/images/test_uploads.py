"""What enters the library: real JPEG, PNG or WebP pictures within the limits, nothing else."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as PILImage

from images.models import Image
from tests.factories import UserFactory
from tests.images.conftest import picture_bytes, upload

pytestmark = pytest.mark.django_db

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb() -> bytes:
    """A 200-byte PNG whose header claims 100,000 x 100,000 pixels (10 gigapixels)."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("fmt", "name", "extension"),
    [("JPEG", "photo.jpg", ".jpg"), ("PNG", "map.png", ".png"), ("WEBP", "shot.webp", ".webp")],
)
def test_jpeg_png_and_webp_are_accepted_and_stored_under_a_random_name(
    make_image, fmt, name, extension
):
    image = make_image(file=upload(name, picture_bytes((800, 600), fmt)))
    stored = image.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(extension) and stored != name and len(stored) == 32 + len(extension)
    assert (image.width, image.height) == (800, 600)
    assert image.display["crops"]["full"][-1]["w"] == 800


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("drawing.svg", SVG_WITH_SCRIPT),
        ("drawing.jpg", SVG_WITH_SCRIPT),  # an SVG wearing a JPEG's name
        ("anim.gif", picture_bytes((20, 20), "GIF")),  # a real picture, in a format we refuse
        ("notes.png", b"just text, not a picture"),
    ],
)
def test_svg_and_other_formats_are_refused(make_image, name, data):
    with pytest.raises(ValidationError) as error:
        make_image(file=upload(name, data))
    assert "JPEG, PNG or WebP" in str(error.value)
    assert not Image.objects.exists()


def test_a_polyglot_is_stored_and_served_only_as_the_picture_it_also_is(make_image, settings):
    # A valid PNG with an SVG/HTML payload appended, uploaded under an .svg name: Pillow reads
    # the PNG, so it is accepted, but stored as .png (served as image/png, with nosniff) and
    # every rendition is re-encoded from pixels, without the payload.
    payload = b"<svg onload=alert(1)><script>alert(document.domain)</script></svg>"
    image = make_image(file=upload("evil.svg", picture_bytes((640, 480), "PNG") + payload))
    assert image.file.name.endswith(".png")
    for crop in image.renditions["crops"].values():
        for entry in crop["files"]:
            for ext in ("webp", "jpeg"):
                data = (settings.MEDIA_ROOT / entry[ext]).read_bytes()
                assert b"<script" not in data and b"onload" not in data


def test_a_file_over_the_byte_limit_is_refused(make_image, settings):
    settings.IMAGES_MAX_BYTES = 10_000
    with pytest.raises(ValidationError, match=r"the limit is 9\.8"):
        make_image(file=upload("big.png", picture_bytes((600, 400), "PNG") + b"\0" * 20_000))


def test_a_picture_over_the_pixel_limit_is_refused(make_image, settings):
    settings.IMAGES_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match="1600 × 1000 pixels"):
        make_image(file=upload("wide.jpg", picture_bytes((1600, 1000))))


def test_a_decompression_bomb_is_refused_from_its_header(make_image):
    bomb = decompression_bomb()
    assert len(bomb) < 300
    with pytest.raises(ValidationError, match=r"too many pixels|pixels; the limit"):
        make_image(file=upload("bomb.png", bomb, "image/png"))
    assert not Image.objects.exists()


def test_a_truncated_picture_is_refused(make_image):
    data = picture_bytes((1200, 800))
    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        make_image(file=upload("cut.jpg", data[: len(data) // 2]))


def test_exif_orientation_is_applied_and_gps_stripped_from_renditions(make_image, settings):
    exif = PILImage.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": a phone held upright
    exif[0x8825] = {1: "N", 2: (19.0, 25.0, 0.0), 3: "W", 4: (99.0, 8.0, 0.0)}  # GPS
    image = make_image(file=upload("phone.jpg", picture_bytes((1200, 800), exif=exif.tobytes())))
    # Shown upright: 800 wide, 1200 high.
    assert (image.width, image.height) == (800, 1200)
    full = image.display["crops"]["full"][-1]
    assert (full["w"], full["h"]) == (800, 1200)
    with PILImage.open(settings.MEDIA_ROOT / full["jpeg"]) as rendition:
        assert rendition.size == (800, 1200)
        assert not rendition.getexif()
        assert "exif" not in rendition.info


def test_the_admin_requires_alt_text_and_credit(client):
    client.force_login(UserFactory(role="Editor"))
    response = client.post(
        "/admin/images/image/add/",
        {"file": upload(), "alt_text": "", "credit": "", "focal_x": "0.5", "focal_y": "0.5"},
    )
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    assert not Image.objects.exists()


def test_the_admin_refuses_an_svg_upload(client):
    client.force_login(UserFactory(role="Editor"))
    response = client.post(
        "/admin/images/image/add/",
        {
            "file": upload("x.svg", SVG_WITH_SCRIPT, "image/svg+xml"),
            "alt_text": "A square",
            "credit": "Photo: us",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
    )
    assert response.status_code == 200
    assert not Image.objects.exists()


def test_the_focal_point_must_lie_inside_the_picture(make_image):
    with pytest.raises(ValidationError, match="focal_x"):
        make_image(focal_x=1.5)


def test_picture_bytes_helper_makes_real_pictures():
    with PILImage.open(io.BytesIO(picture_bytes((30, 20), "WEBP"))) as picture:
        assert picture.format == "WEBP" and picture.size == (30, 20)


def test_writers_edit_only_the_pictures_they_uploaded(client, make_image):
    editor_upload = make_image(uploaded_by=UserFactory(role="Editor"))
    writer = UserFactory(role="Writer")
    own = make_image(uploaded_by=writer)
    client.force_login(writer)
    data = {"alt_text": "Changed", "credit": "Photo: W", "focal_x": "0.5", "focal_y": "0.5"}
    assert client.post(f"/admin/images/image/{own.pk}/change/", data).status_code == 302
    client.post(f"/admin/images/image/{editor_upload.pk}/change/", data)
    editor_upload.refresh_from_db()
    assert editor_upload.alt_text != "Changed"
    assert client.post(f"/admin/images/image/{own.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Image.objects.filter(pk=own.pk).exists()
