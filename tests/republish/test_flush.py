"""Moving counts into the database: exactly once, whoever flushes and whenever hits land."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from republish import counters
from republish.models import FlushBatch, Republication
from tests.factories import ArticleFactory
from tests.republish.conftest import hold_flushes

PAGE = "https://partner.example/story/"


def _total() -> int:
    return sum(Republication.objects.values_list("views", flat=True))


@pytest.mark.django_db
def test_flushing_twice_writes_each_view_once(redis_store):
    article = ArticleFactory()
    key = (timezone.localdate(), article.pk, PAGE)
    for _ in range(5):
        redis_store.add(key)
    assert counters.flush() == 5
    assert counters.flush() == 0
    assert _total() == 5
    redis_store.add(key, 2)
    assert counters.flush() == 2
    assert Republication.objects.get().views == 7  # added to the same row


@pytest.mark.django_db
def test_a_batch_left_by_a_flusher_that_died_is_applied_once(redis_store):
    article = ArticleFactory()
    redis_store.add((timezone.localdate(), article.pk, PAGE), 4)
    # A flusher claims the counts, then dies before writing them.
    claimed = redis_store._claim(
        keys=[redis_store.dirty, redis_store._batch_key("dead1"), redis_store.batches],
        args=["dead1", counters.CLAIM_CHUNK],
    )
    assert claimed == 1 and redis_store.pending() == {}
    assert counters.flush() == 4
    assert _total() == 4


@pytest.mark.django_db
def test_a_batch_written_but_not_cleaned_up_is_not_counted_again(redis_store):
    article = ArticleFactory()
    redis_store.add((timezone.localdate(), article.pk, PAGE), 3)
    redis_store._claim(
        keys=[redis_store.dirty, redis_store._batch_key("dead2"), redis_store.batches],
        args=["dead2", counters.CLAIM_CHUNK],
    )
    # The flusher wrote the batch to the database, then died before deleting it in Redis.
    counts = {(timezone.localdate(), article.pk, PAGE): 3}
    assert counters._apply(counts, batch_id="dead2") == 3
    assert counters.flush() == 0  # found in FlushBatch: only cleaned up
    assert _total() == 3
    assert not redis_store.client.exists(redis_store._batch_key("dead2"))
    assert FlushBatch.objects.filter(pk="dead2").exists()


@pytest.mark.django_db(transaction=True)
def test_hits_during_flushes_are_neither_lost_nor_counted_twice(redis_store):
    if connection.vendor == "sqlite":
        # The in-memory test database locks whole tables across threads; two flushers
        # writing at once is a production (PostgreSQL) situation.
        pytest.skip("concurrent flushers need PostgreSQL")
    """Four threads hit while two threads flush in a loop, each with its own database
    connection (real concurrent transactions); the database ends with every hit once."""
    articles = [ArticleFactory(), ArticleFactory()]
    pages = [f"https://partner{n}.example/story/" for n in range(5)]
    hits_per_thread = 400
    stop = threading.Event()
    errors: list[BaseException] = []

    def hitter(n: int) -> None:
        try:
            for i in range(hits_per_thread):
                article = articles[(n + i) % 2]
                redis_store.add((timezone.localdate(), article.pk, pages[i % len(pages)]))
        except BaseException as exc:  # reported below
            errors.append(exc)

    def flusher() -> None:
        try:
            while not stop.is_set():
                counters.flush()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    flushers = [threading.Thread(target=flusher) for _ in range(2)]
    hitters = [threading.Thread(target=hitter, args=(n,)) for n in range(4)]
    for thread in [*flushers, *hitters]:
        thread.start()
    for thread in hitters:
        thread.join()
    stop.set()
    for thread in flushers:
        thread.join()
    assert not errors, errors
    counters.flush()
    assert _total() == 4 * hits_per_thread
    assert Republication.objects.count() == 2 * len(pages)  # one row per article and page
    assert redis_store.pending() == {}
    assert FlushBatch.objects.count() >= 1


@pytest.mark.django_db(transaction=True)
def test_without_redis_hits_during_a_flush_are_kept_for_the_next(settings):
    store = counters.store()
    assert store.process_local
    article = ArticleFactory()
    key = (timezone.localdate(), article.pk, PAGE)
    total = 0
    stop = threading.Event()

    def hitter() -> None:
        nonlocal total
        while not stop.is_set() and total < 3000:
            store.add(key)
            total += 1

    thread = threading.Thread(target=hitter)
    thread.start()
    for _ in range(5):
        counters.flush()
    stop.set()
    thread.join()
    counters.flush()
    assert _total() == total


@pytest.mark.django_db
def test_a_failed_database_write_keeps_the_counts_in_memory(monkeypatch):
    article = ArticleFactory()
    store = counters.store()
    store.add((timezone.localdate(), article.pk, PAGE), 3)

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(counters, "_upsert", broken)
    with pytest.raises(RuntimeError):
        counters.flush()
    monkeypatch.undo()
    assert counters.flush() == 3
    assert _total() == 3


@pytest.mark.django_db
def test_the_management_command_flushes(capsys, redis_store):
    article = ArticleFactory()
    redis_store.add((timezone.localdate(), article.pk, PAGE), 2)
    call_command("flush_republications")
    assert "2 republication views written." in capsys.readouterr().out
    assert _total() == 2


@pytest.mark.django_db
def test_counts_from_yesterday_land_on_yesterday(redis_store):
    article = ArticleFactory()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    redis_store.add((yesterday, article.pk, PAGE), 2)
    redis_store.add((timezone.localdate(), article.pk, PAGE), 1)
    counters.flush()
    assert dict(Republication.objects.values_list("day", "views")) == {
        yesterday: 2,
        timezone.localdate(): 1,
    }


@pytest.mark.django_db
def test_with_a_queue_the_first_hit_enqueues_one_deferred_flush(settings, redis_store, client):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    article = ArticleFactory()
    for _ in range(3):
        client.get(
            f"/republish/pixel/{article.pk}.gif",
            HTTP_REFERER=PAGE,
            HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        )
    queued = DBTaskResult.objects.filter(task_path="republish.tasks.flush_republications")
    assert queued.count() == 1
    assert queued.get().run_after > timezone.now()
    assert Republication.objects.count() == 0  # waiting for the worker, not in the request


@pytest.mark.django_db
def test_a_worker_sums_its_hits_and_pushes_them_to_redis_in_one_go(settings, redis_store, client):
    settings.REPUBLISH_BUFFER_SECONDS = 30  # the worker's thread will not push during the test
    counters._buffer_for.cache_clear()
    hold_flushes()
    article = ArticleFactory()
    for _ in range(4):
        client.get(
            f"/republish/pixel/{article.pk}.gif",
            HTTP_REFERER=PAGE,
            HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        )
    assert redis_store.pending() == {}  # still in this worker
    assert counters.drain_buffer() == 4
    assert redis_store.pending() == {(timezone.localdate(), article.pk, PAGE): 4}
    # The flush (task or command) pushes this process's buffer first, then writes.
    client.get(
        f"/republish/pixel/{article.pk}.gif",
        HTTP_REFERER=PAGE,
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
    )
    assert counters.flush() == 5
    assert _total() == 5


@pytest.mark.django_db
def test_a_failed_push_to_redis_keeps_the_worker_s_counts(settings, redis_store, monkeypatch):
    settings.REPUBLISH_BUFFER_SECONDS = 30
    counters._buffer_for.cache_clear()
    buffer = counters._buffer_for(redis_store)
    article = ArticleFactory()
    key = (timezone.localdate(), article.pk, PAGE)
    buffer.add(key)
    buffer.add(key)

    def down(counts):
        raise ConnectionError("Redis restarting")

    monkeypatch.setattr(redis_store, "add_many", down)
    with pytest.raises(ConnectionError):
        buffer.drain()
    monkeypatch.undo()
    assert buffer.drain() == 2
    assert redis_store.pending() == {key: 2}
