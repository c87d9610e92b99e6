"""The article page's lean reads show exactly what the full reads showed."""

import datetime as dt
import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, Byline, url_with_slug
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
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


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "viewname", ["articles:detail", "articles:comment", "articles:helpful", "republish_pages:page"]
)
def test_links_with_a_slug_segment_are_built_like_reverse(viewname, language):
    # {% slug_url %} on the article page: patterns with text after the slug, both schemes.
    with translation.override(language):
        expected = reverse(viewname, kwargs={"slug": "a-slug_2"})
        assert url_with_slug(viewname, "a-slug_2") == expected
    assert url_with_slug(viewname, "a-slug_2", language) == expected


def test_the_translation_link_loads_only_what_it_shows():
    other = ArticleFactory(language="es", slug="en-espanol")
    article = ArticleFactory(translation=other)
    page = Article.objects.published().for_page().get(pk=article.pk)
    with CaptureQueriesContext(connection) as queries:
        translation = page.public_translation
        shown = (translation.language, translation.get_absolute_url(), translation.is_public)
    assert len(queries) == 0
    assert shown == ("es", "/es/article/en-espanol/", True)


def test_the_compiled_article_read_equals_the_orm_read():
    from django.utils import timezone

    from articles import reads
    from related.rebuild import rebuild
    from related.services import related_for_page

    news = SectionFactory(slug="news", name="News")
    brief = SectionFactory(slug="brief", name="Brief", parent=news)
    organization = SectionFactory(slug="the-organization", name="The Organization")
    group = CriminalGroupFactory(name="Zetas")
    country = CountryFactory(name="Honduras")
    article = ArticleFactory(section=brief, groups=[group], primary_group=group)
    for _ in range(4):
        ArticleFactory(section=brief, groups=[group], countries=[country], primary_country=country)
    ArticleFactory(section=brief, groups=[group], status="draft")
    for n in range(7):
        ArticleFactory(section=organization, language="es" if n == 3 else "en")
    rebuild()

    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        page = reads.published_article(article.slug, now=now)
        blocks = reads.article_blocks(page, now=now)
        lineage = [(s.name, s.get_absolute_url()) for s in page.section.lineage()]
        tag = page.primary_tag.name
    assert len(queries) == 2
    assert lineage == [("News", "/section/news/"), ("Brief", "/section/brief/")]
    assert tag == "Zetas"

    def card(item):
        tag = item.primary_tag
        return (
            item.pk,
            item.title,
            item.get_absolute_url(),
            item.excerpt(),
            item.publish_at,
            tag and (tag.name, tag.get_absolute_url()),
        )

    expected_related = related_for_page(article)
    assert [card(i) for i in blocks.extra["related"]] == [card(i) for i in expected_related]
    assert [(i.related_reason, i.related_pinned) for i in blocks.extra["related"]] == [
        (i.related_reason, i.related_pinned) for i in expected_related
    ]
    expected_organization = list(
        Article.objects.published().filter(section=organization, language="en").newest_first()[:5]
    )
    assert [card(i) for i in blocks.organization] == [card(i) for i in expected_organization]
    assert reads.published_article("no-such-slug", now=now) is None
    draft = ArticleFactory(status="draft")
    assert reads.published_article(draft.slug, now=now) is None


def test_compiled_queries_put_each_value_where_its_placeholder_was():
    import datetime as dt

    from django.utils import timezone

    from newsroom.compiled import CompiledQuery

    old = ArticleFactory(title="Old", publish_at=timezone.now() - dt.timedelta(days=2))
    ArticleFactory(title="New", publish_at=timezone.now() - dt.timedelta(hours=1))
    query = CompiledQuery(
        Article,
        lambda now, title: (
            Article.objects.published(at=now).filter(title=title).values_list("pk", "publish_at")
        ),
        now=dt.datetime,
        title=str,
    )
    yesterday = timezone.now() - dt.timedelta(days=1)
    assert query(now=yesterday, title="Old") == [(old.pk, old.publish_at)]
    assert query(now=yesterday, title="New") == []  # not public yet at that time
    assert query(now=timezone.now(), title="New")[0][1].tzinfo is not None  # SQLite too
    with pytest.raises(ValueError, match="unused"):
        CompiledQuery(Article, lambda unused: Article.objects.values_list("pk"), unused=int)(
            unused=1
        )


