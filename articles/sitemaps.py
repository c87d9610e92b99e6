"""Sitemaps: an index (/sitemap.xml) over per-language article sitemaps (with lastmod and
image entries), a Google News sitemap of the last two days, and the hubs and sections.

Every entry is absolute on ``SITE_URL`` (not the request's host) and every list comes from
``Article.objects.published()``: no draft or scheduled story is ever listed. Each sitemap
costs a fixed number of queries (a count and a page; the hubs one query per vocabulary).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from articles.models import (
    Article,
    Author,
    Country,
    CriminalGroup,
    PublicThroughStories,
    Section,
    Topic,
)
from articles.seo import article_image

NEWS_WINDOW = dt.timedelta(days=2)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs per news sitemap
SITEMAP_FIELDS = (
    "slug",
    "title",
    "language",
    "publish_at",
    "updated_at",
    "featured_image",
    "featured_image__display",
)


def _w3c(moment: dt.datetime) -> dt.datetime:
    # Whole seconds: the templates' |date:"c" then writes 2026-11-25T12:53:15+00:00.
    return moment.replace(microsecond=0)


class SiteSitemap(Sitemap):
    """Absolute URLs on SITE_URL, whatever host or scheme the request came on."""

    @property
    def protocol(self) -> str:  # read by the index view
        return urlsplit(settings.SITE_URL).scheme

    def get_protocol(self, protocol: str | None = None) -> str:
        return self.protocol

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(SiteSitemap):
    """The public articles of one language, newest first, with their featured image."""

    changefreq = "weekly"
    limit = 5000

    def __init__(self, language: str) -> None:
        self.language = language

    def items(self):
        return (
            Article.objects.published()
            .in_language(self.language)
            .newest_first()
            .select_related("featured_image")
            .only(*SITEMAP_FIELDS)
        )

    def lastmod(self, article: Article) -> dt.datetime:
        return _w3c(max(article.updated_at, article.publish_at))

    def get_latest_lastmod(self) -> dt.datetime | None:
        # The index's <lastmod> for this sitemap: one small query, not a read of every row.
        latest = self.items().order_by("-updated_at").values_list("updated_at", flat=True)
        latest = latest.first()
        return _w3c(latest) if latest else None

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        urls = super().get_urls(page, site, protocol)
        for url in urls:
            url["image"] = article_image(url["item"])
        return urls


class NewsSitemap(SiteSitemap):
    """Google News: the stories of the last two days, in every language."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(publish_at__gte=since)
            .newest_first()
            .select_related("featured_image")
            .only(*SITEMAP_FIELDS)[:NEWS_LIMIT]
        )

    def lastmod(self, article: Article) -> dt.datetime:
        return _w3c(max(article.updated_at, article.publish_at))

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        urls = super().get_urls(page, site, protocol)
        for url in urls:
            url["publication"] = settings.SITE_NAME
            url["published"] = _w3c(url["item"].publish_at)
            url["image"] = article_image(url["item"])
        return urls


class HubSitemap(SiteSitemap):
    """Home, sections, country, group, topic and author hubs, in each language's URLs."""

    changefreq = "daily"
    i18n = True  # one entry per language (settings.LANGUAGES), each in its own URL scheme
    alternates = True  # with hreflang links between them
    x_default = True

    def items(self) -> list:
        hubs: list = ["home"]
        for model in (Section, Country, CriminalGroup, Topic, Author):
            rows = model.objects.only("slug").order_by("pk")
            if isinstance(rows, PublicThroughStories):  # topics, bylines: none of drafts
                rows = rows.with_public_stories()
            hubs.extend(rows)
        return hubs

    def location(self, item) -> str:
        return reverse("articles:home") if item == "home" else item.get_absolute_url()


def sitemaps() -> dict[str, Sitemap]:
    """The sections of the index: /sitemap-<name>.xml."""
    languages = [code for code, _name in settings.LANGUAGES]
    return {
        **{f"articles-{code}": ArticleSitemap(code) for code in languages},
        "news": NewsSitemap(),
        "hubs": HubSitemap(),
    }


SITEMAPS = sitemaps()
TEMPLATES = {"news": "sitemaps/news.xml"}


def index(request):
    from django.contrib.sitemaps import views

    return views.index(
        request,
        SITEMAPS,
        template_name="sitemaps/index.xml",
        sitemap_url_name="sitemap-section",
    )


def section(request, section: str):
    from django.contrib.sitemaps import views

    return views.sitemap(
        request,
        SITEMAPS,
        section=section,
        template_name=TEMPLATES.get(section, "sitemaps/urlset.xml"),
    )
