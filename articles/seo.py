"""What search engines, social networks and feed readers read about an article.

One place for the facts every machine-readable view shares (JSON-LD, Open Graph, sitemaps'
image entries, feed media), so they never disagree: the article's image, its licence and
attribution in words, absolute URLs.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from articles.licences import get_licence


@dataclass(frozen=True)
class ImageInfo:
    url: str  # absolute
    mime_type: str
    alt: str = ""
    caption: str = ""
    credit: str = ""
    width: int | None = None
    height: int | None = None


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def article_image(article) -> ImageInfo | None:
    """The article's featured image as machines should see it, or None.

    Reads only the featured_image* columns (no file access: dimensions are unknown until
    renditions record them, so they are left out rather than guessed).
    """
    image = getattr(article, "featured_image", None)
    if not image:
        return None
    mime_type = mimetypes.guess_type(image.name)[0] or "image/jpeg"
    return ImageInfo(
        url=absolute(image.url),
        mime_type=mime_type,
        alt=article.featured_image_alt,
        caption=article.featured_image_caption,
        credit=article.featured_image_credit,
    )


def rights_statement(article, authors: list) -> str:
    """The licence and the attribution it asks for, in one line (feeds' dc:rights/rights)."""
    licence = get_licence(article.licence)
    names = ", ".join(author.name for author in authors)
    credit = f"{names}/{settings.SITE_NAME}" if names else settings.SITE_NAME
    if not licence.allows_republication:
        return _("© %(year)s %(credit)s. All rights reserved. Original: %(url)s") % {
            "year": article.publish_at.year,
            "credit": credit,
            "url": article.get_canonical_url(),
        }
    return _("%(licence)s (%(deed)s). Attribution: %(credit)s, original at %(url)s") % {
        "licence": licence.name,
        "deed": licence.deed_url,
        "credit": credit,
        "url": article.get_canonical_url(),
    }
