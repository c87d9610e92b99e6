"""Every RSS and Atom feed parses as a feed reader parses it, holds only public stories of
its language and hub, and carries licence, attribution and image; queries stay constant."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from articles.models import Article
from tests.articles.conftest import largest_full_rendition_url
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = "Ports & <img src=x onerror=alert(1)> </script>"


@pytest.fixture
def newsroom():
    news = SectionFactory(slug="news", name="News")
    brief = SectionFactory(slug="brief", name="Brief", parent=news)
    mexico = CountryFactory(slug="mexico", name="Mexico")
    zetas = CriminalGroupFactory(slug="zetas", name="Zetas")
    ana = AuthorFactory(slug="ana", name="Ana Ruiz")
    tags = {"countries": [mexico], "groups": [zetas], "authors": [ana]}
    ArticleFactory(slug="public-en", title=HOSTILE, section=brief, **tags)
    ArticleFactory(
        slug="public-es", title="Extorsión en México", language="es", section=news, **tags
    )
    ArticleFactory(slug="draft", status=Article.Status.DRAFT, section=brief, **tags)
    ArticleFactory(slug="review", status=Article.Status.IN_REVIEW, section=brief, **tags)
    ArticleFactory(
        slug="scheduled", publish_at=timezone.now() + dt.timedelta(hours=3), section=brief, **tags
    )
    return {"section": "news", "country": "mexico", "group": "zetas", "author": "ana"}


def feed_urls(slugs: dict[str, str]) -> list[str]:
    urls = [reverse("articles:feed"), reverse("articles:feed_atom")]
    for kind, slug in slugs.items():
        urls += [reverse(f"articles:{kind}_feed", args=[slug])]
        urls += [reverse(f"articles:{kind}_feed_atom", args=[slug])]
    return urls


def _parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return response, parsed


def _links(parsed) -> set[str]:
    return {entry.link.rsplit("/article/", 1)[1].strip("/") for entry in parsed.entries}


def test_every_feed_parses_and_holds_only_public_english_stories(client, newsroom):
    urls = feed_urls(newsroom)
    assert len(urls) == 10
    for url in urls:
        _, parsed = _parse(client, url)
        assert parsed.version in {"rss20", "atom10"}, url
        assert _links(parsed) == {"public-en"}, url
        if parsed.version == "rss20":
            assert parsed.feed.language == "en"


def test_spanish_feeds_hold_the_spanish_stories(client, newsroom):
    with translation.override("es"):
        urls = feed_urls(newsroom)
        for url in urls:
            _, parsed = _parse(client, url)
            assert _links(parsed) == {"public-es"}, url


def _elements(html: str) -> list[str]:
    found: list[str] = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: found.append(tag)
    parser.feed(html)
    parser.close()
    return found


def test_no_item_carries_unescaped_markup(client, newsroom):
    # Readers render <title>, <description> and Atom <summary type="html"> as HTML: once
    # XML-decoded, what they hold must be text with no element in it.
    texts = 0
    for url in feed_urls(newsroom):
        root = ET.fromstring(client.get(url).content)
        for item in [*root.iter("item"), *root.iter(f"{ATOM}entry")]:
            for name in ("title", "description", f"{ATOM}title", f"{ATOM}summary"):
                text = item.findtext(name)
                if text is not None:
                    texts += 1
                    assert _elements(text) == [], (url, name, text)
    assert texts == 20  # title and summary of one item in each of ten feeds
    _, parsed = _parse(client, reverse("articles:feed"))
    # feedparser hands HTML-typed text over as HTML: the escaped title is literal text.
    assert parsed.entries[0].title == escape(HOSTILE)


def test_items_carry_licence_attribution_author_and_section(client, newsroom):
    _, rss = _parse(client, reverse("articles:feed"))
    entry = rss.entries[0]
    assert "creativecommons.org/licenses/by-nc/4.0/" in entry.rights
    assert "Ana Ruiz/" in entry.rights
    assert entry.link in entry.rights
    assert entry.author == "Ana Ruiz"
    assert [tag.term for tag in entry.tags] == ["Brief"]
    _, atom = _parse(client, reverse("articles:feed_atom"))
    entry = atom.entries[0]
    assert "creativecommons.org/licenses/by-nc/4.0/" in entry.rights
    assert entry.author_detail.href.endswith("/author/ana/")


def test_featured_image_is_media_content(client, newsroom, picture):
    article = Article.objects.get(slug="public-en")
    article.featured_image = picture
    article.save()
    for url in (reverse("articles:feed"), reverse("articles:feed_atom")):
        response, parsed = _parse(client, url)
        (media,) = parsed.entries[0].media_content
        assert media["url"] == largest_full_rendition_url(picture)
        assert media["type"] == "image/jpeg"
        assert b"<media:description>Containers at the port</media:description>" in (
            response.content
        )


def test_full_content_only_when_the_setting_says_so(client, newsroom, settings):
    _, parsed = _parse(client, reverse("articles:feed"))
    assert "content" not in parsed.entries[0]
    settings.FEEDS_FULL_CONTENT = True
    for url in (reverse("articles:feed"), reverse("articles:feed_atom")):
        _, parsed = _parse(client, url)
        assert "network moved cocaine" in parsed.entries[0].content[0].value


def test_unknown_hub_feed_is_404(client):
    assert client.get(reverse("articles:country_feed", args=["atlantis"])).status_code == 404


def test_pages_link_their_feeds(client, newsroom):
    pages = {
        reverse("articles:home"): "feed",
        reverse("articles:section", args=["news"]): "section_feed",
        reverse("articles:country", args=["mexico"]): "country_feed",
        reverse("articles:group", args=["zetas"]): "group_feed",
        reverse("articles:author", args=["ana"]): "author_feed",
    }
    for page, feed in pages.items():
        html = client.get(page).content.decode()
        args = [] if feed == "feed" else [page.strip("/").rsplit("/", 1)[1]]
        for suffix, kind in (("", "rss"), ("_atom", "atom")):
            href = reverse(f"articles:{feed}{suffix}", args=args)
            assert re.search(
                rf'<link rel="alternate" type="application/{kind}\+xml" title="[^"]+" '
                rf'href="{re.escape(href)}">',
                html,
            ), (page, href)


@pytest.mark.parametrize("kind", [None, "section", "country", "group", "author"])
def test_feed_query_count_is_constant(client, newsroom, kind):
    url = reverse(f"articles:{kind}_feed", args=[newsroom[kind]]) if kind else "/feed/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    article = Article.objects.get(slug="public-en")
    for _ in range(5):
        ArticleFactory(
            section=article.section,
            countries=list(article.countries.all()),
            groups=list(article.groups.all()),
            authors=[AuthorFactory(), *article.authors.all()],
        )
    # The hub (none for the latest), the items, their bylines.
    assert count() == one == (2 if kind is None else 3)
