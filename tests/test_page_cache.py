"""The public page cache: served without Django's work, never personal, never stale.

Every "never stale" event of the production-runtime issue has a test: publish, unpublish,
edit, delete, slug change, pin, exclude and a scheduled time arriving, each checked on
every page the change shows on (the article and its old URL, home, its section, its
country / group / topic / author hubs, the feed, the sitemap, and other articles whose
related block shows it). Each test warms those pages first and proves they are served
from the cache, so a passing check after the event means the cache let go of them.
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import threading
from collections.abc import Iterable

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article, SlugRedirect
from newsroom.pagecache import ban_front_cache, forget_local, invalidate
from related.models import RelatedItem
from related.rebuild import rebuild
from related.services import related_for_page
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    UserFactory,
)
from tests.related.conftest import story

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

CHANGELIST = "admin:articles_article_changelist"


@pytest.fixture
def reader() -> Client:
    return Client()


@pytest.fixture
def editor() -> Client:
    client = Client()
    client.force_login(UserFactory(role="Editor"))
    return client


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """One story thread on every hub, with related lists computed (and committed: the
    test's own transaction never commits, so its on-commit work is run here)."""
    with django_capture_on_commit_callbacks(execute=True):
        return _world()


def _world() -> dict:
    section = SectionFactory(name="Investigations", slug="investigations")
    mexico = CountryFactory(name="Mexico", slug="mexico")
    zetas = CriminalGroupFactory(name="Zetas", slug="zetas")
    author = AuthorFactory(name="Ana Lopez", slug="ana-lopez")
    week_ago = timezone.now() - dt.timedelta(days=7)
    older = [
        ArticleFactory(
            section=section,
            countries=[mexico],
            groups=[zetas],
            topics=["ports"],
            authors=[author],
            publish_at=week_ago - dt.timedelta(hours=n),
            slug=f"older-{n}",
            **story("port"),
        )
        for n in range(3)
    ]
    rebuild()
    return {
        "section": section,
        "country": mexico,
        "group": zetas,
        "author": author,
        "older": older,
    }


def hub_urls(world: dict) -> list[str]:
    """Every page a story shows on, in both languages (English unprefixed, Spanish /es/)."""
    pages = [
        "/",
        reverse("articles:section", args=[world["section"].slug]),
        reverse("articles:country", args=[world["country"].slug]),
        reverse("articles:group", args=[world["group"].slug]),
        reverse("articles:topic", args=["ports"]),
        reverse("articles:author", args=[world["author"].slug]),
        reverse("articles:feed"),
    ]
    # Feeds and article sitemaps hold one language: these stories are English.
    english_only = [
        reverse("articles:feed_atom"),
        reverse("articles:section_feed", args=[world["section"].slug]),
        reverse("articles:country_feed_atom", args=[world["country"].slug]),
        reverse("articles:author_feed", args=[world["author"].slug]),
        reverse("sitemap-section", args=["articles-en"]),
        reverse("sitemap-section", args=["news"]),
    ]
    return [*pages, *(f"/es{page}" for page in pages if "feed" not in page), *english_only]


def warm(client: Client, urls: Iterable[str]) -> None:
    """Fetch each page until it is served from the cache, proving it was stored."""
    for url in urls:
        client.get(url)
        response = client.get(url)
        assert response.get("X-Page-Cache") == "hit", url


def text(client: Client, url: str) -> str:
    return client.get(url).content.decode()


def new_story(world: dict, capture, **overrides) -> Article:
    fields = {
        "section": world["section"],
        "countries": [world["country"]],
        "groups": [world["group"]],
        "topics": ["ports"],
        "authors": [world["author"]],
        "status": Article.Status.DRAFT,
        "publish_at": None,
        "slug": "brokers-supply-labs",
        **story("port"),
        "title": "Brokers supply the Sinaloa laboratories",
    }
    fields.update(overrides)
    with capture(execute=True):
        return ArticleFactory(**fields)


def admin_action(editor: Client, action: str, article: Article, capture) -> None:
    with capture(execute=True):
        response = editor.post(
            reverse(CHANGELIST), {"action": action, "_selected_action": [article.pk]}
        )
    assert response.status_code == 302


# --- what is served, and to whom -------------------------------------------------------


def test_a_cached_article_is_served_without_a_single_query(
    reader, world, django_assert_num_queries
):
    url = world["older"][0].get_absolute_url()
    first = reader.get(url)
    assert first.get("X-Page-Cache") is None

    with django_assert_num_queries(0):
        again = reader.get(url)

    assert again.get("X-Page-Cache") == "hit"
    assert again.content == first.content
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_cached_pages_hold_nothing_specific_to_one_reader(reader, world):
    url = world["older"][0].get_absolute_url()
    response = reader.get(url)

    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "public" in response["Cache-Control"]


def test_without_a_front_cache_to_purge_no_shared_cache_may_keep_a_page(reader, world):
    response = reader.get(world["older"][0].get_absolute_url())

    assert "s-maxage" not in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    assert "must-revalidate" in response["Cache-Control"]


def test_with_a_front_cache_pages_say_how_long_it_may_keep_them(reader, world, settings):
    settings.FRONT_CACHE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens: bans fail

    response = reader.get(world["older"][0].get_absolute_url())

    assert "s-maxage=300" in response["Cache-Control"]
    assert response["X-Cache-Tags"] == "pages"


def test_a_reader_with_a_session_gets_their_own_page_not_the_cached_one(reader, world):
    article = world["older"][0]
    url = article.get_absolute_url()
    warm(reader, [url])

    reader.post(reverse("articles:helpful", args=[article.slug]), {"helpful": "yes"})
    response = reader.get(url)

    assert response.get("X-Page-Cache") is None
    assert "you answered" in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "you answered" not in text(Client(), url)  # the shared copy stays generic


def test_signed_in_editors_previews_posts_and_donations_are_never_cached(editor, world):
    article = world["older"][0]
    for _ in range(2):
        assert editor.get(article.get_absolute_url()).get("X-Page-Cache") is None
        assert (
            editor.get(reverse("articles:preview", args=[article.pk])).get("X-Page-Cache") is None
        )
    anonymous = Client()
    for _ in range(2):
        for prefix in ("", "/es"):  # in both languages
            assert anonymous.get(f"{prefix}/donate/").get("X-Page-Cache") is None
            assert anonymous.get(f"{prefix}/search/?q=port").get("X-Page-Cache") is None


def test_the_vote_form_on_a_cached_page_still_works_and_stays_csrf_protected(world):
    article = world["older"][0]
    reader = Client(enforce_csrf_checks=True)
    vote = reverse("articles:helpful", args=[article.slug])
    warm(reader, [article.get_absolute_url()])

    forged = reader.post(vote, {"helpful": "yes"})
    token = reader.get(reverse("csrf_token")).json()["token"]
    honest = reader.post(vote, {"helpful": "yes", "csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert honest.status_code == 302
    assert article.helpful_votes.count() == 1


def test_without_javascript_the_vote_goes_through_a_confirmation_page_with_a_token(world):
    article = world["older"][0]
    reader = Client(enforce_csrf_checks=True)
    vote = reverse("articles:helpful", args=[article.slug])

    confirm = reader.get(vote, {"helpful": "no"})
    token = confirm.context["csrf_token"]
    answered = reader.post(vote, {"helpful": "no", "csrfmiddlewaretoken": str(token)})

    assert confirm.status_code == 200
    assert "csrfmiddlewaretoken" in confirm.content.decode()
    assert "no-cache" in confirm["Cache-Control"] or "no-store" in confirm["Cache-Control"]
    assert answered.status_code == 302
    assert article.helpful_votes.get().helpful is False
    assert article.helpful_votes.count() == 1  # the GET itself voted nothing


# --- never stale: one test per event ---------------------------------------------------


def test_publishing_shows_the_article_on_every_page_it_belongs_to(
    reader, editor, world, django_capture_on_commit_callbacks
):
    new = new_story(world, django_capture_on_commit_callbacks)
    urls = hub_urls(world)
    warm(reader, urls)

    admin_action(editor, "publish_now", new, django_capture_on_commit_callbacks)

    for url in urls:
        assert new.title in text(reader, url) or new.slug in text(reader, url), url
    assert reader.get(new.get_absolute_url()).status_code == 200
    shown_on = [a for a in world["older"] if new.pk in [r.pk for r in related_for_page(a)]]
    assert shown_on, "the new article should enter older articles' related lists"
    for older in shown_on:
        assert new.title in text(reader, older.get_absolute_url())


def test_unpublishing_removes_the_article_everywhere(
    reader, editor, world, django_capture_on_commit_callbacks
):
    new = new_story(world, django_capture_on_commit_callbacks)
    admin_action(editor, "publish_now", new, django_capture_on_commit_callbacks)
    showing = list(RelatedItem.objects.filter(target=new).values_list("article_id", flat=True))
    related_pages = [Article.objects.get(pk=pk).get_absolute_url() for pk in showing]
    urls = [*hub_urls(world), new.get_absolute_url(), *related_pages]
    warm(reader, urls)

    admin_action(editor, "unpublish", new, django_capture_on_commit_callbacks)

    assert reader.get(new.get_absolute_url()).status_code == 404
    for url in [*hub_urls(world), *related_pages]:
        assert new.title not in text(reader, url), url


def test_editing_a_title_shows_everywhere_including_other_articles_related_blocks(
    reader, world, django_capture_on_commit_callbacks
):
    edited = world["older"][1]
    showing = RelatedItem.objects.filter(target=edited).values_list("article_id", flat=True)
    related_pages = [Article.objects.get(pk=pk).get_absolute_url() for pk in showing]
    assert related_pages
    urls = [*hub_urls(world), edited.get_absolute_url(), *related_pages]
    warm(reader, urls)

    with django_capture_on_commit_callbacks(execute=True):
        edited.title = "Port brokers named in a new indictment"
        edited.save()

    for url in urls:
        if "sitemap" in url:
            continue  # titles are not in the sitemap; its URL list is checked elsewhere
        assert "Port brokers named in a new indictment" in text(reader, url), url


def test_deleting_an_article_removes_it_everywhere(
    reader, editor, world, django_capture_on_commit_callbacks
):
    victim = world["older"][2]
    url = victim.get_absolute_url()
    showing = RelatedItem.objects.filter(target=victim).values_list("article_id", flat=True)
    related_pages = [Article.objects.get(pk=pk).get_absolute_url() for pk in showing]
    warm(reader, [*hub_urls(world), url, *related_pages])

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("admin:articles_article_delete", args=[victim.pk]), {"post": "yes"})

    assert reader.get(url).status_code == 404
    for page in [*hub_urls(world), *related_pages]:
        assert url not in text(reader, page), page


def test_changing_a_slug_moves_the_page_and_the_old_url_redirects(
    reader, world, django_capture_on_commit_callbacks
):
    article = world["older"][0]
    old_url = article.get_absolute_url()
    warm(reader, [old_url, *hub_urls(world)])

    with django_capture_on_commit_callbacks(execute=True):
        article.slug = "renamed-story"
        article.save()

    assert SlugRedirect.objects.filter(old_slug="older-0").exists()
    moved = reader.get(old_url)
    assert moved.status_code == 301
    assert moved["Location"].endswith("/article/renamed-story/")
    assert reader.get("/article/renamed-story/").status_code == 200
    assert "/article/renamed-story/" in text(reader, "/")


def test_pinning_and_excluding_change_the_related_block_at_once(
    reader, editor, world, django_capture_on_commit_callbacks
):
    source = world["older"][0]
    url = source.get_absolute_url()
    stored = list(RelatedItem.objects.filter(article=source).order_by("rank"))
    top, last = stored[0].target, stored[-1].target
    warm(reader, [url])

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("admin:articles_article_related_exclude", args=[source.pk, top.pk]))
    assert top.get_absolute_url() not in text(reader, url).split('class="related')[-1]

    warm(reader, [url])
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("admin:articles_article_related_pin", args=[source.pk, last.pk]))
    block = text(reader, url).split('class="related')[-1]
    assert last.get_absolute_url() in block


