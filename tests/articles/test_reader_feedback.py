"""The "was this helpful?" widget and the comments form."""

import pytest
from django.test import Client

from articles.models import HelpfulVote, ReaderComment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory(slug="ports-under-pressure", title="Ports under pressure")


def test_helpful_vote_is_stored_once_per_reader_session(client, article):
    url = f"/article/{article.slug}/helpful/"
    response = client.post(url, {"helpful": "yes"})
    # A new vote leads to the optional "what helped" page.
    assert response.status_code == 302 and response["Location"].endswith("/helpful/why/")
    again = client.post(url, {"helpful": "no"})  # a second answer from the same session
    assert again["Location"].endswith("#helpful")
    assert HelpfulVote.objects.filter(article=article).count() == 1
    assert HelpfulVote.objects.get().helpful is True
    page = client.get(article.get_absolute_url()).content.decode()
    assert "you answered “yes”" in page


def test_helpful_votes_from_different_readers_are_counted(article):
    for answer in ("yes", "yes", "no"):
        Client().post(f"/article/{article.slug}/helpful/", {"helpful": answer})
    assert HelpfulVote.objects.filter(helpful=True).count() == 2
    assert HelpfulVote.objects.filter(helpful=False).count() == 1


def test_invalid_helpful_answer_stores_nothing(client, article):
    response = client.post(f"/article/{article.slug}/helpful/", {"helpful": "maybe"}, follow=True)
    assert "Please choose yes or no." in response.content.decode()
    assert not HelpfulVote.objects.exists()


def test_helpful_vote_requires_csrf_token(article):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(f"/article/{article.slug}/helpful/", {"helpful": "yes"})
    assert response.status_code == 403
    assert not HelpfulVote.objects.exists()


def test_helpful_vote_on_a_draft_is_404(client):
    draft = ArticleFactory(status="draft", publish_at=None)
    assert client.post(f"/article/{draft.slug}/helpful/", {"helpful": "yes"}).status_code == 404


def test_valid_comment_lands_in_the_inbox(client, article):
    response = client.post(
        f"/article/{article.slug}/comment/",
        {"name": "Rosa", "email": "rosa@example.org", "message": "The port figures match ours."},
        follow=True,
    )
    assert "Your comments reached our editors" in response.content.decode()
    comment = ReaderComment.objects.get()
    assert comment.article == article and comment.status == ReaderComment.Status.NEW


def test_invalid_comment_rerenders_with_errors_and_keeps_input(client, article):
    response = client.post(
        f"/article/{article.slug}/comment/",
        {"name": "", "email": "not-an-email", "message": "Short"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert "Enter a valid email address." in html
    assert "Please write at least a sentence" in html
    assert 'value="not-an-email"' in html
    assert not ReaderComment.objects.exists()


def test_honeypot_comment_is_thanked_but_not_stored(client, article):
    response = client.post(
        f"/article/{article.slug}/comment/",
        {
            "name": "Bot",
            "email": "bot@example.org",
            "message": "Buy cheap things now!!",
            "website": "http://spam.example",
        },
        follow=True,
    )
    assert "Your comments reached our editors" in response.content.decode()
    assert not ReaderComment.objects.exists()


def test_comment_form_requires_csrf_token(article):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        f"/article/{article.slug}/comment/",
        {"name": "Rosa", "email": "rosa@example.org", "message": "A long enough message."},
    )
    assert response.status_code == 403
    assert not ReaderComment.objects.exists()


def test_editor_sees_comments_inbox(client, article):
    from tests.factories import UserFactory

    ReaderComment.objects.create(
        article=article, name="Rosa", email="r@example.org", message="Useful piece, thank you."
    )
    client.force_login(UserFactory(role="Editor"))
    html = client.get("/admin/articles/readercomment/?status__exact=new").content.decode()
    assert "Useful piece, thank you." in html
