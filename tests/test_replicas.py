"""The read-replica router against a real PostgreSQL streaming replica.

``scripts/replica.sh start`` makes a physical replica of the local primary (pg_basebackup -R)
on port 5433. The data lives in a real database, ``newsroom_replica_test``, created on the
primary (and migrated) at the start of the session, so it replicates. Django's test database
would not do: the test runner turns every replica alias into a mirror of it, and then "read
from the replica" would prove nothing. So this module runs in its own pytest invocation
(``.ci/run``) with

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_replica_test
    DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5433/newsroom_replica_test

and is skipped, saying so, in the ordinary suite. Replication lag is made real and as long as
a test needs by pausing replay on the replica (``pg_wal_replay_pause()``): the replica then
keeps the old state while the primary moves on.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, HelpfulVote
from newsroom import db_router
from tests.factories import ArticleFactory, UserFactory

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "replica.sh"
DATABASE = "newsroom_replica_test"
REPLICA = "replica_1"
CHANGELIST = "/admin/articles/article/"
_configured = (
    settings.DATABASES["default"].get("NAME") == DATABASE
    and settings.DATABASES.get(REPLICA, {}).get("NAME") == DATABASE
)

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(
        not _configured,
        reason=(
            f"replica tests need DATABASE_URL=postgres://postgres@127.0.0.1:5432/{DATABASE} and "
            f"DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5433/{DATABASE} "
            "(a separate pytest run; see .ci/run)"
        ),
    ),
]


def _script(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), command], capture_output=True, text=True, timeout=120, check=False
    )


def _primary_admin_connection() -> psycopg.Connection:
    """A connection to the primary's maintenance database, to drop and create ours."""
    primary = settings.DATABASES["default"]
    return psycopg.connect(
        host=primary["HOST"],
        port=primary["PORT"],
        user=primary["USER"],
        dbname="postgres",
        autocommit=True,
    )


def _create_database() -> None:
    """Once per machine; later runs reuse it (every test names its rows uniquely)."""
    with _primary_admin_connection() as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if exists.fetchone() is None:
            admin.execute(f"CREATE DATABASE {DATABASE}")


def _scalar(alias: str, sql: str, params: list | None = None):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def _wait_until_replayed(timeout: float = 15.0) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    target = _scalar("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not _scalar(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
        if time.monotonic() > deadline:
            pytest.fail(f"the replica did not replay up to {target} within {timeout} s")
        time.sleep(0.05)


def _pause_replay() -> None:
    _wait_until_replayed()
    _scalar(REPLICA, "SELECT pg_wal_replay_pause()::text")
    # The pause is a request: replay stops at the next record boundary, so wait for it.
    while _scalar(REPLICA, "SELECT pg_get_wal_replay_pause_state()") != "paused":
        time.sleep(0.02)


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _editor_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username=_unique("editor"), role="Editor"))
    return client


def _looked_up(queries: CaptureQueriesContext, slug: str) -> bool:
    """Did these queries look the article up (by its slug)? Other bookkeeping reads, such
    as the page cache's "next scheduled publication", may go to the primary."""
    return any(slug in query["sql"] for query in queries.captured_queries)


@pytest.fixture(scope="session")
def replica_session(django_db_blocker) -> Iterator[None]:
    """A fresh database on the primary, migrated, and a streaming replica of it."""
    required = os.environ.get("REPLICA_TESTS_REQUIRED") == "1"  # CI: a skip is a failure
    was_running = _script("status").returncode == 0
    with django_db_blocker.unblock():
        _create_database()
        call_command("migrate", database="default", verbosity=0, interactive=False)
    started = _script("start")
    if started.returncode != 0:
        message = f"scripts/replica.sh start failed: {started.stderr.strip()[-800:]}"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    yield
    for connection in connections.all():
        connection.close()
    if not was_running:
        _script("stop")


@pytest.fixture
def router_state(replica_session, django_db_blocker, settings) -> Iterator[None]:
    """Database access and a clean router state (no replica marked down, no watermark)."""
    # Pages straight from Django: the page cache would answer repeated GETs itself.
    settings.PAGE_CACHE = False
    db_router._down_until.clear()
    db_router._reached.clear()
    with django_db_blocker.unblock():
        from django.core.cache import caches

        caches["default"].delete(db_router.WATERMARK_KEY)
        yield
        for connection in connections.all():
            connection.close()


@pytest.fixture
def replica(router_state) -> Iterator[None]:
    """A running replica, replaying normally again after the test."""
    if _script("status").returncode != 0:  # an earlier test stopped it
        assert _script("start").returncode == 0
    yield
    if _script("status").returncode == 0:
        _scalar(REPLICA, "SELECT pg_wal_replay_resume()::text")


@pytest.fixture
def stopped_replica(router_state) -> None:
    """The replica's server is down (its address refuses connections)."""
    if _script("status").returncode == 0:
        assert _script("stop").returncode == 0
    for connection in connections.all():
        connection.close()  # nothing left open: a request has to connect to the replica


def test_anonymous_article_page_is_read_from_the_replica(replica):
    article = ArticleFactory(slug=_unique("story"), title="Old headline on both servers")
    _pause_replay()
    Article.objects.filter(pk=article.pk).update(title="New headline on the primary only")

    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = Client().get(f"/article/{article.slug}/")

    assert response.status_code == 200
    assert "Old headline on both servers" in response.text  # the replica's (older) state
    assert _looked_up(on_replica, article.slug)
    assert not _looked_up(on_primary, article.slug)