def test_a_scheduled_article_appears_when_its_time_comes_with_no_event(
    reader, editor, world, django_capture_on_commit_callbacks
):
    at = timezone.now() + dt.timedelta(minutes=30)
    scheduled = new_story(
        world, django_capture_on_commit_callbacks, status=Article.Status.PUBLISHED, publish_at=at
    )
    with django_capture_on_commit_callbacks(execute=True):
        scheduled.save()  # as the admin's schedule action does: one write, before the time
    urls = hub_urls(world)
    warm(reader, urls)
    for url in urls:
        assert scheduled.title not in text(reader, url)
    assert reader.get(scheduled.get_absolute_url()).status_code == 404

    with time_machine.travel(at + dt.timedelta(seconds=1), tick=False):
        for url in urls:
            assert scheduled.title in text(reader, url) or scheduled.slug in text(reader, url), url
        assert reader.get(scheduled.get_absolute_url()).status_code == 200


def test_cache_lifetimes_never_outlive_the_next_scheduled_publication(
    reader, world, django_capture_on_commit_callbacks, settings
):
    settings.FRONT_CACHE_PURGE_URLS = ["http://127.0.0.1:9/"]
    at = timezone.now() + dt.timedelta(seconds=90)
    new_story(
        world, django_capture_on_commit_callbacks, status=Article.Status.PUBLISHED, publish_at=at
    )
    cache.clear()
    forget_local()

    response = reader.get("/")

    max_age = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 0 < max_age <= 90


