"""Background work of the image library."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from images.models import Image
from images.renditions import generate


@task
def generate_renditions(image_id: int) -> bool:
    """Make the renditions of one image if they are missing or out of date."""
    with transaction.atomic():
        # Locked: two saves in a row queue two tasks; the second finds the work done.
        image = Image.objects.select_for_update().filter(pk=image_id).first()
        if image is None:  # deleted before the worker got to it
            return False
        return generate(image)
