"""Write workflows of the image library."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.db import transaction

from images.models import Image
from images.renditions import needs_renditions
from newsroom.tasks import enqueue_on_commit


def image_renditions_on_commit(image: Image) -> None:
    """Queue the renditions of a saved image when its original or focal point is new.

    Every write path that changes an image's file or focal point calls this (the admin,
    ``image_create``); the task itself checks again, so a spare call costs nothing.
    """
    if needs_renditions(image):
        from images.tasks import generate_renditions

        enqueue_on_commit(generate_renditions, image.pk)


@transaction.atomic
def image_create(
    *,
    file: File,
    alt_text: str,
    credit: str,
    caption: str = "",
    source: str = "",
    may_republish: bool = False,
    focal_x: float = 0.5,
    focal_y: float = 0.5,
    uploaded_by: AbstractBaseUser | None = None,
) -> Image:
    """Validate and store a new picture, and queue its renditions."""
    image = Image(
        file=file,
        alt_text=alt_text,
        credit=credit,
        caption=caption,
        source=source,
        may_republish=may_republish,
        focal_x=focal_x,
        focal_y=focal_y,
        uploaded_by=uploaded_by,
    )
    image.full_clean()
    image.save()
    image_renditions_on_commit(image)
    return image
