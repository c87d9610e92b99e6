"""Hostile and odd cases for the reads of round five (an independent review's probes).

Reader-chosen query strings keep nothing; the windowed home read and both ways of reading
a hub equal the plain rule with ties, three section levels, Spanish stories, drafts and
stories scheduled a microsecond ahead; stored byline names survive loaddata (bylines before
their article, a wrong value in the fixture), bulk_update, a rolled-back rename, TRUNCATE.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from articles import cards, reads
from articles.models import Article, Author, Byline
from tests.articles.test_byline_names import stored, truth
from tests.articles.test_home_sections import _actual, _expected
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


# --- pagination pieces keyed by the raw query string ------------------------------------


def _kept_chars() -> int:
    total = 0
    for key, html in list(cards._drawn.items()):
        total += len(html)
        for part in key:
            if isinstance(part, tuple):
                total += sum(len(v) for _, v in part if isinstance(v, str))
    return total


def test_pagination_pieces_kept_per_process_do_not_grow_with_hostile_query_strings(
    client, settings
):
    settings.ARTICLES_PER_PAGE = 2
    mexico = CountryFactory(name="Mexico", slug="mexico")
    for _ in range(5):
        ArticleFactory(countries=[mexico])
    cards.forget()
    client.get("/country/mexico/?page=2")
    entries, chars = len(cards._drawn), _kept_chars()
    junk = "<" * 50_000
    for n in range(10):
        assert client.get(f"/country/mexico/?page=2&x{n}={junk}").status_code == 200
    grown_entries, grown_chars = len(cards._drawn) - entries, _kept_chars() - chars
    # What a process keeps does not depend on what a reader puts in the URL.
    assert grown_entries == 0 and grown_chars == 0


# --- home: the windowed read against the plain rule, adversarial mixes -------------------


@pytest.mark.parametrize("seed", range(6))
def test_home_windowed_read_matches_the_plain_rule_with_ties_deep_sections_and_spanish(seed):
    now = timezone.now().replace(microsecond=0)
    news = SectionFactory(name="News", slug="news", position=1)
    brief = SectionFactory(name="Brief", slug="brief", position=0, parent=news)
    flash = SectionFactory(name="Flash", slug="flash", position=0, parent=brief)
    organization = SectionFactory(name="The Organization", slug="the-organization")
    press = SectionFactory(name="Press", slug="press", parent=organization)
    other = SectionFactory(name="Other", slug="other", position=1)
    pool = [news, brief, flash, press, other, organization]
    rng = random.Random(seed)
    times = [now, now - dt.timedelta(minutes=1), now - dt.timedelta(minutes=2)]
    for _ in range(70):
        state = rng.choice(["public"] * 6 + ["draft", "scheduled"])
        ArticleFactory(
            section=rng.choice(pool),
            language=rng.choice(["en", "es"]),
            status="draft" if state == "draft" else "published",
            publish_at=now + dt.timedelta(microseconds=1)
            if state == "scheduled"
            else rng.choice(times),
        )
    assert _actual(now) == _expected(now)


# --- hubs: both ways of reading, every kind, ties, page 2 ---------------------------------


@pytest.mark.parametrize("kind", ["section", "country", "group", "topic", "author"])
@pytest.mark.parametrize("few", [True, False])
def test_hub_pages_with_ties_are_the_plain_rule_whichever_way_read(kind, few, monkeypatch):
    monkeypatch.setattr(reads, "FEW_STORIES", 10_000 if few else 0)
    parent = SectionFactory(name="News", slug="news")
    child = SectionFactory(name="Brief", slug="brief", parent=parent)
    grandchild = SectionFactory(name="Flash", slug="flash", parent=child)
    other = SectionFactory(name="Analysis", slug="analysis")
    country, group = CountryFactory(name="Honduras"), CriminalGroupFactory(name="MS13")
    topic, author = TopicFactory(name="extortion"), AuthorFactory(name="Ana")
    hubs = {"section": parent, "country": country, "group": group, "topic": topic}
    hubs["author"] = author
    now = timezone.now().replace(microsecond=0)
    rng = random.Random(kind)
    for n in range(26):
        tagged = n < 12 or rng.random() < 0.5
        state = "public" if n < 12 else rng.choice(["public", "draft", "scheduled"])
        ArticleFactory(
            section=rng.choice([parent, child, grandchild, other] if tagged else [other]),
            status="draft" if state == "draft" else "published",
            publish_at=now + dt.timedelta(microseconds=1)
            if state == "scheduled"
            else rng.choice([now, now - dt.timedelta(hours=1)]),
            countries=[country] if tagged else [],
            groups=[group] if tagged else [],
            topics=[topic] if tagged else [],
            authors=[author] if tagged else [AuthorFactory()],
        )
    _, stories = reads.hub(kind, hubs[kind].slug, now=now, per_page=5)
    expected = list(
        reads._hub_articles(kind, now, hubs[kind].pk).newest_first().values_list("pk", flat=True)
    )
    assert len(stories) == len(expected)
    shown = [c.pk for c in stories[0:5]] + [a.pk for a in stories[5:10]]
    assert shown == expected[:10]


# --- byline names: write paths the suite does not try -----------------------------------


def test_byline_names_after_loaddata_with_bylines_before_their_article(tmp_path):
    section = SectionFactory()
    ana, luis = AuthorFactory(name="Ana"), AuthorFactory(name="Luis")
    fixture = [
        {
            "model": "articles.byline",
            "pk": 9001,
            "fields": {"article": 9000, "author": luis.pk, "position": 1},
        },
        {
            "model": "articles.byline",
            "pk": 9002,
            "fields": {"article": 9000, "author": ana.pk, "position": 0},
        },
        {
            "model": "articles.article",
            "pk": 9000,
            "fields": {
                "title": "Loaded",
                "slug": "loaded",
                "section": section.pk,
                "status": "published",
                "publish_at": "2026-01-01T00:00:00Z",
                "language": "en",
                "byline_names": "WRONG",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            },
        },
    ]
    path = tmp_path / "f.json"
    path.write_text(json.dumps(fixture))
    call_command("loaddata", str(path), verbosity=0)
    article = Article.objects.get(pk=9000)
    assert stored(article) == truth(article) == "Ana, Luis"


def test_byline_names_after_bulk_update_rollback_and_truncate():
    ana, luis = AuthorFactory(name="Ana"), AuthorFactory(name="Luis")
    article = ArticleFactory(authors=[ana, luis])
    bylines = list(Byline.objects.filter(article=article).order_by("position"))
    bylines[0].position, bylines[1].position = 1, 0
    Byline.objects.bulk_update(bylines, ["position"])
    assert stored(article) == "Luis, Ana"
    try:
        with transaction.atomic():
            Author.objects.filter(pk=ana.pk).update(name="Ana R")
            assert stored(article) == "Luis, Ana R"
            raise RuntimeError
    except RuntimeError:
        pass
    assert stored(article) == "Luis, Ana"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
            cursor.execute("TRUNCATE articles_byline")
    else:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM articles_byline")
    assert stored(article) == "" == truth(article)
