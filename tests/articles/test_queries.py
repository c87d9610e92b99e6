"""Pages cost a fixed number of queries, whatever the number of tags, authors or items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# The bounds the tests assert: raise them only with a reason.
ARTICLE_PAGE_QUERIES = 12
HUB_PAGE_QUERIES = 8


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _article(n_tags: int, n_authors: int, slug: str):
    section = SectionFactory(name="Brief", slug="brief", parent=SectionFactory(slug="news"))
    SectionFactory(name="The Organization", slug="the-organization")
    countries = [CountryFactory(slug=f"c{i}") for i in range(n_tags)]
    groups = [CriminalGroupFactory(slug=f"g{i}") for i in range(n_tags)]
    topics = [TopicFactory(slug=f"t{i}") for i in range(n_tags)]
    authors = [AuthorFactory() for _ in range(n_authors)]
    article = ArticleFactory(
        slug=slug,
        section=section,
        countries=countries,
        groups=groups,
        topics=topics,
        authors=authors,
        primary_country=countries[0],
    )
    for _ in range(3):
        ArticleFactory(
            section=section, groups=groups[:1], countries=countries[:1], authors=authors[:1]
        )
    return article


def test_article_page_query_count_is_constant(client):
    small = _article(n_tags=1, n_authors=1, slug="small")
    small_count = _count(client, small.get_absolute_url())
    large = _article(n_tags=12, n_authors=4, slug="large")
    large_count = _count(client, large.get_absolute_url())
    assert small_count == large_count
    assert large_count <= ARTICLE_PAGE_QUERIES


@pytest.mark.parametrize("kind", ["country", "group"])
def test_hub_page_query_count_is_constant(client, kind):
    section = SectionFactory(slug="brief")
    country = CountryFactory(slug="guatemala")
    group = CriminalGroupFactory(slug="zetas")
    tag_kwargs = {"countries": [country], "groups": [group]}
    ArticleFactory(section=section, authors=[AuthorFactory()], **tag_kwargs)
    url = f"/{kind}/{'guatemala' if kind == 'country' else 'zetas'}/"
    one = _count(client, url)
    for _ in range(11):
        ArticleFactory(
            section=section,
            authors=[AuthorFactory() for _ in range(4)],
            topics=[TopicFactory() for _ in range(3)],
            **tag_kwargs,
        )
    twelve = _count(client, url)
    assert one == twelve
    assert twelve <= HUB_PAGE_QUERIES


def test_home_page_query_count_is_constant(client):
    news = SectionFactory(slug="news")
    ArticleFactory(section=SectionFactory(slug="brief", parent=news), authors=[AuthorFactory()])
    one = _count(client, "/")
    for n in range(10):
        ArticleFactory(section=SectionFactory(slug=f"s{n}"), authors=[AuthorFactory()])
    assert _count(client, "/") == one
