"""What a partner copies: the story's HTML and plain text, with attribution and pixel.

Images: only those whose rights allow republication go in, each with its credit
(``republishable_images``). The article's own ``featured_image`` fields carry no rights
information, so until the image library records them an image is left out: the safe
default for pictures bought from agencies. Inline images are removed from the body
unless they are in the republishable set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urljoin

import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from articles.licences import Licence
from articles.models import Article
from articles.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS


@dataclass(frozen=True)
class RepublishableImage:
    url: str  # absolute
    alt: str
    caption: str
    credit: str


@dataclass(frozen=True)
class Republishable:
    article: Article
    licence: Licence
    canonical_url: str
    pixel_url: str
    images: tuple[RepublishableImage, ...]
    html: str  # what the partner pastes
    text: str  # the plain-text variant


def republishable_images(article: Article) -> tuple[RepublishableImage, ...]:
    """The article's images that partners may republish, with their credits."""
    return ()


def pixel_url(article: Article) -> str:
    return settings.SITE_URL + reverse("republish:pixel", kwargs={"article_id": article.pk})


def _absolute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in {"href", "src"}:
        return urljoin(settings.SITE_URL + "/", value)
    return value


def body_for_partners(article: Article, images: tuple[RepublishableImage, ...]) -> str:
    """The sanitised body with links made absolute (relative ones would point at the
    partner's site) and only republishable images kept."""
    allowed = {image.url for image in images}
    tags = set(ALLOWED_TAGS)
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    if allowed:
        tags |= {"img", "figure", "figcaption"}
        attributes["img"] = {"src", "alt"}

    def keep(tag: str, attribute: str, value: str) -> str | None:
        value = _absolute(tag, attribute, value)
        if tag == "img" and attribute == "src" and value not in allowed:
            return None  # an <img> without a src is dropped below
        return value

    html = nh3.clean(
        article.body or "",
        tags=tags,
        attributes=attributes,
        attribute_filter=keep,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    return re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", html)


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|tr|pre|figure)>|<br\s*/?>|<hr\s*/?>", re.I)


def html_to_text(html: str) -> str:
    text = _BLOCK_END.sub("\n\n", html)
    text = unescape(strip_tags(text))
    paragraphs = [" ".join(part.split()) for part in text.split("\n\n")]
    return "\n\n".join(part for part in paragraphs if part)


def build(article: Article) -> Republishable:
    """The republication package for a public article whose licence allows it."""
    licence = article.licence_info
    images = republishable_images(article)
    context = {
        "article": article,
        "licence": licence,
        "authors": article.ordered_authors,
        "canonical_url": article.get_canonical_url(),
        "pixel_url": pixel_url(article),
        "images": images,
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
        images=images,
        html=html,
        text=_tidy_text(text),
    )


def _tidy_text(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text)
