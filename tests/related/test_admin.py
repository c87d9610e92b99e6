"""Editors steer related content from the article form: pins, exclusions, one-click controls."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Byline
from related.models import MAX_PINS, RelatedExclusion, RelatedItem, RelatedPin
from related.services import related_for_page
from tests.factories import ArticleFactory, AuthorFactory, CriminalGroupFactory, UserFactory
from tests.related.conftest import story

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(rebuild_all):
    zetas = CriminalGroupFactory(name="Zetas")
    source = ArticleFactory(groups=[zetas], **story("port"))
    others = [ArticleFactory(groups=[zetas], **story("port")) for _ in range(4)]
    rebuild_all()
    return source, others


def pin_url(article: Article, target: Article) -> str:
    return reverse("admin:articles_article_related_pin", args=[article.pk, target.pk])


def exclude_url(article: Article, target: Article) -> str:
    return reverse("admin:articles_article_related_exclude", args=[article.pk, target.pk])


def test_change_form_shows_suggestions_with_score_reason_and_buttons(client, corpus):
    source, _ = corpus
    client.force_login(UserFactory(role="Editor"))
    response = client.get(reverse("admin:articles_article_change", args=[source.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    item = RelatedItem.objects.filter(article=source).order_by("rank").first()
    assert "automatic suggestions" in page
    assert item.reason in page and f"{item.score:.3f}" in page
    # The buttons submit the change form itself (save first, then act): no edit is lost.
    assert f'name="_related_pin" value="{item.target_id}"' in page
    assert f'name="_related_exclude" value="{item.target_id}"' in page
    assert "formaction" not in page
    assert "pinned articles" in page and "never suggest these" in page


def test_editor_pins_a_suggestion_with_one_click_and_it_shows_first(client, corpus):
    source, _ = corpus
    client.force_login(UserFactory(role="Editor"))
    last = RelatedItem.objects.filter(article=source).order_by("rank").last().target

    response = client.post(pin_url(source, last))

    assert response.status_code == 302
    assert RelatedPin.objects.filter(article=source, target=last).exists()
    first = related_for_page(source)[0]
    assert first.pk == last.pk and first.related_pinned


def test_editor_excludes_a_suggestion_and_it_never_comes_back(client, corpus):
    source, _ = corpus
    client.force_login(UserFactory(role="Editor"))
    top = related_for_page(source)[0]

    client.post(exclude_url(source, top))

    assert RelatedExclusion.objects.filter(article=source, target=top).exists()
    assert not RelatedItem.objects.filter(article=source, target=top).exists()


def test_one_click_controls_refuse_get(client, corpus):
    source, others = corpus
    client.force_login(UserFactory(role="Editor"))
    assert client.get(pin_url(source, others[0])).status_code == 405
    assert not RelatedPin.objects.exists()


def test_one_click_controls_require_the_csrf_token(corpus):
    source, others = corpus
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(role="Editor"))
    assert client.post(pin_url(source, others[0])).status_code == 403
    assert not RelatedPin.objects.exists()


def test_writer_cannot_pin_or_exclude_on_a_published_article(client, corpus):
    source, others = corpus
    client.force_login(UserFactory(role="Writer"))
    assert client.post(pin_url(source, others[0])).status_code == 403
    assert client.post(exclude_url(source, others[0])).status_code == 403
    assert not RelatedPin.objects.exists() and not RelatedExclusion.objects.exists()


def test_writer_can_pin_on_their_own_draft(client, corpus):
    _, others = corpus
    writer = UserFactory(role="Writer")
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, **story("port"))
    author = AuthorFactory(user=writer)
    Byline.objects.create(article=draft, author=author)
    client.force_login(writer)
    assert client.post(pin_url(draft, others[0])).status_code == 302
    assert RelatedPin.objects.filter(article=draft, target=others[0]).exists()


def test_anonymous_visitor_is_sent_to_the_login_page(client, corpus):
    source, others = corpus
    response = client.post(pin_url(source, others[0]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not RelatedPin.objects.exists()


def test_no_more_than_six_pins(client, corpus):
    source, _ = corpus
    client.force_login(UserFactory(role="Editor"))
    targets = [ArticleFactory(**story("mining")) for _ in range(MAX_PINS + 1)]
    for target in targets:
        client.post(pin_url(source, target))
    assert RelatedPin.objects.filter(article=source).count() == MAX_PINS
    pinned = list(
        RelatedPin.objects.filter(article=source)
        .order_by("position")
        .values_list("target_id", flat=True)
    )
    assert pinned == [t.pk for t in targets[:MAX_PINS]]


def test_pin_inline_rejects_a_seventh_pin_on_the_server():
    from django.contrib import admin

    from related.admin import RelatedPinInline

    inline = RelatedPinInline(Article, admin.site)
    request = type("R", (), {"user": UserFactory(role="Editor")})()
    formset_class = inline.get_formset(request)
    assert formset_class.validate_max and formset_class.max_num == MAX_PINS


def test_suggestions_are_listed_best_score_first(client, corpus):
    source, _ = corpus
    client.force_login(UserFactory(role="Editor"))
    page = client.get(reverse("admin:articles_article_change", args=[source.pk])).content.decode()
    items = RelatedItem.objects.filter(article=source, pinned=False).order_by("-score", "rank")
    positions = [page.index(f'name="_related_pin" value="{item.target_id}"') for item in items]
    assert len(positions) >= 2 and positions == sorted(positions)
