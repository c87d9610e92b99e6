"""The article page reads its related block in one query, whatever the list holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from related.models import RelatedPin
from tests.factories import ArticleFactory, CountryFactory, CriminalGroupFactory
from tests.related.conftest import story

pytestmark = pytest.mark.django_db

# Used only while the public article template is not on this branch: it renders exactly what
# templates/includes/related.html reads from each item. The project's template wins when present.
FALLBACK = """{% for item in related %}<article><p>{{ item.primary_tag }}</p>
<time>{{ item.publish_at|date:"j M Y" }}</time><a href="{{ item.get_absolute_url }}">
{{ item.title }}</a><p>{{ item.excerpt }}</p></article>{% endfor %}"""


@pytest.fixture
def page_template(settings, tmp_path):
    folder = tmp_path / "templates" / "articles"
    folder.mkdir(parents=True)
    (folder / "detail.html").write_text(FALLBACK)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path / "templates"]}
    ]


def page_queries(client, article) -> tuple[int, int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    related = [q for q in queries.captured_queries if "related_relateditem" in q["sql"]]
    return len(queries), len(related), response.content.decode()


def test_article_page_query_count_is_the_same_with_an_empty_or_a_full_related_block(
    client, rebuild_all, page_template
):
    country = CountryFactory(name="Guatemala")
    group = CriminalGroupFactory(name="Zetas")
    lonely = ArticleFactory(**story("election"))
    busy = ArticleFactory(groups=[group], countries=[country], **story("port"))
    for _ in range(5):
        ArticleFactory(
            groups=[group], countries=[country], primary_group=group, **story("port")
        )
    for target in (ArticleFactory(primary_country=country, countries=[country]), lonely):
        RelatedPin.objects.create(article=busy, target=target, position=target.pk)
    rebuild_all()

    empty_total, empty_related, _ = page_queries(client, lonely)
    full_total, full_related, body = page_queries(client, busy)

    assert empty_related == full_related == 1
    assert full_total == empty_total
    assert body.count("<article>") == 3
    assert "Guatemala" in body and "Zetas" in body
