"""An image in the library: the original upload, what readers are told about it, and the
renditions pages show (generated once, by ``images.renditions``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from images.validation import EXTENSIONS, image_format, validate_upload

_UNIT = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class Image(models.Model):
    file = models.ImageField(
        _("file"),
        upload_to="images/%Y/%m/",
        validators=[validate_upload],
        help_text=_("JPEG, PNG or WebP."),
    )
    alt_text = models.CharField(
        _("alt text"),
        max_length=250,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(
        _("credit"), max_length=200, help_text=_("Shown under the picture, e.g. “Photo: Ana Ruiz”.")
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the picture comes from (agency, archive, reader), for the record."),
    )
    may_republish = models.BooleanField(
        _("may be republished"),
        default=False,
        help_text=_(
            "Tick only if partners republishing the story may use this picture too "
            "(wire and agency photos usually may not)."
        ),
    )
    focal_x = models.FloatField(
        _("focal point x"),
        default=0.5,
        validators=_UNIT,
        help_text=_("0 = left edge, 1 = right edge: kept in view when the picture is cropped."),
    )
    focal_y = models.FloatField(
        _("focal point y"),
        default=0.5,
        validators=_UNIT,
        help_text=_("0 = top edge, 1 = bottom edge."),
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created = models.DateTimeField(auto_now_add=True)
    # Written by images.renditions: {"key": ..., "crops": {crop: {"w", "h", "files": [...]}}}.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    # What a page needs to draw this image (alt, caption, credit, rendition names and sizes),
    # rebuilt on every save from the fields above: pages read this one column in the same
    # join as the article, never the renditions themselves (articles/reads.py).
    display = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_in_picture",
            ),
        ]

    def __str__(self) -> str:
        return self.caption or self.alt_text

    def save(self, *args: Any, redraw: bool = True, **kwargs: Any) -> None:
        """Save, rebuild ``display`` and, when it changed, tell the pages that draw this
        picture into stored text (``images.hooks``), whatever the write path: the admin,
        the renditions task, a script or the shell. ``redraw=False`` only when no stored
        text can show the image yet (seeding)."""
        from images.hooks import display_changed
        from images.renditions import display_data, oriented_size

        adding = self._state.adding
        new_file = bool(self.file) and not self.file._committed
        if new_file:
            # A new upload: stored under a random name with its real format's extension
            # (images/validation.py says why), sized as it is shown (EXIF orientation).
            stream = self.file.file
            self.file.name = uuid.uuid4().hex + EXTENSIONS[image_format(stream)]
            self.width, self.height = oriented_size(stream)
        self.display = display_data(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "display"}
        # One transaction: readers never see the picture's new display beside bodies that
        # still draw the old one.
        with transaction.atomic():
            super().save(*args, **kwargs)
            if new_file:
                # The stored name (upload_to's folders, a suffix if taken) is known only now.
                self.display = display_data(self)
                type(self).objects.filter(pk=self.pk).update(display=self.display)
            # A new row cannot be in any body yet; for an existing one whose display was
            # not loaded (``only()``/``defer()``), redraw to be sure.
            if redraw and not adding and self._stored_display != self.display:
                display_changed(self.pk)
        self._stored_display = self.display

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        image = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        # What pages draw now, to tell on save whether they must redraw (None: not loaded).
        image._stored_display = image.__dict__.get("display")
        return image

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "display" in fields:
            self._stored_display = self.__dict__.get("display")

    _stored_display: dict | None = None