@pytest.mark.parametrize("enabled", [True, False])
def test_compiled_queries_are_prepared_statements_on_postgresql(settings, enabled):
    import datetime as dt

    from django.utils import timezone

    from newsroom.compiled import CompiledQuery

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL feature")
    settings.DATABASE_PREPARED_STATEMENTS = enabled
    article = ArticleFactory()
    # Columns no other query selects in this order: its own prepared statement, if any.
    query = CompiledQuery(
        Article,
        lambda now, pk: (
            Article.objects.published(at=now)
            .filter(pk=pk)
            .values_list("body_html", "licence", "pk")
        ),
        now=dt.datetime,
        pk=int,
    )

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ['%"body_html", "articles_article"."licence"%'],
            )
            return cursor.fetchone()[0]

    before = prepared()
    for _ in range(2):
        assert query(now=timezone.now(), pk=article.pk)[0][2] == article.pk
    assert prepared() == (1 if enabled else before)


def test_every_section_is_in_the_navigation(client):
    news = SectionFactory(name="News", slug="news")
    for slug, name, parent in (
        ("brief", "Brief", news),
        ("analysis", "Analysis", news),
        ("investigations", "Investigations", None),
        ("the-organization", "The Organization", None),
    ):
        SectionFactory(name=name, slug=slug, parent=parent)
    html = client.get("/").content.decode()
    nav = html[html.index('aria-label="Sections"') :].split("</nav>")[0]
    for slug in ("news", "brief", "analysis", "investigations", "the-organization"):
        assert f'href="/section/{slug}/"' in nav


def test_hubs_have_breadcrumbs_an_aside_and_search_counts_results(client):
    mexico = CountryFactory(name="Mexico", slug="mexico", description="A country profile.")
    topic = TopicFactory(name="money laundering", slug="money-laundering")
    ArticleFactory(title="Cartel money moves north", countries=[mexico], topics=[topic])
    ArticleFactory(title="Cartel money moves south", countries=[mexico])

    html = client.get("/country/mexico/").content.decode()
    crumbs = html[html.index('aria-label="Breadcrumb"') :].split("</nav>")[0]
    assert ">Home<" in crumbs and ">Country<" in crumbs and 'aria-current="page">Mexico<' in crumbs
    assert '<aside class="listing-aside"' in html and "A country profile." in html

    html = client.get("/topic/money-laundering/").content.decode()
    assert "<h1>money laundering</h1>" in html  # exactly as entered

    html = client.get("/search/", {"q": "cartel"}).content.decode()
    assert ">2 results<" in html  # the search page (H6) counts its results


def test_pages_link_a_print_stylesheet_favicon_and_web_manifest(client):
    html = client.get("/").content.decode()
    assert re.search(r'<link rel="stylesheet" href="[^"]*print[^"]*\.css" media="print">', html)
    assert re.search(r'<link rel="icon" href="[^"]*favicon[^"]*\.svg" type="image/svg\+xml">', html)
    assert re.search(r'<link rel="manifest" href="[^"]*site[^"]*\.webmanifest">', html)
    manifest = json.loads((settings.BASE_DIR / "static" / "site.webmanifest").read_text())
    for icon in manifest["icons"]:
        assert (settings.BASE_DIR / "static" / icon["src"]).is_file()


