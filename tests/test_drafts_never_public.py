"""Drafts, stories in review and scheduled stories are public nowhere: no page, list, count,
feed, sitemap, search result, related block, structured data, social tag, hreflang link,
language switch, republication page or feed, author page or corrections page shows them.

tests/articles/test_visibility.py checks a list of pages; this walks every public route of
the URLconf (tests/public_urls.py) in both languages with every object the route can take,
so a page added later is checked without anyone remembering to add it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from articles.corrections import correction_add
from articles.models import Article
from articles.sitemaps import SITEMAPS
from images.services import image_create
from related.rebuild import rebuild
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
)
from tests.images.conftest import upload
from tests.public_urls import public_routes
from tests.related.conftest import story

pytestmark = pytest.mark.django_db

# Every hidden story's title, slug, summary, picture and notes carry this mark; no public
# response may contain it (case-insensitive).
MARK = "zqxhidden"
HIDDEN_STATES = {
    "draft": {"status": Article.Status.DRAFT, "publish_at": None},
    "review": {"status": Article.Status.IN_REVIEW, "publish_at": None},
    "scheduled": {
        "status": Article.Status.PUBLISHED,
        "publish_at": timezone.now() + dt.timedelta(days=3),
    },
}

# The routes that belong to one story (named by their URL name).
ARTICLE_OWN_PAGES = {"detail", "page", "helpful", "helpful_more", "comment"}


@pytest.fixture
def world(django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        news = SectionFactory(name="News", slug="news")
        brief = SectionFactory(name="Brief", slug="brief", parent=news)
        tags = {
            "countries": [CountryFactory(name="Guatemala", slug="guatemala")],
            "groups": [CriminalGroupFactory(name="Zetas", slug="zetas")],
            "topics": [TopicFactory(name="ports", slug="ports")],
            "authors": [AuthorFactory(name="Ana Lopez", slug="ana-lopez")],
        }
        visible = {
            language: ArticleFactory(
                slug=f"visible-{language}",
                section=brief,
                language=language,
                publish_at=timezone.now() - dt.timedelta(hours=2),
                **story("port"),
                **tags,
            )
            for language in ("en", "es")
        }
        picture = image_create(
            file=upload(), alt_text=f"{MARK} picture", credit=f"Photo: {MARK}", may_republish=True
        )
        hidden = {}
        for state, fields in HIDDEN_STATES.items():
            for language in ("en", "es"):
                text = story("port")
                hidden[state, language] = ArticleFactory(
                    title=f"{MARK} {state} {text['title']}",
                    slug=f"{MARK}-{state}-{language}",
                    dek=f"{MARK} {text['dek']}",
                    body=text["body"],
                    section=brief,
                    language=language,
                    featured_image=picture,
                    primary_country=tags["countries"][0],
                    **fields,
                    **tags,
                )
                correction_add(
                    article=hidden[state, language], kind="correction", text=f"{MARK} note"
                )
        # The public stories' other-language versions are unpublished: never linked.
        visible["en"].translation = hidden["draft", "es"]
        visible["en"].save()
        hidden["scheduled", "en"].translation = visible["es"]
        hidden["scheduled", "en"].save()
        rebuild()  # related lists, which would pick the hidden stories: same words
    return {"visible": visible, "hidden": hidden, "tags": tags, "sections": [news, brief]}


def _values(world: dict, name: str, parameter: str) -> list[object]:
    """The values a route's placeholder can take in this world."""
    tags = world["tags"]
    if name.startswith("articles:") and parameter == "slug":
        kind = name.split(":")[1].split("_")[0]
        by_kind = {
            "section": [s.slug for s in world["sections"]],
            "country": [c.slug for c in tags["countries"]],
            "group": [g.slug for g in tags["groups"]],
            "topic": [t.slug for t in tags["topics"]],
            "author": [a.slug for a in tags["authors"]],
        }
        if kind in by_kind:
            return by_kind[kind]
    if parameter == "slug":  # an article's own pages
        return [a.slug for a in world["visible"].values()]
    if parameter == "section":
        return list(SITEMAPS)
    if parameter in ("article_id", "pk"):
        return [a.pk for a in world["visible"].values()]
    return ["x"]


def _public_urls(world: dict) -> list[str]:
    urls = []
    for route in public_routes():
        names = [name for _converter, name in route.parameters]
        combos = [{}]
        for name in names:
            combos = [
                {**combo, name: value}
                for combo in combos
                for value in _values(world, route.name, name)
            ]
        urls.extend(route.url(**combo) for combo in combos)
    # Pages of lists and searches: the words the hidden stories share with the public ones.
    extra = ["/search/?q=port", "/es/search/?q=port", f"/search/?q={MARK}"]
    extra += ["/search/?q=port&country=guatemala", "/es/search/?q=port&section=brief"]
    return urls + extra


