"""Drafts, in-review and scheduled articles never reach readers, anywhere."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/section/brief/",
    "/section/news/",
    "/country/guatemala/",
    "/group/zetas/",
    "/topic/migration/",
    "/author/ana-lopez/",
    "/search/?q=Hidden",
    "/feed/",
    "/feed/atom/",
    "/section/news/feed/",
    "/section/brief/feed/atom/",
    "/country/guatemala/feed/",
    "/group/zetas/feed/atom/",
    "/author/ana-lopez/feed/",
    "/sitemap-articles-en.xml",
    "/sitemap-news.xml",
]


@pytest.fixture
def world():
    news = SectionFactory(name="News", slug="news")
    brief = SectionFactory(name="Brief", slug="brief", parent=news)
    tags = {
        "countries": [CountryFactory(name="Guatemala", slug="guatemala")],
        "groups": [CriminalGroupFactory(name="Zetas", slug="zetas")],
        "topics": [TopicFactory(name="migration", slug="migration")],
        "authors": [AuthorFactory(name="Ana Lopez", slug="ana-lopez")],
    }
    visible = ArticleFactory(title="Visible story about the border", section=brief, **tags)
    hidden = {
        "draft": ArticleFactory(
            title="Hidden draft",
            slug="hidden-draft",
            section=brief,
            status=Article.Status.DRAFT,
            publish_at=None,
            **tags,
        ),
        "review": ArticleFactory(
            title="Hidden review",
            slug="hidden-review",
            section=brief,
            status=Article.Status.IN_REVIEW,
            publish_at=None,
            **tags,
        ),
        "scheduled": ArticleFactory(
            title="Hidden scheduled",
            slug="hidden-scheduled",
            section=brief,
            publish_at=timezone.now() + dt.timedelta(days=2),
            **tags,
        ),
    }
    return visible, hidden


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_unpublished_articles_are_absent_from_every_public_listing(client, world, url):
    visible, hidden = world
    body = client.get(url).content.decode()
    if "search" not in url:
        assert visible.title in body or visible.slug in body
    for article in hidden.values():
        assert article.title not in body
        assert article.slug not in body


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_public_url_of_unpublished_article_is_404(client, world, state):
    _, hidden = world
    assert client.get(f"/article/{hidden[state].slug}/").status_code == 404


def test_published_queryset_matches_the_rule(world):
    visible, hidden = world
    assert list(Article.objects.published()) == [visible]
    assert set(Article.objects.not_public()) == set(hidden.values())
    assert list(Article.objects.scheduled()) == [hidden["scheduled"]]


def test_scheduled_article_appears_by_itself_once_its_time_passes(client, world):
    _, hidden = world
    scheduled = hidden["scheduled"]
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    with time_machine.travel(scheduled.publish_at + dt.timedelta(minutes=1)):
        assert client.get(scheduled.get_absolute_url()).status_code == 200
        assert scheduled.title in client.get("/country/guatemala/").content.decode()
        assert scheduled.title in client.get("/").content.decode()


# --- one rule: the model's properties and the queryset agree -------------------------------


@pytest.mark.django_db
def test_the_model_properties_and_the_queryset_agree_for_every_status_and_time():
    now = timezone.now()
    times = [
        None,
        now - dt.timedelta(days=400),
        now - dt.timedelta(seconds=1),
        now,
        now + dt.timedelta(seconds=1),
        now + dt.timedelta(days=3),
    ]
    articles = []
    for status in Article.Status.values:
        for publish_at in times:
            if status == Article.Status.PUBLISHED and publish_at is None:
                continue  # refused by the database (article_published_has_time)
            article = ArticleFactory(status=status, publish_at=None)
            # Stored as given: save() would fill a missing time for "published".
            Article.objects.filter(pk=article.pk).update(publish_at=publish_at)
            articles.append(article.pk)
    assert len(articles) == 3 * len(times) - 1

    published = set(Article.objects.published(at=now).values_list("pk", flat=True))
    scheduled = set(Article.objects.scheduled(at=now).values_list("pk", flat=True))
    for article in Article.objects.filter(pk__in=articles):
        assert article.is_public_at(now) == (article.pk in published), (
            article.status,
            article.publish_at,
        )
        assert article.is_scheduled_at(now) == (article.pk in scheduled), (
            article.status,
            article.publish_at,
        )
    # The grid holds both kinds, and nothing is both.
    assert published and scheduled and not published & scheduled
