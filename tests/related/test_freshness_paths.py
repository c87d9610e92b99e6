"""Every path that changes what readers see leaves exactly the stored lists a rebuild would.

Each test starts from a rebuilt corpus (the benchmark generator: story threads, decoys that
share a thread's group and topic, a very common country, drafts inside threads), changes one
article through one path (the admin's action and change form, the service from a script,
the management command, the import, the scheduled time arriving, unpublishing, deleting),
runs the after-commit work on the immediate backend, and then compares every stored list of
a published or scheduled article with what a full rebuild stores from the same rows: the
same items in the same order, pins included, with the same scores (to the stored 6 decimals).

The rebuild compared with is a plain ``manage.py rebuild_related``: every index row and
every list recomputed from scratch against the statistics snapshot (document frequencies,
N, posting lengths), which no publish moves (related/services.py, "The statistics
snapshot"). A refit (``rebuild_related --refit``, nightly, or when the corpus has drifted 5%
from the snapshot) moves every weight at once; these corpora stay far from that drift, and
each comparison checks that neither the path nor the rebuild moved the snapshot.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import services
from articles.models import Article
from benchmarks import _bench
from benchmarks.corpus import generate
from related.models import RelatedItem, TermStat
from related.rebuild import rebuild
from related.tasks import refresh_related_at_publish
from tests.factories import UserFactory
from tests.test_tasks import run_worker

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:articles_article_changelist"


Line = tuple[int, bool, float]  # target, pinned, score


def stored_lists() -> dict[int, list[Line]]:
    """Every published or scheduled article's stored list, in rank order."""
    visible = Article.objects.published() | Article.objects.scheduled()
    lists: dict[int, list[Line]] = {pk: [] for pk in visible.values_list("pk", flat=True)}
    rows = RelatedItem.objects.filter(article_id__in=list(lists)).order_by("article_id", "rank")
    for article_id, *line in rows.values_list("article_id", "target_id", "pinned", "score"):
        lists[article_id].append(tuple(line))
    return lists


def snapshot() -> dict[str, int]:
    return dict(TermStat.objects.values_list("term", "df"))


_rebuilt_with: dict[str, dict[str, int]] = {}


def rebuilt_corpus() -> dict:
    """~300 articles in story threads, rebuilt (refit); returns spec key -> (spec, id)."""
    spec = generate(300, seed=11, n_countries=6, body_words=120)
    ids = _bench.load(spec)
    rebuild()
    _rebuilt_with["statistics"] = snapshot()
    return {s.key: (s, ids[s.key]) for s in spec.articles}


def differences_from_a_rebuild(changed: int) -> dict[int, tuple[list, list]]:
    """Lists that differ in any way from a full rebuild's: article -> (stored now, rebuilt).

    The statistics snapshot must be the one the corpus was rebuilt with: a refit during the
    path would make every list equal to a rebuild for free.
    """
    assert snapshot() == _rebuilt_with["statistics"], "the statistics snapshot moved"
    before = stored_lists()
    # The command an operator runs, as it is: it refits only a missing or drifted snapshot.
    call_command("rebuild_related", "--no-progress", stdout=io.StringIO())
    assert snapshot() == _rebuilt_with["statistics"], "the rebuild refit the snapshot"
    after = stored_lists()
    differences = {}
    for pk in set(before) | set(after):
        stored, rebuilt = before.get(pk, []), after.get(pk, [])
        same = [(t, p) for t, p, _ in stored] == [(t, p) for t, p, _ in rebuilt] and all(
            abs(a[2] - b[2]) <= 1e-6 for a, b in zip(stored, rebuilt, strict=True)
        )
        if not same:
            differences[pk] = (stored, rebuilt)
    return differences


def lists_showing(article: Article) -> set[int]:
    return set(RelatedItem.objects.filter(target=article).values_list("article_id", flat=True))


@pytest.fixture
def corpus():
    return rebuilt_corpus()


def unpublished_thread_article(corpus) -> Article:
    """A draft or in-review story inside a thread whose siblings are published."""
    for spec, pk in corpus.values():
        if spec.thread is not None and spec.status != "published":
            siblings = [
                s for s, _ in corpus.values() if s.thread == spec.thread and s.status == "published"
            ]
            if len(siblings) >= 3:
                return Article.objects.get(pk=pk)
    raise AssertionError("the corpus has no unpublished article inside a thread")


def published_thread_article(corpus) -> Article:
    for spec, pk in corpus.values():
        if spec.thread is not None and spec.status == "published":
            article = Article.objects.get(pk=pk)
            if article.is_public and lists_showing(article):
                return article
    raise AssertionError("the corpus has no published thread article shown anywhere")


def editor_request():
    request = RequestFactory().post("/")
    request.user = UserFactory(role="Editor")
    return request


def test_publishing_in_the_admin_leaves_the_lists_a_rebuild_would(
    client, corpus, django_capture_on_commit_callbacks
):
    article = unpublished_thread_article(corpus)
    client.force_login(UserFactory(role="Editor"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST), {"action": "publish_now", "_selected_action": [article.pk]}
        )

    assert response.status_code == 302
    assert lists_showing(article), "the published story entered no list at all"
    assert differences_from_a_rebuild(article.pk) == {}


