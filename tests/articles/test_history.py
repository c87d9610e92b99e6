"""Editorial history: a revision per save, diffs, restore as a draft, optimistic locking."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles import history
from articles.models import Article, ArticleConflict, Byline, Revision
from tests.articles.test_admin_roles import ADD_URL, change_url, form_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    SectionFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return SectionFactory(name="Brief", slug="brief")


def editor_client(name: str) -> tuple[Client, object]:
    user = UserFactory(role="Editor", username=name)
    client = Client()
    client.force_login(user)
    return client, user


def loaded_version(client: Client, article: Article) -> int:
    page = client.get(change_url(article)).content.decode()
    return int(re.search(r'name="loaded_version" value="(\d+)"', page).group(1))


def test_every_admin_save_keeps_a_revision_with_who_and_what_changed(section):
    client, ana = editor_client("ana")
    mexico, honduras = CountryFactory(name="Mexico"), CountryFactory(name="Honduras")
    author = AuthorFactory(name="Rosa")
    # Topics are picked from the list (type-ahead), like countries and groups.
    topics = [TopicFactory(name="prisons").pk, TopicFactory(name="extortion").pk]
    data = form_data(
        section,
        countries=[mexico.pk],
        topics=topics,
        **{
            "bylines-TOTAL_FORMS": "1",
            "bylines-0-author": author.pk,
            "bylines-0-position": "0",
        },
    )
    assert client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get()
    first = article.revisions.get()
    assert (first.version, first.user) == (1, ana)
    assert first.data["countries"] == [[mexico.pk, "Mexico"]]
    assert first.data["authors"] == [[author.pk, "Rosa"]]
    assert set(first.data["topics"][i][1] for i in range(2)) == {"prisons", "extortion"}

    edit = form_data(
        section,
        title="Prison break exposes gang rule",
        countries=[mexico.pk, honduras.pk],
        topics=topics,
        loaded_version=1,
        **{
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "1",
            "bylines-0-id": Byline.objects.get().pk,
            "bylines-0-article": article.pk,
            "bylines-0-author": author.pk,
            "bylines-0-position": "0",
        },
    )
    response = client.post(change_url(article), edit)
    assert response.status_code == 302, response.content.decode()[:3000]
    second = article.revisions.get(version=2)
    assert second.changed == ["title", "countries"]
    assert second.user == ana

    history_page = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    html = history_page.content.decode()
    assert "Title, Countries" in html and "ana" in html


def test_a_script_save_is_recorded_after_the_commit(django_capture_on_commit_callbacks):
    article = ArticleFactory(title="Old title")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "New title"
        article.save()
    revision = Revision.objects.get(article=article, version=2)
    assert revision.user is None and revision.data["title"] == "New title"


def test_the_diff_of_two_revisions_is_escaped_and_lists_tag_changes(section):
    client, _ = editor_client("ana")
    mexico, honduras = CountryFactory(name="Mexico"), CountryFactory(name="Honduras")
    article = ArticleFactory(
        title="Ports", body="<p>The port moved 10 tonnes.</p>", countries=[mexico]
    )
    history.revision_record(article=article)
    article.title = "Ports <script>alert(1)</script>"
    article.body = "<p>The port moved 12 tonnes.</p>"
    article.save()
    article.countries.set([honduras])
    history.revision_record(article=article)

    url = reverse("admin:articles_article_revisions_compare", args=[article.pk])
    html = client.get(url, {"a": 1, "b": 2}).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in html
    assert "<del>10</del><ins>12</ins>" in html
    assert "Added: <ins>Honduras</ins>" in html and "Removed: <del>Mexico</del>" in html


def test_restoring_on_a_draft_brings_the_content_back_as_its_next_version(section):
    client, ana = editor_client("ana")
    mexico = CountryFactory(name="Mexico")
    article = ArticleFactory(status="draft", publish_at=None, title="First", countries=[mexico])
    old = history.revision_record(article=article)
    article.title = "Second"
    article.status = Article.Status.IN_REVIEW
    article.save()
    article.countries.clear()
    history.revision_record(article=article)

    url = reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk])
    assert client.get(url).status_code == 405  # only a POST restores
    response = client.post(url)

    assert response["Location"] == change_url(article)
    article.refresh_from_db()
    assert (article.title, article.status, article.version) == ("First", "draft", 3)
    assert list(article.countries.all()) == [mexico]
    latest = article.revisions.get(version=3)
    assert latest.note == "Restored version 1" and latest.user == ana


def test_restoring_on_a_published_article_never_touches_it_and_makes_a_draft_copy(section):
    client, _ = editor_client("ana")
    article = ArticleFactory(title="First", slug="ports")
    old = history.revision_record(article=article)
    article.title = "Second, as published"
    article.save()
    history.revision_record(article=article)

    client.post(reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk]))

    article.refresh_from_db()
    assert (article.title, article.status, article.version) == (
        "Second, as published",
        "published",
        2,
    )
    copy = Article.objects.exclude(pk=article.pk).get()
    assert (copy.title, copy.status, copy.publish_at) == ("First", "draft", None)
    assert copy.slug == "ports-draft" and not copy.is_public
    assert copy.revisions.get().note.startswith(f"Draft copy of article {article.pk}")


def test_writers_cannot_restore(section):
    article = ArticleFactory(status="draft", publish_at=None)
    revision = history.revision_record(article=article)
    writer = Client()
    writer.force_login(UserFactory(role="Writer"))
    url = reverse("admin:articles_article_revision_restore", args=[article.pk, revision.pk])
    assert writer.post(url).status_code == 403


# --- optimistic locking ----------------------------------------------------------------


def test_the_second_of_two_editors_is_refused_and_shown_what_changed(section):
    article = ArticleFactory(section=section, status="draft", publish_at=None, title="Original")
    history.revision_record(article=article)
    ana, _ = editor_client("ana")
    luis, _ = editor_client("luis")
    ana_version, luis_version = loaded_version(ana, article), loaded_version(luis, article)
    assert ana_version == luis_version == 1

    first = ana.post(
        change_url(article), form_data(section, title="Ana's headline", loaded_version=ana_version)
    )
    assert first.status_code == 302
    second = luis.post(
        change_url(article),
        form_data(
            section, title="Luis's headline", dek="Luis's summary", loaded_version=luis_version
        ),
    )

    assert second.status_code == 200
    html = second.content.decode()
    assert "Someone else saved this article (version 2) after you opened it (version 1)" in html
    assert "<ins>Ana&#x27;s headline</ins>" in html or "<ins>Ana&#39;s headline</ins>" in html
    article.refresh_from_db()
    assert (article.title, article.version) == ("Ana's headline", 2)  # nothing overwritten
    assert article.revisions.count() == 2


def test_a_stale_copy_saved_by_a_script_is_refused():
    article = ArticleFactory(title="Original")
    stale = Article.objects.get(pk=article.pk)
    article.title = "First writer"
    article.save()
    stale.title = "Second writer"
    with pytest.raises(ArticleConflict):
        stale.save()
    assert stale.version == 1
    assert Article.objects.get(pk=article.pk).title == "First writer"


@pytest.mark.parametrize("action", ["publish_now", "unpublish"])
def test_the_admin_publish_actions_record_a_revision_naming_the_editor(section, action):
    client, bea = editor_client("bea")
    status = Article.Status.DRAFT if action == "publish_now" else Article.Status.PUBLISHED
    article = ArticleFactory(section=section, status=status)
    before = article.revisions.count()
    response = client.post(
        "/admin/articles/article/", {"action": action, "_selected_action": [article.pk]}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    latest = article.revisions.order_by("-version").first()
    assert article.revisions.count() == before + 1
    assert (latest.version, latest.user) == (article.version, bea)
    assert "status" in latest.changed
