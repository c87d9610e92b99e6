"""The article page's lean reads show exactly what the full reads showed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Byline
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def test_load_labels_reads_bylines_and_tags_in_one_query_in_the_prefetch_order():
    # Created out of alphabetical order, so an order by name would show up.
    countries = [CountryFactory(name=name) for name in ("Mexico", "Belize", "Honduras")]
    groups = [CriminalGroupFactory(name=name) for name in ("Zetas", "Barrio 18")]
    topics = [TopicFactory(name=name) for name in ("Prisons", "Extortion")]
    authors = [AuthorFactory(name=name) for name in ("Zoe", "Ana", "Luis")]
    article = ArticleFactory(countries=countries, groups=groups, topics=topics)
    for position, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, position=position)
    full = Article.objects.prefetch_related("countries", "groups", "topics", "bylines").get(
        pk=article.pk
    )
    lean = Article.objects.for_page().get(pk=article.pk)

    with CaptureQueriesContext(connection) as queries:
        lean.load_labels()
    assert len(queries) == 1

    def shown(objects):
        return [(o.pk, o.name, o.get_absolute_url()) for o in objects]

    assert shown(lean.ordered_authors) == shown(full.ordered_authors)
    assert [a.name for a in lean.ordered_authors] == ["Zoe", "Ana", "Luis"]
    assert shown(lean.country_tags) == shown(full.countries.all())
    assert shown(lean.group_tags) == shown(full.groups.all())
    assert shown(lean.topic_tags) == shown(full.topics.all())


def test_an_article_without_labels_has_empty_lists():
    article = Article.objects.for_page().get(pk=ArticleFactory().pk)
    article.load_labels()
    assert (article.ordered_authors, article.country_tags, article.topic_tags) == ([], [], [])


def test_article_urls_are_built_like_reverse():
    article = ArticleFactory(slug="a-slug_2")
    assert article.get_absolute_url() == reverse("articles:detail", kwargs={"slug": "a-slug_2"})


def test_the_translation_link_loads_only_what_it_shows():
    other = ArticleFactory(language="es", slug="en-espanol")
    article = ArticleFactory(translation=other)
    page = Article.objects.published().for_page().get(pk=article.pk)
    with CaptureQueriesContext(connection) as queries:
        translation = page.public_translation
        shown = (translation.language, translation.get_absolute_url(), translation.is_public)
    assert len(queries) == 0
    assert shown == ("es", "/article/en-espanol/", True)