def test_reader_write_goes_to_the_primary_and_the_reader_then_reads_the_primary(replica):
    article = ArticleFactory(slug=_unique("story"), title="Headline before the vote")
    _pause_replay()
    reader = Client()

    response = reader.post(f"/article/{article.slug}/helpful/", {"helpful": "yes"})

    assert response.status_code == 302
    # Written on the primary; the paused replica has not seen it (a write sent to a
    # read-only replica would have failed outright).
    assert HelpfulVote.objects.using("default").filter(article=article).count() == 1
    assert not HelpfulVote.objects.using(REPLICA).filter(article_id=article.pk).exists()
    # For a few seconds this browser reads its own writes: the primary.
    Article.objects.filter(pk=article.pk).update(title="Headline after the vote")
    assert "Headline after the vote" in reader.get(f"/article/{article.slug}/").text
    # Another reader, who wrote nothing, is still served by the lagging replica.
    assert "Headline before the vote" in Client().get(f"/article/{article.slug}/").text


def test_reader_is_back_on_the_replica_when_the_pin_expires(replica, settings):
    settings.DATABASE_PRIMARY_PIN_SECONDS = 1
    article = ArticleFactory(slug=_unique("story"), title="Headline the replica has")
    _pause_replay()
    reader = Client()
    reader.post(f"/article/{article.slug}/helpful/", {"helpful": "no"})
    Article.objects.filter(pk=article.pk).update(title="Headline only the primary has")

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=2)):  # past the max age
        response = reader.get(f"/article/{article.slug}/")

    assert "Headline the replica has" in response.text


def test_editor_reads_their_own_write_while_the_replica_lags(replica):
    article = ArticleFactory(slug=_unique("story"), title="A story about to be pulled")
    _pause_replay()
    editor = _editor_client()

    response = editor.post(CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]})

    assert response.status_code == 302
    assert Article.objects.using("default").get(pk=article.pk).status == Article.Status.DRAFT
    # The editor sees the draft at once: gone from the public page, a draft in the admin.
    assert editor.get(f"/article/{article.slug}/").status_code == 404
    assert "Draft" in editor.get(f"{CHANGELIST}?q={article.slug}").text
    # So does any other signed-in editor (no pin cookie: being signed in is enough).
    assert _editor_client().get(f"/article/{article.slug}/").status_code == 404
    # Anonymous readers still get the replica's state until replay catches up.
    assert Client().get(f"/article/{article.slug}/").status_code == 200


def test_article_published_a_moment_ago_is_found_on_the_primary_not_a_404(replica):
    _pause_replay()
    fresh = ArticleFactory(slug=_unique("just-published"), title="Published a moment ago")
    assert not Article.objects.using(REPLICA).filter(slug=fresh.slug).exists()

    response = Client().get(f"/article/{fresh.slug}/")

    assert response.status_code == 200
    assert "Published a moment ago" in response.text
    # A page that exists nowhere is still a 404 (after asking the primary too).
    assert Client().get(f"/article/{_unique('no-such-story')}/").status_code == 404


def test_page_after_a_public_change_is_never_rendered_from_a_replica_behind_it(replica):
    article = ArticleFactory(slug=_unique("story"), title="Before the correction")
    _pause_replay()
    Article.objects.filter(pk=article.pk).update(title="After the correction")
    # What the page cache does after every public change, before it retires cached pages.
    db_router.note_public_change()

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = Client().get(f"/article/{article.slug}/")

    # The replica is behind the change, so this render (the one a cache would keep) comes
    # from the primary; the replica was only asked how far it has replayed.
    assert "After the correction" in response.text
    assert not _looked_up(on_replica, article.slug)
    # Once it has caught up, readers are on the replica again.
    _scalar(REPLICA, "SELECT pg_wal_replay_resume()::text")
    _wait_until_replayed()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert "After the correction" in Client().get(f"/article/{article.slug}/").text
    assert _looked_up(on_replica, article.slug)


def test_writes_inside_a_transaction_read_the_primary(replica):
    from django.db import transaction

    token = db_router._read_alias.set(REPLICA)  # as in an anonymous GET
    try:
        assert Article.objects.all().db == REPLICA
        with transaction.atomic():
            assert Article.objects.all().db == "default"
        assert Article.objects.select_for_update().db == "default"
    finally:
        db_router._read_alias.reset(token)


def test_reader_gets_pages_from_the_primary_when_the_replica_is_down(replica, caplog):
    article = ArticleFactory(slug=_unique("story"), title="Served whatever happens")
    _wait_until_replayed()
    reader = Client()
    assert reader.get(f"/article/{article.slug}/").status_code == 200  # connects to it

    assert _script("stop").returncode == 0
    first = reader.get(f"/article/{article.slug}/")  # its open connection breaks
    second = Client().get(f"/article/{article.slug}/")  # would have to connect afresh

    # The request whose replica connection broke is answered from the primary, not a 500;
    # the next ones do not try the replica again for a while (one failure, one warning).
    assert first.status_code == 200 and "Served whatever happens" in first.text
    assert second.status_code == 200 and "Served whatever happens" in second.text
    unreachable = [r for r in caplog.records if "is unreachable" in r.getMessage()]
    assert len(unreachable) == 1
    # The load balancer keeps this server: a replica is not needed to serve.
    assert Client().get("/readyz").status_code == 200


def test_reader_gets_pages_from_the_primary_when_the_replica_cannot_be_reached(
    stopped_replica,
):
    article = ArticleFactory(slug=_unique("story"), title="Served with no replica at all")

    response = Client().get(f"/article/{article.slug}/")

    assert response.status_code == 200 and "Served with no replica at all" in response.text
