"""Reader search: what it finds, what it never shows, how it ranks, filters and pages.

Runs on PostgreSQL (full-text search) and on SQLite (the documented fallback); tests that
depend on stemming, accent folding or ranking by weight are PostgreSQL-only and say so.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.search import Filters, search
from tests.factories import (
    ArticleFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="full-text search runs on PostgreSQL"
)


def _slugs(query: str, **filters) -> list[str]:
    results = search(query, Filters(**filters))
    return [hit.slug for hit in results[0 : results.count()]]


def _page(client, **params):
    response = client.get(reverse("articles:search"), params)
    assert response.status_code == 200
    return response


def test_finds_a_word_in_title_summary_or_body():
    ArticleFactory(slug="in-title", title="Extortion in the markets", dek="", body="<p>x</p>")
    ArticleFactory(slug="in-dek", title="Markets", dek="A wave of extortion", body="<p>x</p>")
    ArticleFactory(slug="in-body", title="Markets", dek="", body="<p>Extortion grows</p>")
    ArticleFactory(slug="elsewhere", title="Ports", dek="", body="<p>Cocaine</p>")
    assert set(_slugs("extortion")) == {"in-title", "in-dek", "in-body"}


def test_drafts_scheduled_and_in_review_articles_never_appear(client):
    ArticleFactory(slug="public", title="Extortion ring dismantled")
    ArticleFactory(slug="draft", title="Extortion draft", status=Article.Status.DRAFT)
    ArticleFactory(slug="review", title="Extortion review", status=Article.Status.IN_REVIEW)
    ArticleFactory(
        slug="scheduled",
        title="Extortion scheduled",
        publish_at=timezone.now() + dt.timedelta(hours=2),
    )
    assert _slugs("extortion") == ["public"]
    html = _page(client, q="extortion").content.decode()
    assert "/article/public/" in html
    for hidden in ("draft", "review", "scheduled"):
        assert f"/article/{hidden}/" not in html


def test_an_edit_is_searchable_at_once():
    article = ArticleFactory(slug="edited", title="Port seizure", dek="", body="<p>x</p>")
    assert _slugs("fentanyl") == []
    article.body = "<p>The shipment held fentanyl precursors.</p>"
    article.save()
    assert _slugs("fentanyl") == ["edited"]
    # A queryset update (no save()) is searchable too: the database keeps the column.
    Article.objects.filter(pk=article.pk).update(title="Methamphetamine lab found")
    assert _slugs("methamphetamine") == ["edited"]


def test_unpublishing_removes_an_article_from_results():
    article = ArticleFactory(slug="gone", title="Kidnapping case")
    assert _slugs("kidnapping") == ["gone"]
    article.status = Article.Status.DRAFT
    article.save()
    assert _slugs("kidnapping") == []


@postgresql_only
def test_search_is_accent_insensitive_both_ways():
    ArticleFactory(slug="mx", title="Extorsión en México", language="es", dek="", body="")
    ArticleFactory(slug="en-mx", title="Mexico's ports", dek="", body="")
    assert set(_slugs("mexico")) == {"mx", "en-mx"}
    assert set(_slugs("méxico")) == {"mx", "en-mx"}
    assert _slugs("extorsion") == ["mx"]


@postgresql_only
def test_words_are_stemmed_in_the_article_language():
    ArticleFactory(slug="en", title="Cartels fight over routes", dek="", body="")
    ArticleFactory(slug="es", title="Los cárteles pelean", language="es", dek="", body="")
    assert set(_slugs("cartel")) == {"en", "es"}
    assert _slugs("cartel", language="es") == ["es"]
    assert _slugs("cartel", language="en") == ["en"]


@postgresql_only
def test_title_matches_rank_above_summary_above_body():
    ArticleFactory(slug="body", title="Report", dek="", body="<p>Smuggling tunnels found</p>")
    ArticleFactory(slug="title", title="Smuggling tunnels", dek="", body="<p>Report</p>")
    ArticleFactory(slug="dek", title="Report", dek="Smuggling tunnels", body="<p>x</p>")
    assert _slugs("smuggling tunnels") == ["title", "dek", "body"]


@postgresql_only  # the SQLite fallback is a substring match on the stored HTML
def test_body_markup_is_not_searchable_only_its_text():
    ArticleFactory(
        slug="linked",
        title="Report",
        dek="",
        body='<p>See <a href="https://example.org/zetas-report">the source</a></p>',
    )
    assert _slugs("zetas") == []
    assert _slugs("source") == ["linked"]


def test_filters_by_country_group_section_language_and_year():
    mexico, guatemala = CountryFactory(slug="mexico"), CountryFactory(slug="guatemala")
    zetas = CriminalGroupFactory(slug="zetas")
    news = SectionFactory(slug="news")
    brief = SectionFactory(slug="brief", parent=news)
    investigations = SectionFactory(slug="investigations")
    last_year = timezone.now().replace(month=6, day=1) - dt.timedelta(days=365)
    ArticleFactory(slug="a", title="Prison riot", countries=[mexico], groups=[zetas], section=brief)
    ArticleFactory(slug="b", title="Prison riot", countries=[guatemala], section=investigations)
    ArticleFactory(slug="c", title="Prison riot", language="es", section=news)
    ArticleFactory(slug="d", title="Prison riot", publish_at=last_year, section=news)
    assert _slugs("prison", country="mexico") == ["a"]
    assert _slugs("prison", group="zetas") == ["a"]
    assert set(_slugs("prison", section="news")) == {"a", "c", "d"}  # with its children
    assert _slugs("prison", language="es") == ["c"]
    assert _slugs("prison", year=last_year.year) == ["d"]
    assert set(_slugs("prison", year=timezone.now().year)) <= {"a", "b", "c"}


def test_tag_filters_follow_every_change_to_tags_and_their_slugs():
    # On PostgreSQL the filters read lexemes that triggers keep in the search vector: each
    # way a tag can change must reach them, not only the factory's first set().
    mexico, guatemala = CountryFactory(slug="mexico"), CountryFactory(slug="guatemala")
    zetas = CriminalGroupFactory(slug="zetas")
    article = ArticleFactory(slug="riot", title="Prison riot")
    assert _slugs("prison", country="mexico") == []

    article.countries.add(mexico)
    article.groups.add(zetas)
    assert _slugs("prison", country="mexico", group="zetas") == ["riot"]

    article.title = "Prison riot spreads"  # the text trigger rebuilds the vector
    article.save()
    assert _slugs("prison", country="mexico", group="zetas") == ["riot"]

    article.countries.set([guatemala])
    assert _slugs("prison", country="mexico") == []
    assert _slugs("prison", country="guatemala") == ["riot"]

    guatemala.slug = "guatemala-republic"
    guatemala.save()
    assert _slugs("prison", country="guatemala") == []
    assert _slugs("prison", country="guatemala-republic") == ["riot"]

    zetas.delete()
    assert _slugs("prison", group="zetas") == []
    assert _slugs("prison") == ["riot"]


def test_filter_values_no_tag_can_have_match_nothing():
    ArticleFactory(slug="riot", title="Prison riot", countries=[CountryFactory(slug="mexico")])
    assert _slugs("prison", country="mexico' | 'x") == []
    assert _slugs("prison", country="nowhere") == []


@postgresql_only
def test_readers_words_never_match_the_tag_lexemes():
    # The tag lexemes ("#country:mexico") hold characters the text parser never keeps, so
    # a reader typing the words finds only stories that contain them.
    ArticleFactory(slug="tagged", title="Prison riot", countries=[CountryFactory(slug="mexico")])
    assert _slugs("country mexico") == []
    assert _slugs("#country:mexico") == []
    assert _slugs('"country:mexico"') == []


def test_results_page_shows_count_highlights_and_pages(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    for n in range(3):
        ArticleFactory(slug=f"raid-{n}", title=f"Raid number {n}", dek="Police raid a warehouse")
    html = _page(client, q="raid").content.decode()
    assert "3 results" in html
    assert "<mark>" in html
    assert "Page 1 of 2" in html
    assert 'href="?q=raid&amp;page=2"' in html
    second = _page(client, q="raid", page=2).content.decode()
    assert len(re.findall(r'class="search-title"', second)) == 1
    assert "Page 2 of 2" in _page(client, q="raid", page=9).content.decode()
    assert "Page 1 of 2" in _page(client, q="raid", page="x").content.decode()


def test_snippet_carries_typed_markup_as_text_only_our_marks_are_elements(client):
    ArticleFactory(
        slug="hostile",
        title="Ambush",
        dek="An ambush &lt;img src=x onerror=alert(1)&gt; near the border",
        body="<p>Ambush <script>alert(2)</script> report</p>",
    )
    html = _page(client, q="ambush").content.decode()
    snippet = re.search(r'<p class="excerpt snippet">(.*?)</p>', html, re.S).group(1)
    assert re.findall(r"<(\w+)", snippet) == ["mark"] * snippet.count("<mark>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in snippet


def test_a_hostile_query_is_shown_as_text(client):
    html = _page(client, q="<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_bad_filter_values_are_dropped_not_an_error(client):
    ArticleFactory(slug="kept", title="Money laundering")
    html = _page(client, q="laundering", year="nineteen", language="xx", country="nowhere")
    assert "/article/kept/" in html.content.decode()


def test_an_empty_or_punctuation_query_shows_the_form():
    assert search("").count() == 0
    assert search("!!! ???").count() == 0


def test_search_page_query_count_is_constant(client, settings):
    settings.ARTICLES_PER_PAGE = 5
    section = SectionFactory(slug="news")
    country = CountryFactory(slug="honduras")
    ArticleFactory(title="Gang truce", section=section, countries=[country])

    def count(**params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            _page(client, **params)
        return len(ctx.captured_queries)

    one = count(q="truce")
    for n in range(12):
        ArticleFactory(title=f"Gang truce {n}", section=section, countries=[country])
        CountryFactory(slug=f"country-x{n}")
    many = count(q="truce", country="honduras", page=2)
    # The filter choices (one UNION); the page of results with snippets and the count.
    assert one == many == 2


@postgresql_only
def test_a_very_common_word_returns_the_newest_matches_ranked_and_says_there_are_more(
    client, monkeypatch
):
    monkeypatch.setattr("articles.search.MAX_RESULTS", 3)
    now = timezone.now()
    for n in range(5):
        ArticleFactory(
            slug=f"old-{n}" if n < 2 else f"new-{n}",
            title="Police report" if n == 2 else "Report",
            dek="",
            body="<p>The police said so.</p>",
            publish_at=now - dt.timedelta(days=10 - n),
        )
    results = search("police")
    assert results.count() == 3 and results.capped
    # The newest three, the title match first.
    assert [hit.slug for hit in results[0:3]] == ["new-2", "new-4", "new-3"]
    assert "More than 3 results" in _page(client, q="police").content.decode()
