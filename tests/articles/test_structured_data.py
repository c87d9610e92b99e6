"""JSON-LD, Open Graph / Twitter cards and canonical URLs: every block parses, carries the
properties search engines require, and no headline can break out of its <script>."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

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

HOSTILE = 'Port <b>bust</b> </script><script>alert("x")</script> & <!-- more'
NEWS_ARTICLE_REQUIRED = {
    "@context",
    "@type",
    "headline",
    "description",
    "datePublished",
    "dateModified",
    "author",
    "publisher",
    "inLanguage",
    "isAccessibleForFree",
    "license",
    "articleSection",
    "keywords",
    "mainEntityOfPage",
}


class Head(HTMLParser):
    """The <meta>, <link> and JSON-LD <script> elements of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs.get("content", ""))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data

    def canonicals(self) -> list[str]:
        return [link["href"] for link in self.links if link.get("rel") == "canonical"]


def _head(client, url: str) -> Head:
    response = client.get(url)
    assert response.status_code == 200, url
    head = Head()
    head.feed(response.content.decode())
    return head


@pytest.fixture
def article(picture):
    return ArticleFactory(
        slug="port-bust",
        title=HOSTILE,
        section=SectionFactory(slug="news", name="News"),
        countries=[CountryFactory(slug="mexico", name="Mexico")],
        groups=[CriminalGroupFactory(slug="zetas", name="Zetas")],
        topics=[TopicFactory(slug="ports", name="ports")],
        authors=[AuthorFactory(slug="ana", name="Ana Ruiz")],
        featured_image=picture,
    )


def test_article_page_has_one_news_article_with_every_required_property(client, article):
    head = _head(client, article.get_absolute_url())
    (block,) = head.json_ld
    data = json.loads(block)
    assert set(data) >= NEWS_ARTICLE_REQUIRED
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == HOSTILE
    assert data["mainEntityOfPage"]["@id"] == "http://testserver/article/port-bust/"
    assert data["author"] == [
        {"@type": "Person", "name": "Ana Ruiz", "url": "http://testserver/author/ana/"}
    ]
    assert data["publisher"]["name"] == "Newsroom"
    assert data["publisher"]["logo"]["url"].startswith("http://testserver/static/")
    assert data["inLanguage"] == "en"
    assert data["isAccessibleForFree"] is True
    assert data["license"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert data["articleSection"] == "News"
    assert data["keywords"] == ["Mexico", "Zetas", "ports"]
    assert data["image"][0]["url"] == largest_full_rendition_url(article.featured_image)
    assert data["image"][0]["width"] > 0 and data["image"][0]["height"] > 0
    assert data["datePublished"] == article.publish_at.isoformat()


def test_a_hostile_headline_cannot_leave_the_json_ld_script(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block.replace("\\u0026", "")
    assert json.loads(block)["headline"] == HOSTILE
    assert "<script>alert" not in html


def test_article_without_image_or_author_still_has_valid_structured_data(client):
    bare = ArticleFactory(slug="bare", featured_image=None)
    data = json.loads(_head(client, bare.get_absolute_url()).json_ld[0])
    assert "image" not in data
    assert data["author"][0]["@type"] == "Organization"


def test_home_has_organization_and_website_with_a_search_action(client, article):
    (block,) = _head(client, reverse("articles:home")).json_ld
    graph = {node["@type"]: node for node in json.loads(block)["@graph"]}
    assert graph["NewsMediaOrganization"]["name"] == "Newsroom"
    assert graph["NewsMediaOrganization"]["logo"]["url"].startswith("http://testserver/")
    action = graph["WebSite"]["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == (
        f"http://testserver{reverse('articles:search')}?q={{search_term_string}}"
    )
    assert action["query-input"] == "required name=search_term_string"


def test_article_has_open_graph_and_twitter_card_tags(client, article):
    meta = _head(client, article.get_absolute_url()).meta
    assert meta["og:type"] == ["article"]
    assert meta["og:title"] == [HOSTILE]
    assert meta["og:url"] == ["http://testserver/article/port-bust/"]
    assert meta["og:description"] == [article.excerpt()]
    assert meta["og:locale"] == ["en_US"]
    assert meta["og:image"] == [largest_full_rendition_url(article.featured_image)]
    assert meta["og:image:alt"] == ["Containers at the port"]
    assert meta["twitter:card"] == ["summary_large_image"]
    assert meta["article:tag"] == ["Mexico", "Zetas"]


def test_preview_carries_no_structured_data(admin_client, article):
    head = _head(admin_client, reverse("articles:preview", args=[article.pk]))
    assert head.json_ld == []
    assert head.meta["robots"] == ["noindex, nofollow"]


def test_every_public_page_has_exactly_one_canonical_url(client, article, settings):
    settings.ARTICLES_PER_PAGE = 1
    ArticleFactory(section=article.section, countries=article.countries.all())
    expected = {
        reverse("articles:home"): "http://testserver/",
        article.get_absolute_url() + "?utm_source=x": "http://testserver/article/port-bust/",
        "/section/news/": "http://testserver/section/news/",
        "/section/news/?page=2": "http://testserver/section/news/?page=2",
        "/section/news/?page=1&utm_medium=y": "http://testserver/section/news/",
        "/country/mexico/?page=99": "http://testserver/country/mexico/?page=2",
        "/group/zetas/": "http://testserver/group/zetas/",
        "/topic/ports/": "http://testserver/topic/ports/",
        "/author/ana/": "http://testserver/author/ana/",
        "/search/?q=port&country=mexico&page=1": "http://testserver/search/",
        reverse("donations:donate"): f"http://testserver{reverse('donations:donate')}",
    }
    for url, canonical in expected.items():
        head = _head(client, url)
        assert head.canonicals() == [canonical], url
        assert head.meta.get("og:url", [canonical]) == [canonical], url
