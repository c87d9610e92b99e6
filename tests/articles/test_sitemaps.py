"""The sitemap index, per-language article sitemaps, the Google News sitemap, the hubs
sitemap and robots.txt: what they list, in what form, at a constant number of queries."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.articles.conftest import largest_full_rendition_url
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "xhtml": "http://www.w3.org/1999/xhtml",
}
HOSTILE = 'Ports & "docks" <script>alert(1)</script>'


def _xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # raises on anything not well-formed


def _locs(root: ET.Element) -> list[str]:
    return [loc.text for loc in root.findall("sm:url/sm:loc", NS)]


@pytest.fixture
def stories():
    now = timezone.now()
    section = SectionFactory(slug="news", name="News")
    made = {
        "fresh-en": ArticleFactory(slug="fresh-en", title=HOSTILE, section=section),
        "fresh-es": ArticleFactory(slug="fresh-es", language="es", section=section),
        "old-en": ArticleFactory(
            slug="old-en", section=section, publish_at=now - dt.timedelta(days=5)
        ),
    }
    for slug, extra in {
        "draft": {"status": Article.Status.DRAFT, "publish_at": None},
        "review": {"status": Article.Status.IN_REVIEW, "publish_at": None},
        "scheduled": {"publish_at": now + dt.timedelta(hours=1)},
    }.items():
        ArticleFactory(slug=slug, section=section, **extra)
    return made


def test_index_lists_every_sitemap_with_absolute_urls(client, stories):
    root = _xml(client, reverse("sitemap"))
    locs = [loc.text for loc in root.findall("sm:sitemap/sm:loc", NS)]
    assert locs == [
        f"http://testserver{reverse('sitemap-section', args=[name])}"
        for name in ("articles-en", "articles-es", "news", "hubs")
    ]
    assert all(node.text for node in root.findall("sm:sitemap/sm:lastmod", NS)[:2])


def test_article_sitemaps_hold_public_stories_of_their_language(client, stories):
    english = _xml(client, reverse("sitemap-section", args=["articles-en"]))
    assert _locs(english) == [
        stories["fresh-en"].get_canonical_url(),
        stories["old-en"].get_canonical_url(),
    ]
    lastmod = english.find("sm:url/sm:lastmod", NS).text
    assert dt.datetime.fromisoformat(lastmod) >= stories["fresh-en"].publish_at.replace(
        microsecond=0
    )
    spanish = _xml(client, reverse("sitemap-section", args=["articles-es"]))
    assert _locs(spanish) == [stories["fresh-es"].get_canonical_url()]


def test_article_sitemap_carries_the_featured_image(client, stories, picture):
    article = stories["old-en"]
    article.featured_image = picture
    article.save()
    root = _xml(client, reverse("sitemap-section", args=["articles-en"]))
    images = {
        url.find("sm:loc", NS).text: url.findtext("image:image/image:loc", None, NS)
        for url in root.findall("sm:url", NS)
    }
    assert images == {
        stories["fresh-en"].get_canonical_url(): None,
        article.get_canonical_url(): largest_full_rendition_url(picture),
    }


def test_news_sitemap_holds_the_last_two_days_in_every_language(client, stories):
    root = _xml(client, reverse("sitemap-section", args=["news"]))
    urls = {url.findtext("sm:loc", None, NS): url for url in root.findall("sm:url", NS)}
    assert set(urls) == {
        stories["fresh-en"].get_canonical_url(),
        stories["fresh-es"].get_canonical_url(),
    }
    english = urls[stories["fresh-en"].get_canonical_url()]
    assert english.findtext("news:news/news:publication/news:name", None, NS) == "Newsroom"
    assert english.findtext("news:news/news:publication/news:language", None, NS) == "en"
    assert english.findtext("news:news/news:title", None, NS) == HOSTILE
    published = english.findtext("news:news/news:publication_date", None, NS)
    assert dt.datetime.fromisoformat(published) == stories["fresh-en"].publish_at.replace(
        microsecond=0
    )
    spanish = urls[stories["fresh-es"].get_canonical_url()]
    assert spanish.findtext("news:news/news:publication/news:language", None, NS) == "es"


def test_hubs_sitemap_lists_home_sections_and_every_hub(client):
    section = SectionFactory(slug="investigations")
    topic, author = TopicFactory(slug="prisons"), AuthorFactory(slug="ana")
    # Topics and bylines are public through a public story (tests/test_drafts_never_public).
    ArticleFactory(topics=[topic], authors=[author])
    hubs = [
        section,
        CountryFactory(slug="honduras"),
        CriminalGroupFactory(slug="ms13"),
        topic,
        author,
    ]
    locs = set(_locs(_xml(client, reverse("sitemap-section", args=["hubs"]))))
    expected = {f"http://testserver{reverse('articles:home')}"}
    expected |= {f"http://testserver{hub.get_absolute_url()}" for hub in hubs}
    assert expected <= locs


def test_robots_txt_points_to_the_sitemaps_and_keeps_crawlers_out_of_private_paths(client):
    response = client.get(reverse("robots_txt"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert f"Sitemap: http://testserver{reverse('sitemap')}" in lines
    assert f"Sitemap: http://testserver{reverse('sitemap-section', args=['news'])}" in lines
    for path in ("/admin/", "/preview/", f"{reverse('articles:search')}?"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines  # the site itself stays crawlable


@pytest.mark.parametrize("name", ["articles-en", "news", "hubs", None])
def test_sitemap_query_count_is_constant(client, name):
    url = reverse("sitemap-section", args=[name]) if name else reverse("sitemap")
    section = SectionFactory(slug="news")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    ArticleFactory(section=section, countries=[CountryFactory()])
    one = count()
    for _ in range(6):
        ArticleFactory(section=section, countries=[CountryFactory()], authors=[AuthorFactory()])
    assert count() == one
