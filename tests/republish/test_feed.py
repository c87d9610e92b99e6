"""The partner feed, read with feedparser as a partner's CMS would."""

import datetime as dt

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

BODY = "<p>The network moved cocaine through the <strong>border</strong> region.</p>"


def _feed(client):
    response = client.get(reverse("republish:feed"))
    assert response.status_code == 200
    return feedparser.parse(response.content)


def test_the_feed_has_republishable_stories_only(client):
    by = ArticleFactory(slug="by", licence="cc-by-4.0")
    nd = ArticleFactory(slug="nd", licence="cc-by-nc-nd-4.0")
    ArticleFactory(slug="reserved", licence="all-rights-reserved")
    ArticleFactory(slug="draft", licence="cc-by-4.0", status=Article.Status.DRAFT, publish_at=None)
    ArticleFactory(
        slug="scheduled", licence="cc-by-4.0", publish_at=timezone.now() + dt.timedelta(hours=2)
    )
    feed = _feed(client)
    assert not feed.bozo, feed.bozo_exception
    links = {entry.link for entry in feed.entries}
    assert links == {f"http://testserver{a.get_absolute_url()}" for a in (by, nd)}


def test_each_item_has_the_full_story_attribution_pixel_and_licence(client):
    article = ArticleFactory(
        slug="nd",
        licence="cc-by-nc-nd-4.0",
        body=BODY,
        authors=[AuthorFactory(name="Ana Lopez")],
    )
    (entry,) = _feed(client).entries
    html = entry.content[0].value
    # No-Derivatives: the body goes out whole and unchanged.
    assert BODY in html
    assert f"<h1>{article.title}</h1>" in html
    assert "By Ana Lopez" in html
    assert f'<a href="http://testserver{article.get_absolute_url()}">Newsroom</a>' in html
    assert "https://creativecommons.org/licenses/by-nc-nd/4.0/" in html
    assert f'src="http://testserver/republish/pixel/{article.pk}.gif"' in html
    assert entry.license == "https://creativecommons.org/licenses/by-nc-nd/4.0/"
    assert entry.author == "Ana Lopez"


def test_the_feed_costs_the_same_queries_for_one_story_or_thirty(client, django_assert_num_queries):
    ArticleFactory(authors=[AuthorFactory()])
    with django_assert_num_queries(2):  # the stories, then their bylines
        client.get(reverse("republish:feed"))
    for _ in range(29):
        ArticleFactory(authors=[AuthorFactory(), AuthorFactory()])
    with django_assert_num_queries(2):
        assert len(_feed(client).entries) == 30
