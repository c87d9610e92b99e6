"""Pages cost a fixed number of queries, whatever the number of tags, authors or items."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from related.rebuild import rebuild as rebuild_related
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# Exact budgets: a change that adds a query must say why here.
# With the page cache or a front cache on, a public page that is stored also asks when the
# next scheduled article goes public (newsroom/pagecache.py), which bounds its lifetime;
# these budgets are for both off (the tests' default), tests/test_page_cache.py for on.
# Article: article with section/primary tag/translation; then bylines, tags, related items
# and the organization block in one UNION ALL (articles/reads.py).
ARTICLE_PAGE_QUERIES = 2
# Hub: the tag with its article count (one query), the page of teasers (cards show no byline).
HUB_PAGE_QUERIES = 2
# Home: the latest stories and the organization block in one UNION ALL (the lead's byline
# is its row's byline names, like every card's).
HOME_PAGE_QUERIES = 1


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
    rebuild_related()  # related lists are precomputed: the page shows 3 related items
    return article


def test_article_page_query_count_is_constant(client):
    small = _article(n_tags=1, n_authors=1, slug="small")
    small_count = _count(client, small.get_absolute_url())
    large = _article(n_tags=12, n_authors=4, slug="large")
    large_count = _count(client, large.get_absolute_url())
    assert small_count == large_count == ARTICLE_PAGE_QUERIES


@pytest.mark.parametrize(
    "url",
    ["/country/guatemala/", "/group/zetas/", "/topic/prisons/", "/author/ana/", "/section/brief/"],
)
def test_hub_page_query_count_is_constant(client, url):
    section = SectionFactory(slug="brief")
    tag_kwargs = {
        "countries": [CountryFactory(slug="guatemala")],
        "groups": [CriminalGroupFactory(slug="zetas")],
        "topics": [TopicFactory(slug="prisons")],
    }
    ana = AuthorFactory(slug="ana")
    ArticleFactory(section=section, authors=[ana], **tag_kwargs)
    one = _count(client, url)
    for _ in range(11):
        ArticleFactory(
            section=section, authors=[ana, *(AuthorFactory() for _ in range(3))], **tag_kwargs
        )
    twelve = _count(client, url)
    assert one == twelve == HUB_PAGE_QUERIES
    # Later pages read through the QuerySet instead of the compiled first page: same count.
    for _ in range(settings.ARTICLES_PER_PAGE):
        ArticleFactory(section=section, authors=[ana], **tag_kwargs)
    assert _count(client, f"{url}?page=2") == HUB_PAGE_QUERIES


def test_home_page_query_count_is_constant(client):
    news = SectionFactory(slug="news")
    ArticleFactory(section=SectionFactory(slug="brief", parent=news), authors=[AuthorFactory()])
    one = _count(client, "/")
    for n in range(10):
        ArticleFactory(section=SectionFactory(slug=f"s{n}"), authors=[AuthorFactory()])
    assert _count(client, "/") == one == HOME_PAGE_QUERIES
