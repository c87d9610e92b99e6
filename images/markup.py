"""The HTML of a library image: ``<figure><picture>`` with a WebP ``<source>``, a JPEG
``<img>``, ``srcset``/``sizes``, the intrinsic size, loading hints, caption and credit.

Built in Python from ``Image.display`` (a dict read in the same query as the article or the
card), not from a template per image: the same markup serves cards, lead stories, the
featured image and inline images rendered into an article's body at save time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.files.storage import default_storage
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# How wide each crop is drawn, for the browser's choice of file before any CSS is known.
# The page layout (static/css/site.css) owns the real widths; keep these in step with it.
SIZES = {
    "card": "(min-width: 64em) 22rem, (min-width: 40em) 45vw, 100vw",
    "lead": "(min-width: 64em) 48rem, 100vw",
    "full": "(min-width: 48em) 45rem, 100vw",
}
# The plain src for browsers without srcset support: the rendition closest to this width.
FALLBACK_WIDTH = 960


def _data(image: Any) -> dict | None:
    """``Image.display``, from an ``Image``, the dict itself, or nothing."""
    if image is None:
        return None
    if isinstance(image, dict):
        return image or None
    return getattr(image, "display", None) or None


def _srcset(files: list[dict], ext: str, url: Callable[[str], str]) -> str:
    return ", ".join(f"{url(entry[ext])} {entry['w']}w" for entry in files)


def picture(
    image: Any,
    crop: str = "full",
    *,
    lead: bool = False,
    sizes: str | None = None,
    caption: bool = True,
    css_class: str = "",
) -> SafeString:
    """The ``<figure>`` for ``image`` (an ``Image``, its ``display`` dict, or None: "")."""
    data = _data(image)
    if data is None:
        return mark_safe("")
    url = default_storage.url
    files = data.get("crops", {}).get(crop) or data.get("crops", {}).get("full")
    # The lead image is the page's largest paint: fetched first, never lazily.
    loading = ' fetchpriority="high"' if lead else ' loading="lazy"'
    if files:
        largest = files[-1]
        fallback = min(files, key=lambda entry: abs(entry["w"] - FALLBACK_WIDTH))
        sizes = escape(sizes or SIZES.get(crop, SIZES["full"]))
        body = format_html(
            '<picture><source type="image/webp" srcset="{}" sizes="{}">'
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"'
            ' decoding="async"{}></picture>',
            _srcset(files, "webp", url),
            sizes,
            url(fallback["jpeg"]),
            _srcset(files, "jpeg", url),
            sizes,
            largest["w"],
            largest["h"],
            data.get("alt", ""),
            mark_safe(loading),
        )
    elif data.get("original"):
        # Renditions not made yet (the task runs after the upload's commit): the original,
        # still with its size so nothing shifts.
        body = format_html(
            '<img src="{}" width="{}" height="{}" alt="{}" decoding="async"{}>',
            url(data["original"]),
            data.get("w") or "",
            data.get("h") or "",
            data.get("alt", ""),
            mark_safe(loading),
        )
    else:
        return mark_safe("")
    return format_html(
        '<figure class="picture picture-{}{}">{}{}</figure>',
        crop,
        f" {css_class}" if css_class else "",
        body,
        _figcaption(data, caption),
    )


def _figcaption(data: dict, with_caption: bool) -> SafeString:
    caption = data.get("caption", "") if with_caption else ""
    credit = data.get("credit", "")
    if not (caption or credit):
        return mark_safe("")
    parts = []
    if caption:
        parts.append(format_html('<span class="caption">{}</span>', caption))
    if credit:
        parts.append(format_html('<span class="credit">{}</span>', credit))
    return format_html("<figcaption>{}</figcaption>", mark_safe(" ".join(parts)))


# --- inline images in an article's body -------------------------------------------------------

# The placeholder the editor writes and the sanitiser lets through (articles/sanitize.py):
# ``<figure data-image="12"></figure>``, an empty figure naming a library image.
PLACEHOLDER = re.compile(r'<figure data-image="(\d+)"[^>]*>(?:\s*</figure>)?')


def referenced_ids(html: str) -> list[int]:
    """The library images an article's body refers to, in order, once each."""
    return list(dict.fromkeys(int(pk) for pk in PLACEHOLDER.findall(html or "")))


def expand(html: str, displays: dict[int, dict]) -> str:
    """``html`` with each placeholder replaced by its image's markup (a missing image: gone).

    ``displays`` maps image ids to ``Image.display``; the caller reads them in one query.
    """

    def replace(match: re.Match) -> str:
        data = displays.get(int(match.group(1)))
        return str(picture(data, "full", css_class="inline-image")) if data else ""

    return PLACEHOLDER.sub(replace, html)


def render_body(html: str) -> str:
    """An article body with its inline images drawn, or "" when it has none (one query).

    Stored beside the body (``Article.body_html``) when the article is saved, and again
    when one of its images changes (``images.hooks``), so pages never look images up.
    """
    ids = referenced_ids(html)
    if not ids:
        return ""
    from images.models import Image

    return expand(html, dict(Image.objects.filter(pk__in=ids).values_list("pk", "display")))
