"""Renditions are made once, by the task after the commit, through the storage API."""

from __future__ import annotations

import pytest
from django.core.files.storage import Storage, default_storage

from images.markup import crop_files
from images.models import Image
from images.renditions import crop_box, generate, needs_renditions
from images.tasks import generate_renditions
from tests.images.conftest import picture_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage_saves(monkeypatch):
    """Every file written through the default storage (its ``save`` counted)."""
    saved: list[str] = []
    original = Storage.save

    def counting_save(self, name, content, *args, **kwargs):
        stored = original(self, name, content, *args, **kwargs)
        saved.append(stored)
        return stored

    monkeypatch.setattr(Storage, "save", counting_save)
    return saved


def test_upload_makes_webp_and_jpeg_at_each_width_capped_at_the_original(make_image):
    image = make_image(file=upload("p.jpg", picture_bytes((1200, 800))))
    crops = {name: crop_files(image.display, name) for name in ("full", "lead", "card")}
    # 1280 and 1600 would be upscaled: the largest is the picture's own width.
    assert [f["w"] for f in crops["full"]] == [320, 480, 640, 960, 1200]
    # Already 3:2: the lead crop is the full picture, stored once and named in the JSON.
    assert image.display["crops"]["lead"] == "full" and crops["lead"] == crops["full"]
    assert [(f["w"], f["h"]) for f in crops["card"]] == [
        (320, 180),
        (480, 270),
        (640, 360),
        (960, 540),
    ]
    for entry in crops["card"]:
        assert entry["webp"].endswith(".webp") and entry["jpeg"].endswith(".jpeg")
        assert default_storage.exists(entry["webp"]) and default_storage.exists(entry["jpeg"])


def test_renditions_are_made_once(make_image, storage_saves, django_capture_on_commit_callbacks):
    image = make_image()
    made = len(storage_saves)
    assert made == 1 + 2 * (5 + 4)  # the original, then WebP + JPEG of full (=lead) and card
    # Saving again (a new caption) or running the task again writes nothing.
    image.caption = "A new caption"
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    generate_renditions.call(image.pk)
    assert generate(Image.objects.get(pk=image.pk)) is False
    assert len(storage_saves) == made
    assert not needs_renditions(Image.objects.get(pk=image.pk))


def test_a_new_focal_point_makes_new_crops_and_deletes_the_old_files(
    make_image, client, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    image = make_image(file=upload("p.jpg", picture_bytes((1600, 800))))
    old_card = image.display["crops"]["card"][0]["jpeg"]
    client.force_login(UserFactory(role="Editor"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/images/image/{image.pk}/change/",
            {
                "alt_text": image.alt_text,
                "credit": image.credit,
                "caption": image.caption,
                "source": "",
                "focal_x": "0.8",
                "focal_y": "0.5",
            },
        )
    assert response.status_code == 302
    image.refresh_from_db()
    new_card = image.display["crops"]["card"][0]["jpeg"]
    assert new_card != old_card
    assert default_storage.exists(new_card) and not default_storage.exists(old_card)


def test_crop_box_keeps_the_focal_point_in_view():
    # A 2:1 picture cut to 16:9 keeps the right-hand side when the focal point is there...
    assert crop_box((1600, 800), (16, 9), (0.9, 0.5)) == (178, 0, 1600, 800)
    # ...the middle by default, and never leaves the picture.
    assert crop_box((1600, 800), (16, 9), (0.5, 0.5)) == (89, 0, 1511, 800)
    assert crop_box((1600, 800), (16, 9), (0.0, 0.5)) == (0, 0, 1422, 800)
    # A tall picture is cut top and bottom around the focal point.
    assert crop_box((800, 1600), (3, 2), (0.5, 0.2)) == (0, 54, 800, 587)
    assert crop_box((800, 1200), None, (0.1, 0.1)) == (0, 0, 800, 1200)


def test_the_focal_point_chooses_what_the_card_shows(make_image, settings):
    from PIL import Image as PILImage

    # picture_bytes puts a yellow square at 75-85% of the width.
    right = make_image(file=upload("p.jpg", picture_bytes((2000, 600))), focal_x=0.8)
    left = make_image(file=upload("q.jpg", picture_bytes((2000, 600))), focal_x=0.1)

    def has_yellow(image: Image) -> bool:
        card = image.display["crops"]["card"][-1]["jpeg"]
        with PILImage.open(settings.MEDIA_ROOT / card) as picture:
            colours = picture.convert("RGB").getcolors(maxcolors=1 << 20)
        return any(r > 200 and g > 150 and b < 80 for _count, (r, g, b) in colours)

    assert has_yellow(right) and not has_yellow(left)
