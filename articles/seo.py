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

    Reads ``Image.display`` (the library image's stored rendition data, loaded with the
    article: no query, no file access): the largest "full" JPEG rendition with its size,
    as the images app's ``og_image`` filter does, else the original file.
    """
    from django.core.files.storage import default_storage

    display = getattr(article, "image", None)  # Article.image / Teaser.image: Image.display
    if not display:
        return None
    crops = display.get("crops") or {}
    files = crops.get("full") or []
    if isinstance(files, str):  # an alias of another crop
        files = crops.get(files) or []
    if files:
        best = files[-1]
        name, width, height, mime_type = best["jpeg"], best.get("w"), best.get("h"), "image/jpeg"
    elif display.get("original"):
        name, width, height = display["original"], display.get("w"), display.get("h")
        mime_type = mimetypes.guess_type(name)[0] or "image/jpeg"
    else:
        return None
    return ImageInfo(
        url=absolute(default_storage.url(name)),
        mime_type=mime_type,
        alt=display.get("alt", ""),
        caption=display.get("caption", ""),
        credit=display.get("credit", ""),
        width=width,
        height=height,
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


# --- structured data (schema.org JSON-LD) -------------------------------------------------

OG_LOCALES = {"en": "en_US", "es": "es_LA"}
LOGO = "newsroom/logo.png"  # 600x60: Google's publisher logo shape
LOGO_SIZE = (600, 60)


def _logo() -> dict:
    from django.templatetags.static import static

    return {
        "@type": "ImageObject",
        "url": absolute(static(LOGO)),
        "width": LOGO_SIZE[0],
        "height": LOGO_SIZE[1],
    }


def organization() -> dict:
    return {
        "@type": "NewsMediaOrganization",
        "@id": f"{settings.SITE_URL}/#organization",
        "name": settings.SITE_NAME,
        "url": f"{settings.SITE_URL}/",
        "logo": _logo(),
    }


def home_graph(*, search_url: str, language: str) -> dict:
    """Organization and WebSite (with the search box search engines may show) for home."""
    return {
        "@context": "https://schema.org",
        "@graph": [
            organization(),
            {
                "@type": "WebSite",
                "@id": f"{settings.SITE_URL}/#website",
                "name": settings.SITE_NAME,
                "url": f"{settings.SITE_URL}/",
                "inLanguage": language,
                "publisher": {"@id": f"{settings.SITE_URL}/#organization"},
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": {
                        "@type": "EntryPoint",
                        "urlTemplate": f"{absolute(search_url)}?q={{search_term_string}}",
                    },
                    "query-input": "required name=search_term_string",
                },
            },
        ],
    }


def news_article(article) -> dict:
    """schema.org NewsArticle for an article page (labels already loaded: no query)."""
    canonical = article.get_canonical_url()
    licence = get_licence(article.licence)
    tags = [*article.country_tags, *article.group_tags, *article.topic_tags]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": f"{canonical}#article",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "headline": article.title,
        "description": article.excerpt(300),
        "datePublished": article.publish_at.isoformat(),
        "dateModified": max(article.updated_at, article.publish_at).isoformat(),
        "inLanguage": article.language,
        "isAccessibleForFree": True,
        "articleSection": article.section.local_name,
        "keywords": [tag.local_name for tag in tags],
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
            for author in article.ordered_authors
        ]
        or [{"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL}],
        "publisher": organization(),
        "copyrightHolder": {"@id": f"{settings.SITE_URL}/#organization"},
        "copyrightYear": article.publish_at.year,
    }
    if licence.deed_url:
        data["license"] = licence.deed_url
    image = article_image(article)
    if image is not None:
        picture = {"@type": "ImageObject", "url": image.url, "caption": image.caption or image.alt}
        if image.width and image.height:
            picture.update(width=image.width, height=image.height)
        if image.credit:
            picture["creditText"] = image.credit
        data["image"] = [picture]
    return data
