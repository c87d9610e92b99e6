"""The HTML of a library image: ``<figure><picture>`` with a WebP ``<source>``, a JPEG
``<img>``, ``srcset``/``sizes``, the intrinsic size, loading hints, caption and credit.

Built in Python from ``Image.display`` (a dict read in the same query as the article or the
card), not from a template per image: the same markup serves cards, lead stories, the
featured image and inline images rendered into an article's body at save time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape as _escape
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.functional import empty
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


def crop_files(display: dict | None, crop: str) -> list[dict]:
    """The renditions of ``crop`` in ``Image.display`` (following an alias), or []."""
    crops = (display or {}).get("crops") or {}
    files = crops.get(crop) or []
    return crops.get(files) or [] if isinstance(files, str) else files


def _data(image: Any) -> dict | None:
    """``Image.display``, from an ``Image``, the dict itself, or nothing."""
    if image is None:
        return None
    if isinstance(image, dict):
        return image or None
    return getattr(image, "display", None) or None


def _url_builder() -> Callable[[str], str]:
    """``default_storage.url``, or a faster equivalent when the storage's URLs are a fixed
    prefix plus the name (disk, public S3 or a CDN): a page draws ~20 pictures of ~9 files
    each, and the storage's own ``url()`` costs more than the rest of the markup."""
    storage = default_storage._wrapped if default_storage._wrapped is not empty else None
    key = (id(storage), settings.MEDIA_URL)
    cached = _URL_BUILDERS.get(key)
    if cached is not None:
        return cached
    probe = "renditions/0/probe/x-1.webp"
    whole = default_storage.url(probe)
    prefix = whole[: -len(probe)] if whole.endswith(probe) else None
    if prefix is None or "?" in whole:  # signed URLs, or names the storage rewrites
        builder = default_storage.url
    else:

        def builder(name: str) -> str:
            # Rendition names are [a-z0-9/_.-]: nothing to quote (images/renditions.py).
            return prefix + name

    _URL_BUILDERS.clear()
    _URL_BUILDERS[key] = builder
    return builder


_URL_BUILDERS: dict[tuple, Callable[[str], str]] = {}


def _srcset(files: list[dict], ext: str, url: Callable[[str], str]) -> str:
    return ", ".join([f"{url(entry[ext])} {entry['w']}w" for entry in files])


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
    files = crop_files(data, crop) or crop_files(data, "full")
    # The lead image is the page's largest paint: fetched first, never lazily.
    loading = ' fetchpriority="high"' if lead else ' loading="lazy"'
    alt = _escape(data.get("alt", ""))
    if files:
        url = _url_builder()
        largest = files[-1]
        fallback = min(files, key=lambda entry: abs(entry["w"] - FALLBACK_WIDTH))
        sizes = _escape(sizes or SIZES.get(crop, SIZES["full"]))
        # Plain f-strings over format_html: every value is escaped here or is a number or a
        # storage URL of a name we generated; this runs ~20 times per page.
        body = (
            f'<picture><source type="image/webp" srcset="{_escape(_srcset(files, "webp", url))}"'
            f' sizes="{sizes}"><img src="{_escape(url(fallback["jpeg"]))}"'
            f' srcset="{_escape(_srcset(files, "jpeg", url))}" sizes="{sizes}"'
            f' width="{int(largest["w"])}" height="{int(largest["h"])}" alt="{alt}"'
            f' decoding="async"{loading}></picture>'
        )
    elif data.get("original"):
        # Renditions not made yet (the task runs after the upload's commit): the original,
        # still with its size so nothing shifts.
        body = (
            f'<img src="{_escape(default_storage.url(data["original"]))}"'
            f' width="{int(data.get("w") or 0)}" height="{int(data.get("h") or 0)}"'
            f' alt="{alt}" decoding="async"{loading}>'
        )
    else:
        return mark_safe("")
    extra = f" {_escape(css_class)}" if css_class else ""
    return mark_safe(
        f'<figure class="picture picture-{_escape(crop)}{extra}">{body}'
        f"{_figcaption(data, caption)}</figure>"
    )


def _figcaption(data: dict, with_caption: bool) -> str:
    caption = data.get("caption", "") if with_caption else ""
    credit = data.get("credit", "")
    if not (caption or credit):
        return ""
    parts = []
    if caption:
        parts.append(f'<span class="caption">{_escape(caption)}</span>')
    if credit:
        parts.append(f'<span class="credit">{_escape(credit)}</span>')
    return f"<figcaption>{' '.join(parts)}</figcaption>"


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