def test_cards_on_home_hubs_and_later_hub_pages_show_their_byline_in_order(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    mexico = CountryFactory(name="Mexico", slug="mexico")
    ana, luis = AuthorFactory(name="Ana Ruiz"), AuthorFactory(name="Luis Mora")
    ArticleFactory(title="An older story", countries=[mexico])
    for n in range(3):
        ArticleFactory(title=f"Card story {n}", countries=[mexico], authors=[luis, ana])
    ArticleFactory(title="Card without authors", countries=[mexico])
    # In byline order on every database, SQLite before 3.44 too (Article.byline_names).
    expected = {"by Luis Mora, Ana Ruiz"}

    def bylines(html: str) -> list[str]:
        cards = re.findall(r'<article class="teaser".*?</article>', html, re.S)
        return [m for card in cards for m in re.findall(r'<p class="by">(.*?)</p>', card)]

    home = bylines(client.get("/").content.decode())
    assert home and set(home) <= expected
    pages = [client.get("/country/mexico/", {"page": n}).content.decode() for n in (1, 2, 3)]
    shown = [byline for page in pages for byline in bylines(page)]
    # Three cards with two authors each, on the compiled first page and on the QuerySet
    # pages alike; the two cards without authors show no byline.
    assert len(shown) == 3 and set(shown) <= expected
    assert sum(len(re.findall(r'<article class="teaser"', page)) for page in pages) == 5


def test_a_long_compiled_query_is_parsed_once_per_process(client, monkeypatch, settings):
    from psycopg._queries import PostgresQuery

    from newsroom.compiled import _ParsedOnce

    if connection.vendor != "postgresql":
        pytest.skip("psycopg's parse of %s placeholders: PostgreSQL only")
    settings.DATABASE_PREPARED_STATEMENTS = True
    monkeypatch.setattr(_ParsedOnce, "_parsed", {})
    parsed: list[int] = []
    convert = PostgresQuery.convert

    def counting(self, query, params):
        parsed.append(len(query))
        return convert(self, query, params)

    monkeypatch.setattr(PostgresQuery, "convert", counting)
    article = ArticleFactory(section=SectionFactory(slug="news"))
    for _ in range(3):
        assert client.get(article.get_absolute_url()).status_code == 200
    # The article page's UNION ALL (over psycopg's own 4 KB cache limit): parsed on the first
    # request only; the same text and the same parameters' places every time after.
    assert [n for n in parsed if n > 4096] == [max(parsed)]


def test_compiled_reads_run_on_one_plan_per_connection(client):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL feature")
    section = SectionFactory(slug="news")
    for n in range(3):
        ArticleFactory(title=f"Story {n}", section=section)
    for _ in range(8):  # PostgreSQL weighs re-planning after five runs
        assert client.get("/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
        cursor.execute(
            "SELECT sum(generic_plans), sum(custom_plans) FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['%"byline_names"%'],
        )
        generic, custom = cursor.fetchone()
    # The home page's latest stories: planned once, never again for each request's time.
    assert generic >= 8 and custom == 0


def test_the_home_lead_shows_its_byline_in_order_and_the_organization_block(client):
    SectionFactory(name="The Organization", slug="the-organization")
    ArticleFactory(
        title="About our newsroom",
        section=SectionFactory(slug="the-organization"),
        publish_at=timezone.now() - dt.timedelta(days=3),
    )
    ArticleFactory(title="An older story", publish_at=timezone.now() - dt.timedelta(days=2))
    lead = ArticleFactory(title="The lead story")
    zoe, ana, luis = (AuthorFactory(name=name) for name in ("Zoe & Co", "Ana", "Luis"))
    # Written out of order: the byline follows the positions.
    for author, position in ((luis, 2), (zoe, 0), (ana, 1)):
        Byline.objects.create(article=lead, author=author, position=position)
    html = client.get("/").content.decode()
    byline = re.search(r'<section class="lead-story".*?<p class="by">(.*?)</p>', html, re.S)
    assert byline.group(1) == "by Zoe &amp; Co, Ana, Luis"
    organization = html.split('<section class="organization"')[1]
    assert "About our newsroom" in organization and "The lead story" not in organization


def test_constant_text_of_a_compiled_query_is_a_literal_and_values_stay_parameters(settings):
    from newsroom.compiled import CompiledQuery

    if connection.vendor != "postgresql":
        pytest.skip("generic plans and literals written by psycopg: PostgreSQL only")
    settings.DATABASE_PREPARED_STATEMENTS = True
    odd = "100% o'clock \\ news"
    story = ArticleFactory(title=odd)
    ArticleFactory(title="Another story")
    query = CompiledQuery(
        Article,
        lambda slug: (
            Article.objects.published().filter(title=odd, slug=slug).values_list("pk", "title")
        ),
        slug=str,
    )
    assert query(slug=story.slug) == [(story.pk, odd)]
    assert query(slug="no-such-story") == []
    compiled = query._compiled(connection.alias)
    assert "'published'" in compiled.sql and "100%% o''clock" in compiled.sql
    # Left as parameters: the caller's slug and the (non-text) time of published().
    assert [name for _, name in compiled.slots] == ["slug"]
    assert all(
        not isinstance(p, str) for i, p in enumerate(compiled.params) if i != compiled.slots[0][0]
    )