def test_an_edit_in_the_admin_that_moves_a_story_to_another_thread_leaves_the_lists_a_rebuild_would(
    corpus, django_capture_on_commit_callbacks
):
    article = published_thread_article(corpus)
    thread = next(spec.thread for spec, pk in corpus.values() if pk == article.pk)
    other = next(
        Article.objects.get(pk=pk)
        for spec, pk in corpus.values()
        if spec.thread not in (None, thread) and spec.status == "published"
    )
    showing_before = lists_showing(article)
    article.title, article.dek, article.body = other.title, other.dek, other.body
    article.slug = f"{article.slug}-renamed"  # a slug change on the way
    article.primary_country, article.primary_group = other.primary_country, other.primary_group

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # As the change form does: the article, then its tags (save_related), one transaction.
        admin.site.get_model_admin(Article).save_model(
            editor_request(), article, form=None, change=True
        )
        for field in ("countries", "groups", "topics"):
            getattr(article, field).set(getattr(other, field).all())

    assert lists_showing(article) != showing_before
    assert differences_from_a_rebuild(article.pk) == {}


def test_publishing_through_the_service_from_a_script_leaves_the_lists_a_rebuild_would(
    corpus, django_capture_on_commit_callbacks
):
    article = unpublished_thread_article(corpus)

    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(article=article)

    assert lists_showing(article)
    assert differences_from_a_rebuild(article.pk) == {}


def test_publishing_with_the_management_command_leaves_the_lists_a_rebuild_would(
    corpus, django_capture_on_commit_callbacks
):
    article = unpublished_thread_article(corpus)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_article", article.slug, stdout=io.StringIO())

    article.refresh_from_db()
    assert article.is_public and lists_showing(article)
    assert differences_from_a_rebuild(article.pk) == {}


def test_an_imported_published_article_leaves_the_lists_a_rebuild_would(
    corpus, tmp_path, django_capture_on_commit_callbacks
):
    # A new article about an existing thread, as a wire import would bring it.
    model = published_thread_article(corpus)
    item = {
        "slug": "imported-follow-up",
        "title": model.title,
        "dek": model.dek,
        "body": model.body,
        "language": model.language,
        "section": model.section.slug,
        "status": "published",
        "publish_at": (model.publish_at + dt.timedelta(days=2)).isoformat(),
        "countries": [tag.name for tag in model.countries.all()],
        "groups": [tag.name for tag in model.groups.all()],
        "topics": [tag.name for tag in model.topics.all()],
    }
    path = tmp_path / "wire.json"
    path.write_text(json.dumps([item]))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_articles", str(path), stdout=io.StringIO())

    imported = Article.objects.get(slug="imported-follow-up")
    assert imported.is_public and lists_showing(imported)
    assert differences_from_a_rebuild(imported.pk) == {}


def test_a_scheduled_article_reaching_its_time_leaves_the_lists_a_rebuild_would(
    corpus, time_machine, django_capture_on_commit_callbacks
):
    article = unpublished_thread_article(corpus)
    at = (timezone.now() + dt.timedelta(hours=3)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_schedule(article=article, at=at)
    assert differences_from_a_rebuild(article.pk) == {}

    time_machine.move_to(at + dt.timedelta(minutes=1))
    # What the worker runs at that time (the immediate backend cannot defer it).
    assert refresh_related_at_publish.call(article.pk, at.isoformat()) is not None

    assert lists_showing(article)
    assert differences_from_a_rebuild(article.pk) == {}


def test_unpublishing_in_the_admin_leaves_the_lists_a_rebuild_would(
    client, corpus, django_capture_on_commit_callbacks
):
    article = published_thread_article(corpus)
    client.force_login(UserFactory(role="Editor"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [article.pk]})

    assert not RelatedItem.objects.filter(target=article, pinned=False).exists()
    assert differences_from_a_rebuild(article.pk) == {}


def test_deleting_in_the_admin_leaves_the_lists_a_rebuild_would(
    corpus, django_capture_on_commit_callbacks
):
    article = published_thread_article(corpus)
    showing = lists_showing(article)

    with django_capture_on_commit_callbacks(execute=True):
        admin.site.get_model_admin(Article).delete_model(editor_request(), article)

    assert not Article.objects.filter(pk=article.pk).exists()
    assert all(RelatedItem.objects.filter(article_id=pk).count() >= 3 for pk in showing)
    assert differences_from_a_rebuild(article.pk) == {}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker process opens the test database by name: PostgreSQL only",
)
@pytest.mark.django_db(transaction=True)
def test_a_publish_refreshed_by_a_real_worker_process_leaves_the_lists_a_rebuild_would(
    settings, tmp_path
):
    corpus = rebuilt_corpus()
    article = unpublished_thread_article(corpus)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    services.article_publish(article=article)  # committed at once: the task is queued

    [queued] = DBTaskResult.objects.all()
    assert (queued.task_path, queued.status) == ("related.tasks.refresh_related", "READY")
    assert not lists_showing(article)

    run_worker(tmp_path)

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert lists_showing(article)
    assert differences_from_a_rebuild(article.pk) == {}
