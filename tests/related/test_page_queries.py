"""The article page reads its related block in one query, whatever the list holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from related.models import RelatedPin
from tests.factories import ArticleFactory, CountryFactory, CriminalGroupFactory
from tests.related.conftest import story

pytestmark = pytest.mark.django_db


def page_queries(client, article) -> tuple[int, int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    related = [q for q in queries.captured_queries if "related_relateditem" in q["sql"]]
    return len(queries), len(related), response.content.decode()


def test_article_page_query_count_is_the_same_with_an_empty_or_a_full_related_block(
    client, rebuild_all
):
    country = CountryFactory(name="Guatemala")
    group = CriminalGroupFactory(name="Zetas")
    lonely = ArticleFactory(**story("election"))
    busy = ArticleFactory(groups=[group], countries=[country], **story("port"))
    for _ in range(5):
        ArticleFactory(groups=[group], countries=[country], primary_group=group, **story("port"))
    for target in (ArticleFactory(primary_country=country, countries=[country]), lonely):
        RelatedPin.objects.create(article=busy, target=target, position=target.pk)
    rebuild_all()

    empty_total, empty_related, _ = page_queries(client, lonely)
    full_total, full_related, body = page_queries(client, busy)

    assert empty_related == full_related == 1
    assert full_total == empty_total
    block = body[body.index('id="related-heading"') :]
    assert block.count('class="teaser"') == 3
    assert "Guatemala" in body and "Zetas" in body