def test_the_wsgi_entry_point_answers_stored_pages_before_django(
    reader, world, django_assert_num_queries
):
    from django.test import RequestFactory

    from newsroom.wsgi import application

    url = world["older"][0].get_absolute_url()
    stored = reader.get(url)  # stores it
    environ = RequestFactory().get(url).environ
    seen: list = []

    with django_assert_num_queries(0):
        body = b"".join(
            application(environ, lambda status, headers: seen.extend([status, headers]))
        )

    status, headers = seen
    assert status == "200 OK"
    assert ("X-Page-Cache", "hit") in headers
    assert body == stored.content


@pytest.mark.parametrize(
    "cookie",
    ["sessionid=abc", "csrftoken=x; sessionid=abc", "messages=xyz", 'sessionid="unterminated'],
)
def test_a_request_with_a_session_or_a_message_or_a_malformed_cookie_is_never_served_a_stored_page(
    world, cookie
):
    url = world["older"][0].get_absolute_url()
    warm(Client(), [url])

    response = Client(HTTP_COOKIE=cookie).get(url)

    assert response.get("X-Page-Cache") is None


def test_a_reader_with_only_a_csrf_cookie_still_gets_the_stored_page(world):
    url = world["older"][0].get_absolute_url()
    warm(Client(), [url])

    response = Client(HTTP_COOKIE="csrftoken=abc").get(url)

    assert response.get("X-Page-Cache") == "hit"