def test_no_public_response_anywhere_shows_an_unpublished_story(world):
    reader = Client()
    checked = 0
    for url in _public_urls(world):
        response = reader.get(url)
        if response.status_code != 200 or response.streaming:
            continue
        body = response.content.decode(errors="replace")
        if "/search/" in url:  # the reader's own words, echoed in the title and the box
            body = re.sub(rf'(value="|: ){MARK}(?=["<\s])', "", body)
        leaks = sorted({match.lower() for match in re.findall(rf"{MARK}[\w-]*", body, re.I)})
        assert not leaks, f"{url} shows {leaks}"
        checked += 1
    assert checked > 40  # the walk really reached the pages


def test_unpublished_stories_own_addresses_are_404_in_both_schemes(world):
    reader = Client()
    for route in public_routes():
        if [name for _converter, name in route.parameters] != ["slug"]:
            continue
        if route.name.split(":")[-1] not in {
            "detail",
            "page",
            "helpful",
            "helpful_more",
            "comment",
        }:
            continue
        for article in world["hidden"].values():
            url = route.url(slug=article.slug)
            assert reader.get(url).status_code == 404, url


def test_hub_page_counts_count_public_stories_only(world, settings):
    """ "Page 1 of N": N pages that all hold a story (no count of hidden ones)."""
    settings.ARTICLES_PER_PAGE = 1
    reader = Client()
    tags = world["tags"]
    hubs = [*world["sections"], *(objs[0] for objs in tags.values())]
    for hub in hubs:
        for prefix in ("", "/es"):
            url = prefix + hub.get_absolute_url()
            html = reader.get(url).content.decode()
            pages = re.search(r"Page 1 of (\d+)|Página 1 de (\d+)", html)
            last = int(next(filter(None, pages.groups()))) if pages else 1
            end = reader.get(f"{url}?page={last}").content.decode()
            assert "visible-e" in end, f"{url}?page={last} is empty: the count includes hidden"


def test_a_topic_or_a_byline_known_only_from_unpublished_stories_is_public_nowhere(client):
    """A topic typed on a draft, or the byline of an embargoed piece, announces the story:
    no hub, feed or sitemap entry until a story under it is public."""
    reporter = AuthorFactory(name="Guest Reporter", slug="guest-reporter")
    at = timezone.now() + dt.timedelta(hours=5)
    scheduled = ArticleFactory(publish_at=at, topics=["Minister bribes"], authors=[reporter])
    ArticleFactory(
        status=Article.Status.DRAFT, publish_at=None, topics=["Minister bribes"], authors=[reporter]
    )
    ArticleFactory(topics=["ports"])  # a public story: its hubs stay
    hubs = ["/topic/minister-bribes/", "/author/guest-reporter/"]
    feeds = ["/author/guest-reporter/feed/", "/author/guest-reporter/feed/atom/"]
    for url in [*hubs, *feeds]:
        for prefix in ("", "/es"):
            assert client.get(prefix + url).status_code == 404, prefix + url
    sitemap = client.get("/sitemap-hubs.xml").content.decode()
    assert "minister-bribes" not in sitemap and "guest-reporter" not in sitemap
    assert "/topic/ports/" in sitemap
    assert client.get("/topic/ports/").status_code == 200

    with time_machine.travel(at + dt.timedelta(seconds=1), tick=False):
        for url in [*hubs, *feeds]:
            response = client.get(url)
            assert response.status_code == 200, url
        assert scheduled.title in client.get("/topic/minister-bribes/").content.decode()
        sitemap = client.get("/sitemap-hubs.xml").content.decode()
        assert "/topic/minister-bribes/" in sitemap and "/author/guest-reporter/" in sitemap


def test_search_counts_only_public_stories(world):
    """ "N results" counts the two public stories, not the six hidden ones with the same
    words, with or without filters, in both languages."""
    reader = Client()
    for url in (
        "/search/?q=precursors",
        "/es/search/?q=precursors",
        "/search/?q=precursors&country=guatemala&group=zetas&section=brief",
    ):
        html = reader.get(url).content.decode()
        count = re.search(r'class="result-count"[^>]*>\s*(\d+)', html)
        assert count is not None and count.group(1) == "2", url
