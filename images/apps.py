from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagesConfig(AppConfig):
    """The image library: pictures, their credits and their stored renditions.

    Sits below ``articles`` and imports none of our apps (only ``newsroom``'s project-level
    helpers such as the task queue): articles point at images, never the other way round.
    """

    name = "images"
    verbose_name = _("Image library")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from images.models import Image

        # However a picture is deleted (the admin, QuerySet.delete(), a script), the
        # stored bodies that drew it drop it: Image.save covers edits, this covers deletes.
        post_delete.connect(_image_deleted, sender=Image, dispatch_uid="images:redraw")


def _image_deleted(sender, instance, **kwargs) -> None:
    from images.hooks import display_changed

    display_changed(instance.pk)
