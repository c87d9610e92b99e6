"""After a vote the reader may say why (or what helped): without JavaScript, once, throttled."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.feedback import helpful_vote_record
from articles.models import HelpfulDaily, HelpfulVote
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory(slug="ports-under-pressure", title="Ports under pressure")


def vote(client: Client, article, answer: str):
    return client.post(reverse("articles:helpful", args=[article.slug]), {"helpful": answer})


def more_url(article) -> str:
    return reverse("articles:helpful_more", args=[article.slug])


def test_after_no_the_reader_can_give_a_reason_and_a_comment(client, article):
    response = vote(client, article, "no")
    assert response["Location"] == more_url(article)
    page = client.get(more_url(article)).content.decode()
    assert 'value="outdated"' in page and 'value="missing_context"' in page
    assert "csrfmiddlewaretoken" in page

    done = client.post(
        more_url(article), {"reason": "outdated", "comment": "The 2023 figures are old."}
    )

    assert done["Location"].endswith("#helpful")
    stored = HelpfulVote.objects.get()
    assert (stored.helpful, stored.reason, stored.comment) == (
        False,
        "outdated",
        "The 2023 figures are old.",
    )
    day = HelpfulDaily.objects.get(monthly=False)
    assert (day.no, day.yes, day.outdated, day.unclear) == (1, 0, 1, 0)


def test_after_yes_the_reader_says_what_helped_and_no_reason_is_offered(client, article):
    vote(client, article, "yes")
    page = client.get(more_url(article)).content.decode()
    assert "What helped?" in page and 'value="outdated"' not in page

    client.post(more_url(article), {"reason": "inaccurate", "comment": "The map."})

    stored = HelpfulVote.objects.get()
    assert (stored.reason, stored.comment) == ("", "The map.")  # a forged reason is ignored
    assert HelpfulDaily.objects.get(monthly=False).inaccurate == 0


def test_comment_is_stored_as_plain_text_and_bounded(client, article):
    vote(client, article, "no")
    client.post(
        more_url(article),
        {"reason": "other", "comment": "<script>alert(1)</script><b>Bold</b> claim\x07 &amp; more"},
    )
    assert HelpfulVote.objects.get().comment == "Bold claim & more"

    other = Client()
    vote(other, article, "no")
    too_long = other.post(more_url(article), {"reason": "other", "comment": "x" * 501})
    assert too_long.status_code == 200  # the form again, with the error
    assert "at most 500 characters" in too_long.content.decode()
    assert HelpfulVote.objects.filter(comment="").count() == 1  # nothing half-written


def test_an_unknown_reason_is_refused_and_nothing_is_counted(client, article):
    vote(client, article, "no")
    response = client.post(more_url(article), {"reason": "boring", "comment": ""})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert HelpfulVote.objects.get().followed_up_at is None
    assert HelpfulDaily.objects.get(monthly=False).other == 0


def test_the_follow_up_is_accepted_once(client, article):
    vote(client, article, "no")
    client.post(more_url(article), {"reason": "unclear"})
    again = client.post(more_url(article), {"reason": "inaccurate"})
    assert again["Location"].endswith("#helpful")
    assert HelpfulVote.objects.get().reason == "unclear"
    day = HelpfulDaily.objects.get(monthly=False)
    assert (day.unclear, day.inaccurate) == (1, 0)


def test_without_a_vote_the_follow_up_page_sends_the_reader_back(client, article):
    response = client.get(more_url(article))
    assert response.status_code == 302 and response["Location"].endswith("#helpful")
    client.post(more_url(article), {"reason": "unclear"})
    assert not HelpfulVote.objects.exists()


def test_the_follow_up_requires_the_csrf_token(article):
    reader = Client(enforce_csrf_checks=True)
    token = reader.get(reverse("csrf_token")).json()["token"]
    reader.post(
        reverse("articles:helpful", args=[article.slug]),
        {"helpful": "no", "csrfmiddlewaretoken": token},
    )
    forged = reader.post(more_url(article), {"reason": "unclear"})
    assert forged.status_code == 403
    assert HelpfulVote.objects.get().reason == ""


def test_the_follow_up_is_throttled_per_client_ip(settings, article):
    settings.HELPFUL_VOTE_RATE_LIMIT = 2
    statuses = []
    for _ in range(3):
        reader = Client()
        # The vote itself is recorded directly: only the follow-up's own limit is tested.
        helpful_vote_record(article=article, session_key=reader.session.session_key, helpful=False)
        statuses.append(reader.post(more_url(article), {"reason": "unclear"}).status_code)
    assert statuses == [302, 302, 429]
    assert HelpfulVote.objects.exclude(reason="").count() == 2
    assert HelpfulDaily.objects.get(monthly=False).unclear == 2


def test_the_follow_up_page_is_never_cached(client, article):
    vote(client, article, "no")
    response = client.get(more_url(article))
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_daily_counts_follow_every_vote(article):
    for answer in ("yes", "yes", "no"):
        vote(Client(), article, answer)
    vote(Client(), ArticleFactory(), "no")
    day = HelpfulDaily.objects.get(article=article, monthly=False)
    assert (day.yes, day.no) == (2, 1)
    assert HelpfulDaily.objects.filter(monthly=False).count() == 2
    month = HelpfulDaily.objects.get(article=article, monthly=True)
    assert (month.yes, month.no, month.day.day) == (2, 1, 1)
