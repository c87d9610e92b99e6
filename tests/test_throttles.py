"""Login lockouts, reader write throttles and the client address they all agree on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client, RequestFactory

from articles.models import HelpfulVote, ReaderComment
from newsroom import ratelimit
from tests.factories import ArticleFactory, UserFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def _login(client: Client, username: str, password: str, **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        **extra,
    )


def _signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


# --- The client address ---------------------------------------------------------------


def _request(remote: str = "10.0.0.1", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_ip(_request("10.0.0.1", "203.0.113.7")) == "10.0.0.1"


def test_client_is_the_hop_our_proxy_appended_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged "1.2.3.4"; our proxy appended the address it really saw.
    assert ratelimit.client_ip(_request("10.0.0.1", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"


def test_with_two_proxies_the_client_is_the_second_hop_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "1.2.3.4, 203.0.113.7, 198.51.100.2"  # forged, client, CDN
    assert ratelimit.client_ip(_request("10.0.0.1", forwarded)) == "203.0.113.7"


def test_a_request_that_skipped_the_proxies_falls_back_to_the_socket_address(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert ratelimit.client_ip(_request("10.0.0.1", "203.0.113.7")) == "10.0.0.1"
    assert ratelimit.client_ip(_request("10.0.0.1", "not-an-ip, x")) == "10.0.0.1"


# --- Admin login lockout (django-axes) ------------------------------------------------


@pytest.mark.django_db
def test_admin_login_locks_after_five_failures_even_with_the_right_password():
    assert django_settings.AXES_FAILURE_LIMIT == 5  # the documented default
    user = UserFactory(username="rosa", role="Editor")
    client = Client()
    codes = [_login(client, user.username, "wrong password").status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]  # the fifth failure already answers with the lockout
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)


@pytest.mark.django_db
def test_locked_out_editor_sees_a_page_saying_how_long_to_wait():
    user = UserFactory(username="rosa", role="Editor")
    client = Client()
    for _ in range(6):
        response = _login(client, user.username, "wrong password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts." in page
    assert "paused for 60 minutes" in page
    assert "admin/locked_out.html" in [template.name for template in response.templates]


@pytest.mark.django_db
def test_fewer_failures_than_the_limit_still_let_the_right_password_in():
    user = UserFactory(username="rosa", role="Editor")
    client = Client()
    for _ in range(4):
        _login(client, user.username, "wrong password")
    assert _login(client, user.username, PASSWORD).status_code == 302
    assert _signed_in(client)


@pytest.mark.django_db
def test_lockout_is_per_username_and_ip_so_others_are_not_locked_out():
    rosa = UserFactory(username="rosa", role="Editor")
    luis = UserFactory(username="luis", role="Editor")
    for _ in range(6):
        _login(Client(), rosa.username, "wrong password", REMOTE_ADDR="203.0.113.7")
    # Rosa from her own address, and a colleague behind the attacker's address, get in.
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    assert _login(elsewhere, rosa.username, PASSWORD).status_code == 302
    colleague = Client(REMOTE_ADDR="203.0.113.7")
    assert _login(colleague, luis.username, PASSWORD).status_code == 302
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    assert _login(attacker, rosa.username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_lockout(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    user = UserFactory(username="rosa", role="Editor")
    for n in range(6):
        _login(Client(), user.username, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    client = Client(HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert _login(client, user.username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_lockout_follows_the_forwarded_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory(username="rosa", role="Editor")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every request arrives from the proxy
    for _ in range(6):
        _login(Client(**proxy), user.username, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7")
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert _login(attacker, user.username, PASSWORD).status_code == 429
    # The real editor reaches the same proxy from another address and is not locked out.
    editor = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert _login(editor, user.username, PASSWORD).status_code == 302


# --- Reader comments and helpful votes ------------------------------------------------


def _comment(client: Client, slug: str, message: str = "The port figures match ours."):
    return client.post(
        f"/article/{slug}/comment/",
        {"name": "Rosa", "email": "rosa@example.org", "message": message},
    )


@pytest.mark.django_db
def test_comments_are_throttled_per_client_ip_and_the_typed_text_survives(settings):
    settings.COMMENT_RATE_LIMIT = 3
    article = ArticleFactory()
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert _comment(client, article.slug).status_code == 302
    response = _comment(client, article.slug, message="One more thing about the port.")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Please wait a few minutes" in page
    assert "One more thing about the port." in page  # the form comes back filled in
    assert ReaderComment.objects.count() == 3
    # Another reader is not affected.
    assert _comment(Client(REMOTE_ADDR="198.51.100.2"), article.slug).status_code == 302


@pytest.mark.django_db
def test_comment_throttle_defaults_to_five_per_ten_minutes():
    assert (django_settings.COMMENT_RATE_LIMIT, django_settings.COMMENT_RATE_WINDOW) == (5, 600)
    article = ArticleFactory()
    codes = [_comment(Client(), article.slug).status_code for _ in range(7)]
    assert codes == [302] * 5 + [429] * 2


@pytest.mark.django_db
def test_helpful_votes_from_fresh_sessions_are_throttled_per_client_ip(settings):
    settings.HELPFUL_VOTE_RATE_LIMIT = 4
    article = ArticleFactory()
    url = f"/article/{article.slug}/helpful/"
    codes = [Client().post(url, {"helpful": "yes"}).status_code for _ in range(6)]
    assert codes == [302] * 4 + [429] * 2
    assert HelpfulVote.objects.count() == 4
    response = Client().post(url, {"helpful": "yes"})
    assert "Too many answers from your network" in response.content.decode()
    other = Client(REMOTE_ADDR="198.51.100.2").post(url, {"helpful": "no"})
    assert other.status_code == 302 and HelpfulVote.objects.count() == 5


# --- The count is shared by every worker process --------------------------------------

# Runs in a separate Python process, as another gunicorn worker would: counts `n` attempts
# and prints how many were allowed.
_WORKER = textwrap.dedent(
    """
    import os, sys
    import django
    django.setup()
    from django.test import RequestFactory
    from newsroom import ratelimit
    scope, limit, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    print(sum(ratelimit.allow(request, scope=scope, limit=limit, window=10**9) for _ in range(n)))
    """
)


def _worker_env(redis_url: str | None) -> dict[str, str]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="0",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        SECRET_KEY=django_settings.SECRET_KEY,
        SITE_URL=django_settings.SITE_URL,
        LOG_LEVEL="WARNING",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _start_worker(scope: str, limit: int, n: int, redis_url: str | None = None):
    return subprocess.Popen(
        [sys.executable, "-c", _WORKER, scope, str(limit), str(n)],
        env=_worker_env(redis_url),
        stdout=subprocess.PIPE,
        text=True,
    )


def _allowed(worker: subprocess.Popen) -> int:
    out, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0
    return int(out.strip())


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="another process cannot open the in-memory SQLite test database",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_without_redis_another_worker_process_sees_the_same_count(settings):
    assert not settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    scope = f"test-{uuid.uuid4().hex}"
    assert _allowed(_start_worker(scope, limit=3, n=3)) == 3
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    # This process never counted; it refuses because the other one used the limit.
    assert ratelimit.allow(request, scope=scope, limit=3, window=10**9) is False


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_worker_processes_never_lose_an_increment():
    scope = f"test-{uuid.uuid4().hex}"
    workers = [_start_worker(scope, limit=60, n=50) for _ in range(2)]
    # 100 attempts against a limit of 60: exactly 60 allowed, whatever the interleaving.
    assert sum(_allowed(worker) for worker in workers) == 60


def _redis_url() -> str | None:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_with_redis_concurrent_worker_processes_share_one_exact_count(settings):
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis at TEST_REDIS_URL")
    import redis

    scope = f"test-{uuid.uuid4().hex}"
    try:
        workers = [_start_worker(scope, limit=60, n=50, redis_url=url) for _ in range(2)]
        assert sum(_allowed(worker) for worker in workers) == 60
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
        request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
        assert ratelimit.allow(request, scope=scope, limit=101, window=10**9) is True  # 101st
        assert ratelimit.allow(request, scope=scope, limit=101, window=10**9) is False  # 102nd
    finally:
        # The window is decades long: do not leave the counter behind in a shared Redis.
        server = redis.Redis.from_url(url)
        for key in server.scan_iter(match=f"*{scope}*"):
            server.delete(key)
