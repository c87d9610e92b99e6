"""A real Varnish in front of the app: it caches public pages and lets go of them on change.

Starts Debian's varnishd with deploy/varnish/default.vcl (scripts/front-cache.sh) in front
of pytest-django's live server. Skipped where varnishd is not installed, except in CI
(``CI=1``), where the run installs it and a missing binary is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import pytest
from django.core.cache import cache

from articles.models import Article
from newsroom.pagecache import forget_local
from tests.factories import ArticleFactory

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "front-cache.sh"

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def varnish(live_server, settings) -> Iterator[str]:
    if not shutil.which("varnishd") and not os.path.exists("/usr/sbin/varnishd"):
        if os.environ.get("CI"):
            pytest.fail("varnishd is missing in CI: .ci/run installs Debian's varnish")
        pytest.skip("varnishd is not installed (apt-get install varnish)")
    host, port = live_server.url.removeprefix("http://").split(":")
    listen = _free_port()
    subprocess.run([SCRIPT, "start", str(listen), host, port], check=True, capture_output=True)
    url = f"http://127.0.0.1:{listen}"
    settings.PAGE_CACHE = True
    settings.FRONT_CACHE_PURGE_URLS = [f"{url}/"]
    settings.ALLOWED_HOSTS = ["*"]
    cache.clear()
    forget_local()
    yield url
    subprocess.run([SCRIPT, "stop", str(listen)], check=False, capture_output=True)
    cache.clear()
    forget_local()


def fetch(url: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_varnish_serves_a_public_page_from_its_cache(varnish):
    article = ArticleFactory(title="Port brokers fund the laboratories")
    url = varnish + article.get_absolute_url()

    first = fetch(url)
    second = fetch(url)

    assert first[0] == second[0] == 200
    assert first[1]["X-Front-Cache"] == "miss"
    assert second[1]["X-Front-Cache"] == "hit"
    assert "Port brokers fund the laboratories" in second[2]


def test_an_edit_purges_the_front_cache_at_once(varnish):
    article = ArticleFactory(title="Port brokers fund the laboratories")
    url = varnish + article.get_absolute_url()
    fetch(url)
    assert fetch(url)[1]["X-Front-Cache"] == "hit"
    assert fetch(varnish + "/")[0] == 200
    assert fetch(varnish + "/")[1]["X-Front-Cache"] == "hit"

    article.title = "Prosecutors name the port brokers"
    article.save()  # autocommit: the ban goes out as the save commits

    _, headers, body = fetch(url)
    assert headers["X-Front-Cache"] == "miss"
    assert "Prosecutors name the port brokers" in body
    assert "Prosecutors name the port brokers" in fetch(varnish + "/")[2]


def test_unpublishing_through_varnish_is_a_404_at_once(varnish):
    article = ArticleFactory()
    url = varnish + article.get_absolute_url()
    fetch(url)
    assert fetch(url)[1]["X-Front-Cache"] == "hit"

    article.status = Article.Status.DRAFT
    article.publish_at = None
    article.save()

    assert fetch(url)[0] == 404


def test_readers_with_a_session_and_the_donate_flow_pass_through(varnish):
    article = ArticleFactory()
    url = varnish + article.get_absolute_url()
    fetch(url)

    personal = fetch(url, cookie="sessionid=abc")
    donate = [fetch(varnish + "/donate/")[1]["X-Front-Cache"] for _ in range(2)]
    spanish_donate = [fetch(varnish + "/es/donate/")[1]["X-Front-Cache"] for _ in range(2)]
    spanish_search = [fetch(varnish + "/es/search/?q=x")[1]["X-Front-Cache"] for _ in range(2)]

    assert personal[1]["X-Front-Cache"] == "miss"
    assert donate == ["miss", "miss"]
    assert spanish_donate == ["miss", "miss"] and spanish_search == ["miss", "miss"]


def test_spanish_pages_are_cached_and_banned_like_english_ones(varnish):
    article = ArticleFactory(language="es", slug="una-nota")
    home, page = varnish + "/es/", varnish + article.get_absolute_url()
    for url in (home, page):
        fetch(url)
        assert fetch(url)[1]["X-Front-Cache"] == "hit", url

    article.title = "Un titular corregido"
    article.save()

    assert "Un titular corregido" in fetch(page)[2]
    assert "Un titular corregido" in fetch(home)[2]


def test_only_the_app_servers_may_ban(varnish):
    request = urllib.request.Request(varnish + "/", method="BAN")  # no tag
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
