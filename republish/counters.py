"""Counting pixel views off the database, and moving the counts into it.

The hot path (``record_view``) adds one to a counter in this worker's memory; a thread of
the worker pushes those counters to Redis every ``REPUBLISH_BUFFER_SECONDS`` (one
pipeline: INCRBY on a key per article/day/page and SADD of the key to a set of dirty
keys), and so does the worker's exit. Nothing per hit touches the database or the
network: with a Redis round trip per hit the pixel served 1,212 req/s on this machine,
with the buffer 5,341 (benchmarks/pixel_throughput.py, README). The price: a worker
killed with SIGKILL loses at most the last second of its counts.
``REPUBLISH_BUFFER_SECONDS=0`` writes every hit through to Redis instead.

At most once per ``REPUBLISH_FLUSH_SECONDS`` a hit also schedules the task
``flush_republications`` (a cache ``add()`` is the guard), and ``manage.py
flush_republications`` does the same from cron.

Exactly once, under concurrency (tests/republish/test_flush.py):

1. A flush *claims* keys with one Lua script, atomic in Redis: SPOP a chunk of dirty
   keys, GET+DEL each counter and HINCRBY it into a batch hash named by a fresh id, and
   record that id in a set of pending batches. A hit that lands after the claim
   re-creates its counter and re-marks it dirty, so it waits for the next flush: never
   lost, never counted twice.
2. The batch is written to the database in one transaction together with a
   ``FlushBatch`` row carrying the batch id (primary key).
3. Then the batch hash is deleted. A flusher that dies between 2 and 3 leaves a pending
   batch; the next flush finds its id in ``FlushBatch`` and only deletes it. Two flushers
   picking up the same abandoned batch are serialised by the primary key.

Without Redis (``make run``) the counts live in this process's memory (a dict under a
lock), and the flush runs in this process: that is all one process can do, and it is
what ``make run`` is (one process).
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from republish.models import FlushBatch, Republication
from republish.referers import is_bot, page_from_referer

logger = logging.getLogger(__name__)

FLUSH_GUARD_KEY = "republish:flush-scheduled"
KEY_TTL = 14 * 24 * 3600  # a counter nobody flushed for two weeks is dropped, not kept forever
CLAIM_CHUNK = 1000
FLUSHED_BATCHES_KEPT = dt.timedelta(days=7)

# KEYS: dirty set, batch hash, pending-batches set; ARGV: batch id, chunk size.
CLAIM_SCRIPT = """
local keys = redis.call('SPOP', KEYS[1], ARGV[2])
local claimed = 0
for _, key in ipairs(keys) do
  local views = redis.call('GET', key)
  if views then
    redis.call('DEL', key)
    redis.call('HINCRBY', KEYS[2], key, views)
    claimed = claimed + 1
  end
end
if claimed > 0 then
  redis.call('SADD', KEYS[3], ARGV[1])
end
return claimed
"""

CountKey = tuple[dt.date, int, str]  # day, article id, page url


def record_view(*, article_id: int, referer: str, user_agent: str) -> bool:
    """Count one view of the pixel; ``False`` when it is not counted (bot, junk, ours)."""
    if is_bot(user_agent):
        return False
    page = page_from_referer(referer)
    if page is None:
        return False
    try:
        key = (timezone.localdate(), article_id, page.url)
        counts = store()
        if isinstance(counts, RedisCounts) and settings.REPUBLISH_BUFFER_SECONDS > 0:
            _buffer_for(counts).add(key)
        else:
            counts.add(key)
        _schedule_flush()
    except Exception:
        # Redis down: the partner's page still gets its image; this view is lost and logged.
        logger.exception("republish: could not count a view of article %s", article_id)
        return False
    return True


_next_schedule_attempt = 0.0


def _schedule_flush() -> None:
    global _next_schedule_attempt
    # A process-local clock first, so most hits skip the shared guard's round trip.
    now = time.monotonic()
    if now < _next_schedule_attempt:
        return
    interval = settings.REPUBLISH_FLUSH_SECONDS
    _next_schedule_attempt = now + min(interval, 5)
    if not django_cache.add(FLUSH_GUARD_KEY, 1, timeout=interval):
        return
    from newsroom.tasks import can_defer, enqueue
    from republish.tasks import flush_republications

    if store().process_local:
        flush()  # the counts are in this process: a worker elsewhere could not see them
    elif can_defer(flush_republications):
        # Everything counted during the interval goes in one flush at its end.
        enqueue(flush_republications, run_after=timezone.now() + dt.timedelta(seconds=interval))
    else:
        enqueue(flush_republications)


# --- where the counts wait ------------------------------------------------------------


class MemoryCounts:
    """One process's counts (no Redis)."""

    process_local = True

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[CountKey] = Counter()

    def add(self, key: CountKey, views: int = 1) -> None:
        with self._lock:
            self._counts[key] += views

    def pending(self) -> dict[CountKey, int]:
        with self._lock:
            return dict(self._counts)

    def flush(self) -> int:
        with self._lock:
            taken, self._counts = self._counts, Counter()
        if not taken:
            return 0
        try:
            _apply(dict(taken), batch_id=uuid.uuid4().hex)
        except Exception:
            for key, views in taken.items():  # put them back for the next flush
                self.add(key, views)
            raise
        return sum(taken.values())


