"""Hostile input is a 400 or an ignored filter, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from articles.models import ReaderComment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role="Editor", is_superuser=True))
    return client


@pytest.fixture
def anonymous() -> Client:
    return Client(raise_request_exception=False)


# --- NUL bytes: PostgreSQL text cannot store them ------------------------------------


def test_nul_byte_in_search_query_is_a_400_with_a_plain_message(anonymous):
    ArticleFactory()
    response = anonymous.get("/search/?q=port%00s")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/articles/article/?q=a%00b",
        "/admin/articles/article/?title__icontains=%00",
        "/admin/articles/readercomment/?status__exact=%00",
        "/admin/articles/article/?section__slug%00=x",
        "/admin/autocomplete/?term=%00&app_label=articles&model_name=article&field_name=countries",
    ],
)
def test_nul_byte_in_admin_filters_and_autocomplete_is_a_400(editor_client, url):
    assert editor_client.get(url).status_code == 400


def test_nul_byte_in_a_posted_comment_is_a_400_and_stores_nothing(anonymous):
    article = ArticleFactory()
    response = anonymous.post(
        f"/article/{article.slug}/comment/",
        {"name": "Rosa\x00", "email": "rosa@example.org", "message": "The port figures."},
    )
    assert response.status_code == 400
    assert not ReaderComment.objects.exists()


def test_nul_byte_in_the_path_is_a_400(anonymous):
    assert anonymous.get("/article/a%00b/").status_code == 400


# --- The admin's date hierarchy and date filters ----------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "publish_at__year=99999999999",
        "publish_at__year=0",
        "publish_at__year=-1",
        "publish_at__year=9999",  # "the next year" overflows datetime
        "publish_at__year=9999&publish_at__month=12",
        "publish_at__year=9999&publish_at__month=12&publish_at__day=31",
        "publish_at__year=2024&publish_at__month=13",
        "created_at__year=0",  # not the hierarchy: fails only when the query is compiled
        "created_at__year=99999999999999999999",
    ],
)
def test_impossible_admin_date_filters_are_ignored_not_a_500(editor_client, query):
    ArticleFactory()
    response = editor_client.get(f"/admin/articles/article/?{query}")
    assert response.status_code == 302
    assert response["Location"] == "/admin/articles/article/?e=1"


def test_impossible_date_filter_on_the_comments_inbox_is_ignored(editor_client):
    response = editor_client.get("/admin/articles/readercomment/?created_at__year=99999999999")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_every_registered_admin_gets_the_tolerant_changelist(editor_client):
    # The donations app's admins too, through the admin site, without a mixin of their own.
    response = editor_client.get("/admin/donations/donation/?created_at__year=99999999999")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_a_valid_date_hierarchy_year_still_filters(editor_client):
    ArticleFactory(title="In the year")
    response = editor_client.get("/admin/articles/article/?publish_at__year=2020")
    assert response.status_code == 200


# --- A sweep of hostile values over the public and admin pages ---------------------------

HOSTILE_VALUES = [
    "1e999999",
    "99999999999999999999",
    "-1",
    "x" * 5000,
    "%ff",
    "%c0%af",
    "%ed%a0%80",
    "NaN",
    "'\"<>",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_query_values_on_public_pages_are_never_a_500(anonymous, value):
    article = ArticleFactory()
    for url in ["/", "/search/", "/feed/", "/sitemap.xml", f"/article/{article.slug}/"]:
        for param in ("q", "page", "p"):
            response = anonymous.get(f"{url}?{param}={value}")
            assert response.status_code < 500, (url, param, value)


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_query_values_on_admin_lists_are_never_a_500(editor_client, value):
    ArticleFactory()
    for url in [
        "/admin/articles/article/",
        "/admin/articles/readercomment/",
        "/admin/articles/helpfulvote/",
        "/admin/autocomplete/",
    ]:
        for param in ("q", "p", "o", "publish_at__year", "created_at__year", "id__exact", "term"):
            response = editor_client.get(f"{url}?{param}={value}")
            assert response.status_code < 500, (url, param, value)


@pytest.mark.parametrize(
    "path",
    [
        "/preview/99999999999999999999/",
        "/admin/articles/article/99999999999999999999/change/",
        "/admin/articles/article/99999999999999999999/delete/",
        "/admin/r/99999999999999999999/1/",
    ],
)
def test_overflowing_ids_in_paths_are_not_a_500(editor_client, path):
    assert editor_client.get(path).status_code < 500
