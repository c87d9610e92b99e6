"""What a partner copies: the story's HTML and plain text, with attribution and pixel.

Images: only those whose rights allow republication go in, each with its credit
(``republishable_images_for``: the image library's ``may_republish``). A picture whose
rights we cannot read (no library) is left out: the safe default for pictures bought from
agencies. Inline library pictures are drawn as plain ``<figure>``s or removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin

import nh3
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, strip_tags

from articles.licences import Licence
from articles.models import Article
from articles.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS


@dataclass(frozen=True)
class RepublishableImage:
    url: str  # absolute
    alt: str
    caption: str
    credit: str
    pk: int | None = None


@dataclass(frozen=True)
class ArticleImages:
    """An article's pictures that partners may republish: the featured one and the inline
    ones by library id. Pictures without the right are simply absent."""

    featured: RepublishableImage | None = None
    inline: dict[int, RepublishableImage] = field(default_factory=dict)

    @property
    def all(self) -> tuple[RepublishableImage, ...]:
        return tuple(filter(None, [self.featured, *self.inline.values()]))


NO_IMAGES = ArticleImages()

# The image library's placeholder in an article's body (images/markup.py):
# ``<figure data-image="12"></figure>``, an empty figure naming a library image.
LIBRARY_PLACEHOLDER = re.compile(r'<figure data-image="(\d+)"[^>]*>(?:\s*</figure>)?')


@dataclass(frozen=True)
class Republishable:
    article: Article
    licence: Licence
    canonical_url: str
    pixel_url: str
    images: tuple[RepublishableImage, ...]
    html: str  # what the partner pastes
    text: str  # the plain-text variant


def republishable_images_for(articles: Iterable[Article]) -> dict[int, ArticleImages]:
    """Each article's republishable pictures, in one query for any number of articles.

    Pictures live in the image library (the ``images`` app) with their credit and a
    ``may_republish`` flag; where the library is not installed (or an article has none),
    nothing is offered: a picture whose rights we cannot read is never republished.
    """
    if not apps.is_installed("images"):
        return {}
    from images.models import Image

    wanted: dict[int, tuple[int | None, list[int]]] = {}
    for article in articles:
        featured = getattr(article, "featured_image_id", None)
        inline = list(dict.fromkeys(int(pk) for pk in LIBRARY_PLACEHOLDER.findall(article.body)))
        if featured or inline:
            wanted[article.pk] = (featured, inline)
    ids = {pk for featured, inline in wanted.values() for pk in (featured, *inline) if pk}
    if not ids:
        return {}
    displays = dict(
        Image.objects.filter(pk__in=ids, may_republish=True).values_list("pk", "display")
    )
    found = {pk: image for pk, data in displays.items() if (image := _image(pk, data))}
    return {
        article_id: ArticleImages(
            featured=found.get(featured) if featured else None,
            inline={pk: found[pk] for pk in inline if pk in found},
        )
        for article_id, (featured, inline) in wanted.items()
    }


def _image(pk: int, data: dict) -> RepublishableImage | None:
    """The largest JPEG rendition (every CMS takes a JPEG), else the original upload."""
    files = (data.get("crops") or {}).get("full") or []
    name = files[-1].get("jpeg") if files else data.get("original")
    if not name:
        return None
    return RepublishableImage(
        url=urljoin(settings.SITE_URL + "/", default_storage.url(name)),
        alt=data.get("alt", ""),
        caption=data.get("caption", ""),
        credit=data.get("credit", ""),
        pk=pk,
    )


def pixel_url(article: Article) -> str:
    return settings.SITE_URL + reverse("republish:pixel", kwargs={"article_id": article.pk})


def _absolute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in {"href", "src"}:
        return urljoin(settings.SITE_URL + "/", value)
    return value


def _figure(image: RepublishableImage) -> str:
    caption = " ".join(part for part in (image.caption, image.credit) if part)
    return (
        f'<figure><img src="{escape(image.url)}" alt="{escape(image.alt)}">'
        f"{f'<figcaption>{escape(caption)}</figcaption>' if caption else ''}</figure>"
    )


def body_for_partners(article: Article, images: ArticleImages = NO_IMAGES) -> str:
    """The sanitised body with links made absolute (relative ones would point at the
    partner's site), library pictures drawn as plain figures when partners may use them
    and dropped when not, and no other image."""
    body = LIBRARY_PLACEHOLDER.sub(
        lambda match: _figure(image) if (image := images.inline.get(int(match.group(1)))) else "",
        article.body or "",
    )
    allowed = {image.url for image in images.inline.values()}
    tags = set(ALLOWED_TAGS) | {"figure", "figcaption", "img"}
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    attributes["img"] = {"src", "alt"}
    attributes.pop("figure", None)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        value = _absolute(tag, attribute, value)
        if tag == "img" and attribute == "src" and value not in allowed:
            return None  # an <img> without a src is dropped below
        return value

    html = nh3.clean(
        body,
        tags=tags,
        attributes=attributes,
        attribute_filter=keep,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    html = re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", html)
    return re.sub(r"<figure>\s*</figure>", "", html)


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|tr|pre|figure)>|<br\s*/?>|<hr\s*/?>", re.I)


_LINK = re.compile(r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.I | re.S)


def _link_as_text(match: re.Match) -> str:
    url, label = match.group(1), match.group(2)
    return label if unescape(strip_tags(label)).strip() == unescape(url) else f"{label} ({url})"


def html_to_text(html: str) -> str:
    """Paragraphs apart, list items with a dash, links as "text (URL)"."""
    text = _LINK.sub(_link_as_text, html)
    text = re.sub(r"<li[^>]*>", "- ", text, flags=re.I)
    text = _BLOCK_END.sub("\n\n", text)
    text = unescape(strip_tags(text))
    paragraphs = [" ".join(part.split()) for part in text.split("\n\n")]
    return "\n\n".join(part for part in paragraphs if part)


def build(article: Article, images: ArticleImages | None = None) -> Republishable:
    """The republication package for a public article whose licence allows it;
    ``images`` when the caller read them for many articles at once (the feed)."""
    licence = article.licence_info
    if images is None:
        images = republishable_images_for([article]).get(article.pk, NO_IMAGES)
    context = {
        "article": article,
        "licence": licence,
        "authors": article.ordered_authors,
        "canonical_url": article.get_canonical_url(),
        "pixel_url": pixel_url(article),
        "images": images.all,
        "featured": images.featured,
        "body": body_for_partners(article, images),
        "deed_url": licence.deed_url,
        "SITE_NAME": settings.SITE_NAME,
    }
    context["body_text"] = html_to_text(context["body"])
    # The attribution line is written in the story's language, whatever the page's.
    with translation.override(article.language):
        html = render_to_string("republish/story.html", context).strip()
        text = render_to_string("republish/story.txt", context).strip()
    return Republishable(
        article=article,
        licence=licence,
        canonical_url=context["canonical_url"],
        pixel_url=context["pixel_url"],
        images=images.all,
        html=html,
        text=_tidy_text(text),
    )


def _tidy_text(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text)
