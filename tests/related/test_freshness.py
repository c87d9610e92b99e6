"""Lists follow publishing, unpublishing, edits and deletions, through the editors' paths."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from related.models import RelatedItem
from related.services import related_for_page
from tests.factories import ArticleFactory, CountryFactory, CriminalGroupFactory, UserFactory
from tests.related.conftest import story

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:articles_article_changelist"


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(role="Editor"))
    return client


@pytest.fixture
def corpus(rebuild_all):
    """An older story with a full list of weak suggestions, and a strongly related draft."""
    mexico = CountryFactory(name="Mexico")
    zetas = CriminalGroupFactory(name="Zetas")
    month_ago = timezone.now() - dt.timedelta(days=30)
    old = ArticleFactory(groups=[zetas], countries=[mexico], publish_at=month_ago, **story("port"))
    weak = [
        ArticleFactory(countries=[mexico], publish_at=month_ago, **story(name))
        for name in ("cattle", "prison", "mining", "election") * 2
    ]
    new = ArticleFactory(
        groups=[zetas],
        countries=[mexico],
        status=Article.Status.DRAFT,
        publish_at=None,
        **story("port"),
    )
    rebuild_all()
    return {"old": old, "weak": weak, "new": new}


def shown_anywhere(article: Article) -> bool:
    return RelatedItem.objects.filter(target=article).exists()


def test_publishing_a_strongly_related_article_puts_it_in_an_older_articles_list(
    editor_client, corpus, django_capture_on_commit_callbacks
):
    old, new = corpus["old"], corpus["new"]
    assert not shown_anywhere(new)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse(CHANGELIST), {"action": "publish_now", "_selected_action": [new.pk]}
        )
    assert response.status_code == 302

    assert related_for_page(old)[0].pk == new.pk
    assert related_for_page(new)[0].pk == old.pk


def test_unpublishing_removes_the_article_from_every_list_and_refills_them(
    editor_client, corpus, django_capture_on_commit_callbacks
):
    old, new = corpus["old"], corpus["new"]
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse(CHANGELIST), {"action": "publish_now", "_selected_action": [new.pk]}
        )
    assert shown_anywhere(new)
    length = RelatedItem.objects.filter(article=old).count()

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [new.pk]}
        )

    assert not shown_anywhere(new)
    assert new.pk not in [a.pk for a in related_for_page(old)]
    assert RelatedItem.objects.filter(article=old).count() == length


def test_deleting_an_article_removes_it_and_refills_the_lists_that_showed_it(
    editor_client, corpus, django_capture_on_commit_callbacks
):
    old = corpus["old"]
    victim = related_for_page(old)[0]
    showing = set(RelatedItem.objects.filter(target=victim).values_list("article_id", flat=True))
    length = RelatedItem.objects.filter(article=old).count()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_article_delete", args=[victim.pk]), {"post": "yes"}
        )
    assert response.status_code == 302

    assert not RelatedItem.objects.filter(target_id=victim.pk).exists()
    assert old.pk in showing
    assert RelatedItem.objects.filter(article=old).count() == length


def test_bulk_deletion_refreshes_the_lists_that_showed_the_deleted_articles(
    editor_client, corpus, django_capture_on_commit_callbacks
):
    old = corpus["old"]
    victims = [a.pk for a in related_for_page(old)[:2]]
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse(CHANGELIST),
            {"action": "delete_selected", "_selected_action": victims, "post": "yes"},
        )
    assert not Article.objects.filter(pk__in=victims).exists()
    assert not RelatedItem.objects.filter(target_id__in=victims).exists()
    assert RelatedItem.objects.filter(article=old).count() >= 3


def test_saving_in_the_admin_refreshes_the_article_and_the_lists_it_enters(
    corpus, django_capture_on_commit_callbacks
):
    old, new = corpus["old"], corpus["new"]
    request = RequestFactory().post("/")
    request.user = UserFactory(role="Editor")
    model_admin = admin.site._registry[Article]
    new.status = Article.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        model_admin.save_model(request, new, form=None, change=True)
    assert related_for_page(old)[0].pk == new.pk


def test_a_failed_refresh_does_not_break_the_editors_save(
    corpus, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from related import services

    def broken(article_id: int):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(services, "related_refresh", broken)
    request = RequestFactory().post("/")
    request.user = UserFactory(role="Editor")
    new = corpus["new"]
    new.status = Article.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Article].save_model(request, new, form=None, change=True)
    assert Article.objects.get(pk=new.pk).status == Article.Status.PUBLISHED
    assert "index unavailable" in caplog.text


def statistics() -> tuple[dict, dict]:
    from related.models import FeatureCount, TermStat

    return (
        dict(TermStat.objects.values_list("term", "df")),
        {(k, lang): n for k, lang, n in FeatureCount.objects.values_list("key", "language", "n")},
    )


def exact_statistics() -> tuple[dict, dict]:
    """What a refit computes from the corpus now: N and posting lengths."""
    from django.db.models import Count

    from related.models import RelatedFeature

    candidates = Article.objects.published() | Article.objects.scheduled()
    lengths = {
        (row["key"], row["language"]): row["n"]
        for row in RelatedFeature.objects.values("key", "language").annotate(n=Count("pk"))
    }
    return candidates.count(), lengths


def test_publishing_and_unpublishing_leave_the_statistics_snapshot_as_it_was(
    editor_client, corpus, django_capture_on_commit_callbacks, monkeypatch
):
    from related import services
    from related.models import RelatedFeature

    monkeypatch.setattr(services, "REFIT_DRIFT", 10.0)  # this small corpus would refit
    new = corpus["new"]
    snapshot = statistics()
    for action, indexed in (("publish_now", True), ("unpublish", False), ("publish_now", True)):
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(
                reverse(CHANGELIST), {"action": action, "_selected_action": [new.pk]}
            )
        assert RelatedFeature.objects.filter(article=new).exists() == indexed, action
        assert statistics() == snapshot, action


def test_a_corpus_that_outgrows_the_snapshot_gets_it_refit_exactly(
    editor_client, corpus, django_capture_on_commit_callbacks
):
    from related.models import TermStat
    from related.tasks import refit_related

    new = corpus["new"]
    n_before = TermStat.objects.get(term=TermStat.DOCS).df
    # 9 articles in the snapshot, a 10th published: more than REFIT_DRIFT (5%) apart.
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse(CHANGELIST), {"action": "publish_now", "_selected_action": [new.pk]}
        )

    n_docs, lengths = exact_statistics()
    assert (n_before, n_docs) == (9, 10)
    assert TermStat.objects.get(term=TermStat.DOCS).df == n_docs
    assert statistics()[1] == lengths
    assert refit_related.call() is False  # nothing left to refit
