"""Hostile input is never a 500, on any public URL pattern.

tests/test_security.py sweeps a few pages; this walks every public route of the URLconf
(tests/public_urls.py), in both languages, with the page cache on and off, and sends each
one junk in every query parameter any view reads, overlong and odd path values, every
HTTP method, and odd headers on the republication pixel. A 4xx is an answer; a 5xx is a
bug.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from articles.corrections import correction_add
from newsroom.pagecache import forget_local
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
)
from tests.public_urls import Route, public_routes

pytestmark = pytest.mark.django_db

# Every query parameter a public view or template reads (views, forms, pagination, the
# donate form's prefill, the thanks page, the vote confirmation, the donate call's campaign).
PARAMETERS = (
    "page",
    "q",
    "country",
    "group",
    "section",
    "language",
    "campaign",
    "source",
    "frequency",
    "currency",
    "amount",
    "custom_amount",
    "cover_fee",
    "cancelled",
    "session_id",
    "helpful",
    "token",
)
# Raw (already percent-encoded where it matters) values for those parameters.
JUNK = [
    "",
    "0",
    "-1",
    "1e999999",
    "99999999999999999999999999",
    "NaN",
    "x" * 10_000,
    "%ff%fe",  # not UTF-8
    "%ed%a0%80",  # an encoded lone surrogate
    "%c0%af",  # an overlong encoding
    "%f0%9f%92%a9" * 50,  # astral characters
    quote("'\"<script>alert(1)</script>"),
    quote("ñandú ☃ ١٢٣"),
    "%00",  # NUL: refused with a 400 before any view
    "%0d%0aSet-Cookie:%20x=1",
]
ODD_QUERIES = [
    "page=1&page=2&page=x",
    "q[]=x&page[]=1",
    "=x&&&=",
    "q",
    "%zz=%zz",
    "page=" + "9" * 400,
    "q=" + "a%20" * 3000,
]
METHODS = ("get", "head", "options", "post", "put", "patch", "delete", "trace")


@pytest.fixture(params=["page cache off", "page cache on"])
def page_cache(request, settings):
    settings.PAGE_CACHE = request.param == "page cache on"
    settings.FRONT_CACHE_PURGE_URLS = []
    cache.clear()
    forget_local()
    yield
    cache.clear()
    forget_local()


@pytest.fixture
def world() -> dict:
    section = SectionFactory(name="News", slug="news")
    country = CountryFactory(name="Mexico", slug="mexico")
    group = CriminalGroupFactory(name="Zetas", slug="zetas")
    author = AuthorFactory(name="Ana Lopez", slug="ana-lopez")
    tags = {"countries": [country], "groups": [group], "topics": ["ports"], "authors": [author]}
    english = ArticleFactory(slug="story-en", section=section, **tags)
    spanish = ArticleFactory(slug="story-es", section=section, language="es", **tags)
    ArticleFactory(slug="later", publish_at=timezone.now() + dt.timedelta(days=1))
    correction_add(article=english, kind="correction", text="A figure was wrong.")
    return {
        "section": "news",
        "country": "mexico",
        "group": "zetas",
        "topic": "ports",
        "author": "ana-lopez",
        "articles": [english, spanish],
    }


def _valid(route: Route, world: dict, parameter: str) -> str:
    if parameter == "slug":
        kind = route.name.split(":")[-1].split("_")[0]
        if kind in world and kind != "articles":
            return world[kind]
        return world["articles"][0 if route.language in (None, "en") else 1].slug
    if parameter == "section":  # sitemap-<section>.xml
        return "articles-en"
    if parameter in ("article_id", "pk"):
        return str(world["articles"][0].pk)
    return "x"


# Path values every converter may be given: the resolver's own patterns accept them.
ODD_PATH_VALUES = {
    "slug": ["a" * 300, "-", "_", "--x--", "9" * 30, "Story-EN"],
    "int": ["0", "9" * 30, "00000000001"],
    "str": ["x" * 2000, "%ff", "%ed%a0%80", "a.b.c", "%20", "ñ"],
    "path": ["x" * 2000, "a/b/../../c", "%ff"],
}


def _urls(world: dict) -> list[str]:
    urls = []
    for route in public_routes():
        values = {name: _valid(route, world, name) for _converter, name in route.parameters}
        urls.append(route.url(**values))
        for converter, name in route.parameters:
            for odd in ODD_PATH_VALUES.get(converter, []):
                urls.append(route.url(**{**values, name: odd}))
    return urls


def _assert_answered(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


def test_junk_in_every_query_parameter_of_every_public_url_is_never_a_500(world, page_cache):
    client = Client(raise_request_exception=False)
    urls = _urls(world)
    assert len(urls) > 100
    for url in urls:
        _assert_answered(client.get(url), url)
        for junk in JUNK:
            query = "&".join(f"{name}={junk}" for name in PARAMETERS)
            _assert_answered(client.get(f"{url}?{query}"), f"{url}?{query[:80]}")
        for query in ODD_QUERIES:
            _assert_answered(client.get(f"{url}?{query}"), f"{url}?{query[:80]}")


def test_every_method_on_every_public_url_is_never_a_500(world, page_cache):
    client = Client(raise_request_exception=False)
    for url in _urls(world):
        for method in METHODS:
            _assert_answered(getattr(client, method)(url), f"{method.upper()} {url}")


@pytest.mark.parametrize(
    "referer",
    [
        "",
        "not a url",
        "http://[::1",
        "http://%zz/",
        "http://example.org:99999/page",
        "https://ñandú.example/página?q=1#x",
        "http://" + "a" * 5000 + ".example/",
        "javascript:alert(1)",
        "http://user:pass@example.org/",
        "//example.org/relative",
    ],
)
def test_a_bad_referer_or_user_agent_on_the_pixel_is_never_a_500(world, referer):
    client = Client(raise_request_exception=False)
    for article_id in (world["articles"][0].pk, 0, 10**30):
        url = f"/republish/pixel/{article_id}.gif"
        response = client.get(url, HTTP_REFERER=referer, HTTP_USER_AGENT="x" * 5000)
        _assert_answered(response, f"{url} with Referer {referer[:40]!r}")
        assert response.status_code in (200, 404)


def test_odd_hosts_and_headers_are_never_a_500(world, settings):
    settings.PAGE_CACHE = True
    client = Client(raise_request_exception=False)
    for headers in (
        {"HTTP_HOST": "evil.example"},
        {"HTTP_HOST": "testserver:99999"},
        {"HTTP_HOST": "a" * 3000},
        {"HTTP_COOKIE": "sessionid=" + "x" * 5000},
        {"HTTP_COOKIE": "\x7f\x00=\x01"},
        {"HTTP_ACCEPT_LANGUAGE": "x" * 5000},
        {"HTTP_IF_MODIFIED_SINCE": "yesterday"},
        {"HTTP_IF_NONE_MATCH": '"' * 100},
        {"HTTP_X_FORWARDED_FOR": "not an ip"},
        {"HTTP_RANGE": "bytes=9999999-"},
    ):
        for url in ("/", "/es/", "/article/story-en/", "/feed/", "/sitemap.xml", "/search/?q=x"):
            _assert_answered(client.get(url, **headers), f"{url} {list(headers)}")


# --- the editors' side: every admin route, as a superuser --------------------------------

ADMIN_PARAMETERS = (
    "q",
    "p",
    "o",
    "e",
    "all",
    "state",
    "start",
    "end",
    "by",
    "min_votes",
    "export",
    "a",
    "b",
    "term",
    "app_label",
    "model_name",
    "field_name",
    "_changelist_filters",
    "publish_at__year",
    "publish_at__month",
    "status__exact",
    "section__id__exact",
    "language__exact",
)
ADMIN_JUNK = [
    "x" * 3000,
    "99999999999999999999999999",
    "-1",
    "%ff%fe",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    quote("'\"<>"),
]


def _admin_urls(world: dict) -> list[str]:
    """Every admin URL pattern with each placeholder given a real id and odd ones."""
    from django.urls import URLPattern, URLResolver, get_resolver

    article = world["articles"][0]
    valid = {
        "object_id": str(article.pk),
        "pk": str(article.pk),
        "article_id": str(article.pk),
        "target_id": str(world["articles"][1].pk),
        "revision_pk": "1",
        "site": "partner.example",
        "content_type_id": "1",
    }
    odd = ["9" * 30, "x", "%ff", "a" * 300]
    urls: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
                continue
            if not isinstance(pattern, URLPattern) or route.startswith("^"):
                continue  # regex patterns: the app index, reached by its links below
            names = re.findall(r"<(?:\w+:)?(\w+)>", route)
            fill = {name: valid.get(name, "1") for name in names}
            variants = [fill] + [{**fill, name: value} for name in names for value in odd]
            for values in variants:
                path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: v[m.group(1)], route)
                urls.append("/" + prefix + path)

    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "admin/":
            walk(pattern.url_patterns, "admin/")
    return sorted(set(urls))


def test_junk_on_every_admin_page_is_never_a_500(world, admin_user):
    editor = Client(raise_request_exception=False)
    editor.force_login(admin_user)
    urls = [url for url in _admin_urls(world) if "logout" not in url]
    assert len(urls) > 100
    for url in urls:
        _assert_answered(editor.get(url), url)
        for junk in ADMIN_JUNK:
            query = "&".join(f"{name}={junk}" for name in ADMIN_PARAMETERS)
            _assert_answered(editor.get(f"{url}?{query}"), f"{url}?{query[:60]}")
