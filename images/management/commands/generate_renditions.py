"""``manage.py generate_renditions``: make the renditions every image is missing.

For images whose task never ran (a worker was down), images moved in by a migration, and
after a change of ``IMAGES_WIDTHS`` or of the encoding (``images.renditions.SPEC_VERSION``).
Images already up to date are skipped, so it is safe to run at any time.
"""

from django.core.management.base import BaseCommand

from images.models import Image
from images.renditions import generate


class Command(BaseCommand):
    help = "Make the missing or out-of-date renditions of library images."

    def handle(self, *args, **options) -> None:
        made = 0
        for image in Image.objects.order_by("pk").iterator():
            if generate(image):
                made += 1
                self.stdout.write(f"image {image.pk}: renditions made")
        self.stdout.write(f"{made} image(s) given renditions.")
