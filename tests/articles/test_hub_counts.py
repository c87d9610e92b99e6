"""Hub counts kept per page-cache generation (HUB_COUNT_CACHE) are never old ones.

"Page 1 of N" is the only part of a hub that is counted over the whole archive; each
worker keeps it until the generation moves (articles/reads.py). Every change that moves
a count is checked here with the page cache itself off, as the render benchmark runs.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from newsroom.pagecache import forget_local
from tests.factories import ArticleFactory, AuthorFactory, CountryFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def counts_kept(settings):
    settings.PAGE_CACHE = False
    settings.HUB_COUNT_CACHE = True
    settings.ARTICLES_PER_PAGE = 2
    cache.clear()
    forget_local()
    yield
    cache.clear()
    forget_local()


@pytest.fixture
def mexico(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        country = CountryFactory(name="Mexico", slug="mexico")
        for n in range(4):
            ArticleFactory(title=f"Story {n}", countries=[country])
    return country


def pages(client, url: str = "/country/mexico/") -> int:
    html = client.get(url).content.decode()
    found = re.search(r"Page 1 of (\d+)", html)
    return int(found.group(1)) if found else 1


def test_publishing_and_unpublishing_change_the_count_at_once(
    client, mexico, django_capture_on_commit_callbacks
):
    assert pages(client) == pages(client) == 2
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(title="Story 5", countries=[mexico])
    assert pages(client) == 3
    with django_capture_on_commit_callbacks(execute=True):
        story.status = Article.Status.DRAFT
        story.save()
    assert pages(client) == 2


def test_a_removed_tag_and_a_deleted_story_change_the_count_at_once(
    client, mexico, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(countries=[mexico])
    assert pages(client) == 3
    story = Article.objects.filter(countries=mexico).first()
    with django_capture_on_commit_callbacks(execute=True):
        story.countries.remove(mexico)
    assert pages(client) == 2
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(countries=[mexico])
    assert pages(client) == 3
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.filter(countries=mexico).first().delete()
    assert pages(client) == 2


def test_a_scheduled_story_counts_when_its_time_comes(
    client, mexico, django_capture_on_commit_callbacks
):
    at = timezone.now() + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(countries=[mexico], publish_at=at)
    assert pages(client) == 2
    with time_machine.travel(at + dt.timedelta(seconds=1), tick=False):
        assert pages(client) == 3


def test_sections_and_author_hubs_keep_their_counts_right(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        news = SectionFactory(name="News", slug="news")
        brief = SectionFactory(name="Brief", slug="brief", parent=news)
        ana = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
        for section in (news, brief, news):
            ArticleFactory(section=section, authors=[ana])
    assert pages(client, "/section/news/") == pages(client, "/author/ana-ruiz/") == 2
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            ArticleFactory(section=brief, authors=[ana])
    assert pages(client, "/section/news/") == pages(client, "/author/ana-ruiz/") == 3


def test_a_kept_count_saves_the_counting_but_not_a_query(client, mexico):
    url = "/country/mexico/"
    client.get(url)  # the first request also learns when the next scheduled story is due
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx.captured_queries) == 2
        assert not any("COUNT(" in query["sql"] for query in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, {"page": 2})
    assert len(ctx.captured_queries) == 2


def test_without_the_setting_every_request_counts(client, mexico, settings):
    settings.HUB_COUNT_CACHE = False
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            client.get("/country/mexico/")
        assert len(ctx.captured_queries) == 2
        assert any("COUNT(" in query["sql"] for query in ctx.captured_queries)
