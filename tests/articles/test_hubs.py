"""The five hubs (section, country, group, topic, author) are one view with one read."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from articles import views
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
)

KINDS = ["section", "country", "group", "topic", "author"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_hub_url_is_served_by_the_one_hub_view(kind):
    match = resolve(reverse(f"articles:{kind}", args=["any-slug"]))
    assert match.func.__wrapped__ is views.hub.__wrapped__
    assert match.kwargs == {"slug": "any-slug", "kind": kind}


@pytest.mark.django_db
def test_each_hub_lists_its_published_stories_under_its_name(client):
    section = SectionFactory(name="Investigations")
    country, group = CountryFactory(name="Honduras"), CriminalGroupFactory(name="MS13")
    topic, author = TopicFactory(name="extortion"), AuthorFactory(name="Ana Pérez")
    story = ArticleFactory(
        title="Bus drivers pay the war tax",
        section=section,
        countries=[country],
        groups=[group],
        topics=[topic],
        authors=[author],
    )
    hidden = ArticleFactory(
        title="A draft about the same",
        status="draft",
        publish_at=None,
        section=section,
        countries=[country],
        groups=[group],
        topics=[topic],
        authors=[author],
    )
    for obj in (section, country, group, topic, author):
        page = client.get(obj.get_absolute_url()).content.decode()
        assert obj.name in page and story.title in page and hidden.title not in page


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("few", [True, False], ids=["read-from-the-hub", "walk-newest"])
def test_a_hubs_first_page_is_the_same_whichever_way_it_is_read(kind, few, monkeypatch):
    """reads.FEW_STORIES picks how the first page is read (the hub's own list of stories,
    or the public ones newest first); either way it is the plain rule's first page."""
    import datetime as dt
    import random

    from django.utils import timezone

    from articles import reads
    from articles.models import Article

    monkeypatch.setattr(reads, "FEW_STORIES", 10_000 if few else 0)
    parent = SectionFactory(name="News", slug="news")
    child = SectionFactory(name="Brief", slug="brief", parent=parent)
    other = SectionFactory(name="Analysis", slug="analysis")
    country, group = CountryFactory(name="Honduras"), CriminalGroupFactory(name="MS13")
    topic, author = TopicFactory(name="extortion"), AuthorFactory(name="Ana Pérez")
    hubs = {"section": parent, "country": country, "group": group, "topic": topic}
    hubs["author"] = author
    rng = random.Random(kind)
    now = timezone.now()
    for n in range(30):
        # The first eight on the hub and public (more than a page), the rest at random.
        tagged = n < 8 or rng.random() < 0.6
        state = "public" if n < 8 else rng.choice(["public", "public", "draft", "scheduled"])
        ArticleFactory(
            section=rng.choice([parent, child, other] if tagged else [other]),
            status="draft" if state == "draft" else "published",
            publish_at=now + dt.timedelta(hours=1 + n)
            if state == "scheduled"
            else now - dt.timedelta(minutes=rng.randrange(1, 9000)),
            countries=[country] if tagged else [],
            groups=[group] if tagged else [],
            topics=[topic] if tagged else [],
            authors=[author] if tagged else [AuthorFactory()],
        )
    hub = hubs[kind]
    found = reads.hub(kind, hub.slug, now=now, per_page=5)
    assert found is not None
    _, stories = found
    expected = list(
        reads._hub_articles(kind, now, hub.pk).newest_first().values_list("pk", flat=True)
    )
    assert len(stories) == len(expected) > 5
    assert [card.pk for card in stories[0:5]] == expected[:5]
    assert Article.objects.filter(pk__in=expected).count() == len(expected)


@pytest.mark.django_db
def test_the_few_stories_read_has_its_covering_index_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("INCLUDE indexes are PostgreSQL's (migration 0014)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_id_visibility_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "(id) INCLUDE (status, publish_at)" in definition
