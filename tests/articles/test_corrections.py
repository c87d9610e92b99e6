"""Corrections and updates: on the article page (same query budget), in the admin inline,
on the public corrections page, and as the article's modified date."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.corrections import correction_add
from articles.models import Article, Correction
from tests.articles.test_admin_roles import change_url, form_data
from tests.articles.test_queries import ARTICLE_PAGE_QUERIES
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.test_page_cache import warm

pytestmark = pytest.mark.django_db


EARLIER = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC)


def test_notes_show_on_the_article_page_newest_first_within_the_query_budget(client):
    article = ArticleFactory(title="Ports")
    correction_add(
        article=article, kind="correction", text="The port is in Manzanillo.", noted_at=EARLIER
    )
    correction_add(
        article=article, kind="update", text="Prosecutors <b>charged</b> two more.", noted_at=LATER
    )

    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())

    assert len(queries) == ARTICLE_PAGE_QUERIES  # the notes ride in the blocks' UNION ALL
    html = response.content.decode()
    update = html.index("<strong>Update:</strong>")
    correction = html.index("<strong>Correction:</strong>")
    assert update < correction < html.index('class="attribution"')
    assert "Prosecutors &lt;b&gt;charged&lt;/b&gt; two more." in html  # plain text, escaped
    assert '<time datetime="2026-03-05T09:00:00+00:00">5 Mar 2026</time>' in html


def test_a_note_sets_the_modified_date_used_by_structured_data_and_feeds():
    article = ArticleFactory()
    assert article.modified_at is None and article.date_modified == article.publish_at
    correction_add(article=article, kind="update", text="New figures.", noted_at=LATER)
    correction_add(article=article, kind="correction", text="Name fixed.", noted_at=EARLIER)
    article.refresh_from_db()
    assert article.modified_at == LATER and article.date_modified == LATER


def test_editors_add_notes_inline_in_the_article_admin():
    section = SectionFactory(slug="brief")
    article = ArticleFactory(section=section, status="draft", publish_at=None)
    editor = UserFactory(role="Editor")
    client = Client()
    client.force_login(editor)
    assert "corrections and updates (shown on the article page)" in (
        client.get(change_url(article)).content.decode().lower()
    )
    data = form_data(
        section,
        **{
            "corrections-TOTAL_FORMS": "1",
            "corrections-INITIAL_FORMS": "0",
            "corrections-0-kind": "correction",
            "corrections-0-noted_at_0": "2026-03-05",
            "corrections-0-noted_at_1": "09:00:00",
            "corrections-0-text": "An earlier version named the wrong prison.",
        },
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    note = Correction.objects.get()
    assert (note.article, note.created_by, note.kind) == (article, editor, "correction")
    article.refresh_from_db()
    assert article.modified_at == note.noted_at == LATER


def test_the_corrections_page_lists_published_stories_in_its_language_only(client):
    live = ArticleFactory(title="Live story")
    draft = ArticleFactory(title="Draft story", status="draft", publish_at=None)
    scheduled = ArticleFactory(
        title="Future story", publish_at=timezone.now() + dt.timedelta(days=1)
    )
    spanish = ArticleFactory(title="Historia", language="es")
    for article in (live, draft, scheduled, spanish):
        correction_add(article=article, kind="correction", text=f"Fix on {article.title}.")

    html = client.get(reverse("articles:corrections")).content.decode()

    assert "Fix on Live story." in html and live.get_absolute_url() in html
    for hidden in ("Draft story", "Future story", "Historia"):
        assert hidden not in html


def test_the_corrections_page_is_paginated(client):
    article = ArticleFactory()
    for n in range(30):
        correction_add(
            article=article,
            kind="update",
            text=f"Update number {n}.",
            noted_at=EARLIER + dt.timedelta(hours=n),
        )
    first = client.get(reverse("articles:corrections")).content.decode()
    second = client.get(reverse("articles:corrections"), {"page": 2}).content.decode()
    assert "Update number 29." in first and "Update number 4." not in first
    assert "Update number 4." in second and "Page 2 of 2" in second


def test_adding_a_note_retires_the_cached_article_page(
    page_cache_on, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory()
    reader = Client()
    warm(reader, [article.get_absolute_url(), reverse("articles:corrections")])
    with django_capture_on_commit_callbacks(execute=True):
        correction_add(article=article, kind="correction", text="The date was wrong.")
    assert "The date was wrong." in reader.get(article.get_absolute_url()).content.decode()
    assert "The date was wrong." in reader.get(reverse("articles:corrections")).content.decode()


def test_a_note_does_not_move_the_lock_version():
    article = ArticleFactory()
    correction_add(article=article, kind="update", text="More.")
    assert Article.objects.get(pk=article.pk).version == 1
