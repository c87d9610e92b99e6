"""The counting pixel: what it counts, what it ignores, and what it never keeps."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from republish import counters
from republish.models import Republication
from republish.referers import page_from_referer
from tests.factories import ArticleFactory
from tests.republish.conftest import hold_flushes

pytestmark = pytest.mark.django_db

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
PARTNER = "https://www.partner.example/2026/11/port-brokers/"


def hit(client, article, referer: str | None = PARTNER, user_agent: str = BROWSER, **extra):
    headers = {"HTTP_USER_AGENT": user_agent, **extra}
    if referer is not None:
        headers["HTTP_REFERER"] = referer
    return client.get(reverse("republish:pixel", args=[article.pk]), **headers)


def counted() -> dict[tuple[str, str], int]:
    counters.flush()
    return {(row.site, row.page_url): row.views for row in Republication.objects.all()}


def test_the_pixel_is_a_gif_with_no_cookie_and_no_caching(client):
    response = hit(client, ArticleFactory())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert (image.format, image.size, "transparency" in image.info) == ("GIF", (1, 1), True)
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Cookie" not in response.get("Vary", "")


def test_a_hit_touches_no_database_until_the_flush(client):
    article = ArticleFactory()
    hold_flushes()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            hit(client, article)
    assert len(queries) == 0
    assert Republication.objects.count() == 0
    assert counted() == {
        ("partner.example", "https://www.partner.example/2026/11/port-brokers/"): 3
    }


def test_the_first_hit_schedules_a_flush_at_most_once_per_interval(client):
    article = ArticleFactory()
    hit(client, article)  # no Redis here: the flush runs in this process, at once
    assert Republication.objects.get().views == 1
    hit(client, article)
    assert Republication.objects.get().views == 1  # the next flush waits for the interval
    assert counters.flush() == 1
    assert Republication.objects.get().views == 2


def test_views_are_counted_per_article_page_and_day(client):
    first, second = ArticleFactory(), ArticleFactory()
    hold_flushes()
    for _ in range(2):
        hit(client, first)
    hit(client, second)
    hit(client, first, referer="https://other.example/news/item")
    counters.flush()
    rows = {
        (row.article_id, row.site, row.page_url, row.views) for row in Republication.objects.all()
    }
    assert rows == {
        (first.pk, "partner.example", PARTNER, 2),
        (second.pk, "partner.example", PARTNER, 1),
        (first.pk, "other.example", "https://other.example/news/item", 1),
    }
    assert {row.day for row in Republication.objects.all()} == {Republication.objects.first().day}


@pytest.mark.parametrize(
    "referer",
    [
        "https://www.partner.example/2026/11/port-brokers/",
        "https://WWW.Partner.Example/2026/11/port-brokers/",
        "https://www.partner.example:443/2026/11/port-brokers/",
        "https://www.partner.example./2026/11/port-brokers/",
        "https://www.partner.example/2026/11/port-brokers/?utm_source=x&email=a@b.example",
        "https://www.partner.example/2026/11/port-brokers/#comments",
        "  https://www.partner.example/2026/11/port-brokers/?session=abc#top",
    ],
)
def test_forms_of_one_page_url_are_counted_as_that_page(referer):
    page = page_from_referer(referer)
    assert page is not None
    assert (page.site, page.url) == ("partner.example", PARTNER)


def test_different_pages_and_ports_stay_apart():
    assert page_from_referer("http://partner.example/a").url == "http://partner.example/a"
    assert page_from_referer("https://partner.example").url == "https://partner.example/"
    assert page_from_referer("https://partner.example:8443/a").url == (
        "https://partner.example:8443/a"
    )
    assert page_from_referer("https://blog.partner.example/a").site == "blog.partner.example"
    assert page_from_referer("https://bücher.example/a").site == "xn--bcher-kva.example"


def test_a_long_url_is_cut_to_the_column_length():
    page = page_from_referer("https://partner.example/" + "a" * 2000)
    assert len(page.url) == 500


@pytest.mark.parametrize(
    "referer",
    [
        "",
        "not a url",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "file:///etc/passwd",
        "ftp://partner.example/file",
        "android-app://com.partner.news/",
        "https://",
        "http://[::1",
        "http://partner.example:99999/",
        "http://127.0.0.1/story",
        "http://10.0.0.5:8080/story",
        "http://[2001:db8::1]/story",
        "http://localhost:3000/story",
        "http://staging.localhost/story",
        "http://printer.local/story",
        "http://intranet/story",
        "http://cms.internal/story",
        "http://under_score$.example/x",
        "https://partner.example/" + "a" * 5000,  # longer than any Referer we read
        "https://partner.example/wp-admin/post.php",
        "https://partner.example/ghost/editor/post/1",
        "https://partner.example/2026/11/draft/?preview=true",
        "https://partner.example/?p=12&preview_id=12",
    ],
)
def test_junk_local_and_editor_referers_are_not_counted(client, referer):
    article = ArticleFactory()
    hold_flushes()
    assert hit(client, article, referer=referer).status_code == 200  # still an image
    assert counted() == {}


def test_a_missing_referer_is_not_counted(client):
    hold_flushes()
    hit(client, ArticleFactory(), referer=None)
    assert counted() == {}


@pytest.mark.parametrize(
    "referer",
    [
        "http://testserver/article/port-brokers/",  # SITE_URL
        "https://www.testserver.example/x",
        "https://news.testserver.example/x",
    ],
)
def test_our_own_hosts_are_ignored(client, settings, referer):
    settings.ALLOWED_HOSTS = ["testserver", ".testserver.example"]
    hold_flushes()
    hit(client, ArticleFactory(), referer=referer)
    assert counted() == {}


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/131.0.0.0 Safari/537.36",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
        "   ",
    ],
)
def test_bots_are_not_counted(client, user_agent):
    hold_flushes()
    hit(client, ArticleFactory(), user_agent=user_agent)
    assert counted() == {}


def test_a_head_request_gets_the_image_but_is_not_a_view(client):
    hold_flushes()
    response = client.head(
        reverse("republish:pixel", args=[ArticleFactory().pk]),
        HTTP_REFERER=PARTNER,
        HTTP_USER_AGENT=BROWSER,
    )
    assert response.status_code == 200
    assert counted() == {}


def test_views_of_an_unknown_or_deleted_article_are_dropped_at_the_flush(client):
    article = ArticleFactory()
    hold_flushes()
    client.get(
        reverse("republish:pixel", args=[article.pk + 1000]),
        HTTP_REFERER=PARTNER,
        HTTP_USER_AGENT=BROWSER,
    )
    hit(client, article)
    assert counted() == {("partner.example", PARTNER): 1}


def test_nothing_personal_is_stored_in_rows_or_counter_keys(client):
    article = ArticleFactory()
    hold_flushes()
    secret = "reader@example.org"
    hit(
        client,
        article,
        referer=f"https://partner.example/story/?email={secret}#token=s3cr3t",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        HTTP_COOKIE="sessionid=abc; tracking=xyz",
    )
    waiting = repr(counters.store().pending())
    for personal in (secret, "s3cr3t", "203.0.113.9", "198.51.100.7", "abc", "xyz", "Chrome"):
        assert personal not in waiting
    counters.flush()
    fields = {field.name for field in Republication._meta.get_fields()}
    assert fields == {"id", "article", "day", "site", "page_url", "views"}
    row = Republication.objects.values().get()
    assert row["page_url"] == "https://partner.example/story/"
    for personal in (secret, "s3cr3t", "203.0.113.9", "198.51.100.7", "abc", "xyz", "Chrome"):
        assert personal not in repr(row)


def test_redis_keys_hold_only_day_article_and_page(client, redis_store):
    import redis as redis_lib

    from tests.republish.conftest import REDIS_URL

    article = ArticleFactory()
    hold_flushes()
    hit(
        client,
        article,
        referer="https://partner.example/story/?email=reader@example.org",
        REMOTE_ADDR="203.0.113.9",
    )
    client_ = redis_lib.Redis.from_url(REDIS_URL)
    keys = sorted(k.decode() for k in client_.scan_iter(f"{redis_store.prefix}*"))
    assert keys == [
        f"{redis_store.prefix}dirty",
        f"{redis_store.prefix}n:{_today()}:{article.pk}:https://partner.example/story/",
    ]
    values = [
        client_.get(keys[1]),
        sorted(client_.smembers(keys[0])),
    ]
    assert values[0] == b"1"
    assert "203.0.113.9" not in repr(values) and "reader@" not in repr(values)
    assert 0 < client_.ttl(keys[1]) <= counters.KEY_TTL


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


def test_redis_down_still_answers_with_the_image(client, settings, caplog):
    settings.REPUBLISH_REDIS_URL = "redis://127.0.0.1:1/7"  # nothing listens on port 1
    settings.REPUBLISH_BUFFER_SECONDS = 0  # written through (buffered: test_flush.py)
    counters._store_for.cache_clear()
    hold_flushes()
    response = hit(client, ArticleFactory())
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert "could not count a view" in caplog.text


def _wsgi_get(path: str, method: str = "GET", **headers):
    from django.test import RequestFactory

    from newsroom.wsgi import application

    environ = RequestFactory().generic(method, path, **headers).environ
    seen: list = []
    body = b"".join(application(environ, lambda status, hdrs: seen.extend([status, hdrs])))
    return seen[0], dict(seen[1]), body


def test_the_wsgi_entry_point_answers_the_pixel_like_the_view_before_django(client):
    article = ArticleFactory()
    hold_flushes()
    path = reverse("republish:pixel", args=[article.pk])
    headers = {"HTTP_REFERER": PARTNER, "HTTP_USER_AGENT": BROWSER}
    with CaptureQueriesContext(connection) as queries:
        status, wsgi_headers, body = _wsgi_get(path, **headers)
    assert len(queries) == 0
    view = hit(client, article)
    assert status == "200 OK"
    assert body == view.content
    for name in ("Content-Type", "Cache-Control", "Cross-Origin-Resource-Policy", "Expires"):
        assert wsgi_headers[name] == view[name], name
    assert "Set-Cookie" not in wsgi_headers
    # Both counted, through the same rules.
    _wsgi_get(path, HTTP_REFERER="http://localhost/x", HTTP_USER_AGENT=BROWSER)
    _wsgi_get(path, HTTP_REFERER=PARTNER, HTTP_USER_AGENT="Googlebot/2.1")
    _wsgi_get(path, "HEAD", **headers)
    assert counted() == {("partner.example", PARTNER): 2}


def test_the_wsgi_entry_point_leaves_every_other_path_to_django():
    status, _, _ = _wsgi_get("/republish/pixel/12.gif/extra")
    assert status.startswith("404")
    status, _, _ = _wsgi_get("/republish/pixel/abc.gif")
    assert status.startswith("404")


def test_the_fast_path_matches_the_url_the_pages_give_out():
    from republish.wsgi import PIXEL_PATH

    assert PIXEL_PATH.fullmatch(reverse("republish:pixel", args=[123456]))
