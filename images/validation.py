"""What an upload must be before it enters the library.

A real JPEG, PNG or WebP (no SVG: it can carry scripts; no GIF, TIFF, BMP...), under the
byte and pixel limits in settings, and complete: Pillow's ``verify()`` checks the structure,
then a second open decodes every pixel (``verify()`` leaves the image unusable and does not
catch a truncated file). The stored original gets a random name with the extension of the
format Pillow found (``images.models.Image.save``), so a polyglot named ``.svg`` or ``.html``
is stored and served as the picture it also is, and pages only ever show re-encoded
renditions.
"""

from __future__ import annotations

import warnings
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image as PILImage

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def _open(stream: IO[bytes]) -> PILImage.Image:
    stream.seek(0)
    # formats=: Pillow tries only these decoders, whatever the file's name or first bytes.
    return PILImage.open(stream, formats=ALLOWED_FORMATS)


def image_format(stream: IO[bytes]) -> str:
    """The Pillow format name of an already validated upload (``JPEG``, ``PNG``, ``WEBP``)."""
    with _open(stream) as picture:
        return picture.format


def validate_upload(value) -> None:
    """Raise ``ValidationError`` unless ``value`` (a file) is an image the library accepts."""
    size = getattr(value, "size", None)
    if size is not None and size > settings.IMAGES_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMAGES_MAX_BYTES)},
            code="too_big",
        )
    stream = value.file if hasattr(value, "file") else value
    not_an_image = ValidationError(
        _("Upload a JPEG, PNG or WebP picture (SVG and other formats are not accepted)."),
        code="format",
    )
    with warnings.catch_warnings():
        # Pillow warns (then refuses) past its own pixel limit: both are our "too large".
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            with _open(stream) as picture:
                width, height = picture.size
                if width * height > settings.IMAGES_MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                picture.verify()
            with _open(stream) as picture:
                picture.load()  # decodes everything: a truncated file fails here
        except ValidationError:
            raise
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            raise _too_many_pixels(None, None) from None
        except (OSError, SyntaxError, ValueError, PILImage.UnidentifiedImageError):
            raise not_an_image from None
        finally:
            stream.seek(0)
    if width < 1 or height < 1:
        raise not_an_image


def _too_many_pixels(width: int | None, height: int | None) -> ValidationError:
    megapixels = settings.IMAGES_MAX_PIXELS / 1_000_000
    if width is None:
        message = _("The picture has too many pixels; the limit is %(limit).0f megapixels.") % {
            "limit": megapixels
        }
    else:
        message = _(
            "The picture is %(width)d × %(height)d pixels; the limit is %(limit).0f megapixels."
        ) % {"width": width, "height": height, "limit": megapixels}
    return ValidationError(message, code="too_many_pixels")