class RedisCounts:
    """Counts shared by every worker process, in Redis."""

    process_local = False

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.dirty = f"{prefix}dirty"
        self.batches = f"{prefix}batches"
        self._claim = self.client.register_script(CLAIM_SCRIPT)

    def _key(self, key: CountKey) -> str:
        day, article_id, url = key
        return f"{self.prefix}n:{day.isoformat()}:{article_id}:{url}"

    def _parse(self, raw: bytes | str) -> CountKey | None:
        text = raw.decode() if isinstance(raw, bytes) else raw
        try:
            day, article_id, url = text.removeprefix(f"{self.prefix}n:").split(":", 2)
            return dt.date.fromisoformat(day), int(article_id), url
        except ValueError:
            logger.error("republish: unreadable counter key %r dropped", text)
            return None

    def add(self, key: CountKey, views: int = 1) -> None:
        self.add_many({key: views})

    def add_many(self, counts: dict[CountKey, int]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for key, views in counts.items():
            name = self._key(key)
            # The counter first: a flush never finds a dirty key ahead of its count.
            pipe.incrby(name, views)
            pipe.expire(name, KEY_TTL, nx=True)
            pipe.sadd(self.dirty, name)
        pipe.execute()

    def pending(self) -> dict[CountKey, int]:
        counts: dict[CountKey, int] = {}
        for name in self.client.smembers(self.dirty):
            value = self.client.get(name)
            key = self._parse(name)
            if value and key:
                counts[key] = counts.get(key, 0) + int(value)
        return counts

    def flush(self) -> int:
        views = 0
        # Batches claimed by a flusher that stopped before cleaning up (or is still at it).
        for batch_id in self.client.smembers(self.batches):
            views += self._apply_batch(batch_id.decode())
        while True:
            batch_id = uuid.uuid4().hex
            claimed = self._claim(
                keys=[self.dirty, self._batch_key(batch_id), self.batches],
                args=[batch_id, CLAIM_CHUNK],
            )
            if not claimed:
                return views
            views += self._apply_batch(batch_id)

    def _batch_key(self, batch_id: str) -> str:
        return f"{self.prefix}batch:{batch_id}"

    def _apply_batch(self, batch_id: str) -> int:
        raw = self.client.hgetall(self._batch_key(batch_id))
        counts: dict[CountKey, int] = {}
        for name, value in raw.items():
            key = self._parse(name)
            if key is not None:
                counts[key] = counts.get(key, 0) + int(value)
        applied = _apply(counts, batch_id=batch_id) if counts else 0
        pipe = self.client.pipeline()
        pipe.delete(self._batch_key(batch_id))
        pipe.srem(self.batches, batch_id)
        pipe.execute()
        return applied


class WorkerBuffer:
    """This worker's counts on their way to Redis (see the module's docstring)."""

    MAX_KEYS = 100_000  # if Redis stays down, stop growing: newer counts are dropped

    def __init__(self, target: RedisCounts, interval: float) -> None:
        self.target = target
        self.interval = interval
        self._lock = threading.Lock()
        self._counts: Counter[CountKey] = Counter()
        self._pid = 0

    def add(self, key: CountKey) -> None:
        with self._lock:
            if key in self._counts or len(self._counts) < self.MAX_KEYS:
                self._counts[key] += 1
        if self._pid != os.getpid():  # first hit in this process (or after a fork)
            self._start()

    def _start(self) -> None:
        self._pid = os.getpid()
        threading.Thread(target=self._run, name="republish-buffer", daemon=True).start()
        atexit.register(self._drain_logged)  # a graceful stop or restart loses nothing

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            self._drain_logged()

    def _drain_logged(self) -> None:
        try:
            self.drain()
        except Exception:
            logger.exception("republish: could not push counts to Redis; keeping them")

    def drain(self) -> int:
        with self._lock:
            taken, self._counts = self._counts, Counter()
        if not taken:
            return 0
        try:
            self.target.add_many(taken)
        except Exception:
            with self._lock:
                self._counts.update(taken)
            raise
        return sum(taken.values())


@cache
def _buffer_for(target: RedisCounts) -> WorkerBuffer:
    return WorkerBuffer(target, settings.REPUBLISH_BUFFER_SECONDS)


def drain_buffer() -> int:
    """Push this process's buffered counts to Redis now (flush does it first)."""
    counts = store()
    if isinstance(counts, RedisCounts) and _buffer_for.cache_info().currsize:
        return _buffer_for(counts).drain()
    return 0


@cache
def _store_for(url: str, prefix: str) -> MemoryCounts | RedisCounts:
    return RedisCounts(url, prefix) if url else MemoryCounts()


def store() -> MemoryCounts | RedisCounts:
    return _store_for(settings.REPUBLISH_REDIS_URL or "", settings.REPUBLISH_KEY_PREFIX)


def flush() -> int:
    """Move every waiting count into the database; returns the views written."""
    drain_buffer()
    views = store().flush()
    FlushBatch.objects.filter(applied_at__lt=timezone.now() - FLUSHED_BATCHES_KEPT).delete()
    return views


# --- the database side ----------------------------------------------------------------


def _apply(counts: dict[CountKey, int], *, batch_id: str) -> int:
    """Add one batch of counts to ``Republication``, once; returns the views added now."""
    from articles.models import Article

    rows = sorted(counts.items())  # one lock order for concurrent flushers
    try:
        with transaction.atomic():
            if FlushBatch.objects.filter(pk=batch_id).exists():
                return 0  # applied by a flusher that then stopped before cleaning up
            existing = set(
                Article.objects.filter(pk__in={key[1] for key, _ in rows}).values_list(
                    "pk", flat=True
                )
            )
            values = []
            for (day, article_id, url), views in rows:
                page = page_from_referer(url)  # the site, from the stored URL (same normalisation)
                if article_id in existing and page is not None:
                    values.append((article_id, day, page.site, url, views))
            FlushBatch.objects.create(
                pk=batch_id, rows=len(values), views=sum(row[4] for row in values)
            )
            _upsert(values)
    except IntegrityError:
        if FlushBatch.objects.filter(pk=batch_id).exists():
            return 0  # a concurrent flusher applied the same abandoned batch first
        raise
    dropped = len(rows) - len(values)
    if dropped:
        logger.info("republish: %d counts for deleted articles or ignored pages dropped", dropped)
    return sum(row[4] for row in values)


UPSERT_CHUNK = 500


def _upsert(values: Iterable[tuple[int, dt.date, str, str, int]]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE adding the views (PostgreSQL and SQLite alike);
    Django's ``bulk_create(update_conflicts=True)`` can only overwrite, not add."""
    table = connection.ops.quote_name(Republication._meta.db_table)
    values = list(values)
    with connection.cursor() as cursor:
        for start in range(0, len(values), UPSERT_CHUNK):
            chunk = values[start : start + UPSERT_CHUNK]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (article_id, day, site, page_url, views) "
                f"VALUES {placeholders} "
                "ON CONFLICT (article_id, day, page_url) "
                f"DO UPDATE SET views = {table}.views + EXCLUDED.views",
                [field for row in chunk for field in row],
            )
