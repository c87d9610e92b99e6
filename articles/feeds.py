"""RSS 2.0 and Atom feeds: the latest stories per language, section, country, group and author.

A feed holds the stories in the language of its URL (``get_language()``: English unprefixed,
Spanish under ``/es/``), public ones only (``Article.objects.published()``), newest first.
Every item carries its licence and the attribution it asks for (RSS ``dc:rights``, Atom
``rights``), its authors and its featured image (``media:content``); with
``FEEDS_FULL_CONTENT`` the sanitised body goes too (RSS ``content:encoded``, Atom
``content``). Three queries whatever the number of items: the hub, the items, the bylines.

Feed readers treat <title> and <description> as HTML, so every text we send is
HTML-escaped here *and* XML-escaped by the feed writer: ``<img onerror=...>`` typed in a
dek reaches the reader as that literal text, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import feedgenerator, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    Author,
    Country,
    CriminalGroup,
    PublicThroughStories,
    Section,
)
from articles.seo import absolute, article_image, rights_statement

ITEMS = 30
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
# kind -> (model, the read rule that picks its stories)
HUBS: dict[str, tuple[type[Model], str]] = {
    "section": (Section, "in_section"),
    "country": (Country, "tagged_with_country"),
    "group": (CriminalGroup, "tagged_with_group"),
    "author": (Author, "by_author"),
}


def feed_language() -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in Article.Language.values else settings.LANGUAGE_CODE


def _media_content(handler, item: dict) -> None:
    image = item.get("image")
    if image is None:
        return
    attrs = {"url": image.url, "medium": "image", "type": image.mime_type}
    handler.startElement("media:content", attrs)
    if image.alt:
        handler.addQuickElement("media:description", image.alt)
    if image.credit:
        handler.addQuickElement("media:credit", image.credit)
    handler.endElement("media:content")


class RssFeed(feedgenerator.Rss201rev2Feed):
    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:dc": DC,
            "xmlns:media": MEDIA,
            "xmlns:content": CONTENT,
        }

    def add_item_elements(self, handler, item: dict) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("dc:rights", item["rights"])
        _media_content(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomFeed(feedgenerator.Atom1Feed):
    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:media": MEDIA}

    def add_item_elements(self, handler, item: dict) -> None:
        super().add_item_elements(handler, item)  # writes item_copyright as <rights>
        _media_content(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


@dataclass(frozen=True)
class Subject:
    """What a feed is about: a hub (or None for the whole language) and the language."""

    kind: str | None
    hub: Model | None
    language: str

    @property
    def name(self) -> str:
        if self.hub is None:
            return _("latest stories")
        return getattr(self.hub, "local_name", self.hub.name)  # authors have one name


class ArticleFeed(Feed):
    feed_type = RssFeed
    kind: str | None = None
    description_template = None

    def get_object(self, request: HttpRequest, slug: str | None = None) -> Subject:
        hub = None
        if self.kind is not None:
            model, _rule = HUBS[self.kind]
            hubs = model.objects.filter(slug=slug)
            if isinstance(hubs, PublicThroughStories):  # an author with no public story
                hubs = hubs.with_public_stories()
            hub = hubs.first()
            if hub is None:
                raise Http404(f"No such {self.kind}")
        return Subject(self.kind, hub, feed_language())

    def title(self, subject: Subject) -> str:
        return escape(_("%(site)s: %(name)s") % {"site": settings.SITE_NAME, "name": subject.name})

    def link(self, subject: Subject) -> str:
        if subject.hub is not None:
            return absolute(subject.hub.get_absolute_url())
        return absolute(reverse("articles:home"))

    def description(self, subject: Subject) -> str:
        return escape(
            _("The latest stories from %(site)s: %(name)s.")
            % {"site": settings.SITE_NAME, "name": subject.name}
        )

    def feed_copyright(self, subject: Subject) -> str:
        return _("Each story carries its own licence and attribution.")

    def items(self, subject: Subject) -> QuerySet:
        articles = Article.objects.published().in_language(subject.language)
        if subject.hub is not None:
            articles = getattr(articles, HUBS[subject.kind][1])(subject.hub)
        return articles.newest_first().for_feed()[:ITEMS]

    def item_title(self, item: Article) -> str:
        return escape(item.title)

    def item_description(self, item: Article) -> str:
        # excerpt() is plain text (tags stripped, entities decoded): escape it back to HTML.
        return escape(item.excerpt(300))

    def item_link(self, item: Article) -> str:
        return item.get_canonical_url()

    def item_guid(self, item: Article) -> str:
        return item.get_canonical_url()

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_updateddate(self, item: Article):
        return max(item.updated_at, item.publish_at)

    def item_author_name(self, item: Article) -> str | None:
        return ", ".join(author.name for author in item.ordered_authors) or None

    def item_author_link(self, item: Article) -> str | None:
        authors = item.ordered_authors
        return absolute(authors[0].get_absolute_url()) if authors else None

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.local_name]

    def item_copyright(self, item: Article) -> str:
        return rights_statement(item, item.ordered_authors)

    def item_extra_kwargs(self, item: Article) -> dict:
        return {
            "rights": rights_statement(item, item.ordered_authors),
            "image": article_image(item),
            # The body is sanitised on save (articles.sanitize): HTML meant to be HTML.
            "content_html": item.body if settings.FEEDS_FULL_CONTENT else None,
        }


class AtomArticleFeed(ArticleFeed):
    feed_type = AtomFeed

    def subtitle(self, subject: Subject) -> str:
        return self.description(subject)


def _feed_pair(kind: str | None) -> tuple[ArticleFeed, ArticleFeed]:
    rss = type(f"{kind or 'Latest'}RssFeed", (ArticleFeed,), {"kind": kind})
    atom = type(f"{kind or 'Latest'}AtomFeed", (AtomArticleFeed,), {"kind": kind})
    return rss(), atom()


# Instances the URLconf serves: FEEDS[None] for a language's latest, FEEDS["country"]...
FEEDS: dict[str | None, tuple[ArticleFeed, ArticleFeed]] = {
    kind: _feed_pair(kind) for kind in (None, *HUBS)
}
