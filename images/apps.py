from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagesConfig(AppConfig):
    """The image library: pictures, their credits and their stored renditions.

    Sits below ``articles`` and imports none of our apps (only ``newsroom``'s project-level
    helpers such as the task queue): articles point at images, never the other way round.
    """

    name = "images"
    verbose_name = _("Image library")