class _BanRecorder(http.server.BaseHTTPRequestHandler):
    """A front cache that accepts bans and remembers their tags."""

    bans: list[str] = []

    def do_BAN(self) -> None:  # BaseHTTPRequestHandler calls do_<METHOD>
        self.bans.append(self.headers["X-Ban-Tag"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_ban_the_front_cache_missed_is_retried_by_the_worker_until_it_gets_through(settings):
    # The first ban goes out as the change commits; a front cache that is down at that
    # moment gets it from the task worker, later, with the attempt recorded in between.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_RETRY_DELAY = 30
    with socket.socket() as probe:  # a port nothing listens on: refused at once
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    settings.FRONT_CACHE_PURGE_URLS = [down]

    before = timezone.now()
    invalidate(reason="test")

    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "newsroom.pagecache.ban_front_cache"
    assert queued.args_kwargs == {"args": [down], "kwargs": {"attempt": 2}}
    assert queued.run_after >= before + dt.timedelta(seconds=30)

    with pytest.raises(OSError):  # still down at the second attempt: a third is queued
        ban_front_cache.call(down, attempt=2)
    assert DBTaskResult.objects.latest("enqueued_at").args_kwargs["kwargs"] == {"attempt": 3}

    server = http.server.HTTPServer(("127.0.0.1", 0), _BanRecorder)
    threading.Thread(target=server.handle_request, daemon=True).start()
    up = f"http://127.0.0.1:{server.server_port}/"
    _BanRecorder.bans.clear()
    ban_front_cache.call(up, attempt=3)
    server.server_close()

    assert _BanRecorder.bans == ["pages"]
    assert DBTaskResult.objects.count() == 2  # it got through: nothing more queued
