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
