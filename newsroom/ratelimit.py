"""A fixed-window counter per client IP, shared by every worker process.

Small enough not to need a library: the donate and manage forms and the readers'
comment and vote forms each allow a few attempts per window, which stops scripts
(card testing, comment and vote flooding) while a real reader who retries a few times
is never blocked.

Where the counts live decides whether the limit holds with several workers:

* ``REDIS_URL`` set: Django's Redis cache; ``add`` + ``incr`` are Redis SETNX and INCR,
  atomic across processes.
* otherwise: the ``RateLimitCounter`` table, incremented by one upsert statement
  (atomic on PostgreSQL and SQLite). Not Django's cache: without Redis that is a
  LocMemCache, private to each process, so N gunicorn workers allowed N times the
  limit; and DatabaseCache.incr is a read then a write, which loses counts under
  concurrency.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from newsroom.models import RateLimitCounter


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies.

    Each of the ``TRUSTED_PROXY_COUNT`` reverse proxies in front of the app appends the
    address it received the request from, so the client is the N-th entry from the
    right; everything left of it was written by the client and is ignored. With 0
    proxies the header is ignored entirely (anyone can send it). Also the client IP
    callable of django-axes, so login lockouts and our throttles agree on who is who.
    None when there is no usable address (e.g. a unix socket without proxy headers).
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        # Fewer hops than proxies: the request did not come through them all.
        return remote
    return _valid_ip(hops[-proxies]) or remote


def allow(request: HttpRequest, *, scope: str, limit: int, window: int) -> bool:
    """Count one attempt; False once this client has used ``limit`` in the current window."""
    if limit <= 0:
        return True
    bucket = int(time.time() // window)
    key = f"ratelimit:{scope}:{client_ip(request) or 'unknown'}:{bucket}"
    if _cache_is_shared():
        count = _count_in_cache(key, window)
    else:
        count = _count_in_database(key, expires_at=(bucket + 1) * window)
    return count <= limit


def _cache_is_shared() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def _count_in_cache(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def _count_in_database(key: str, *, expires_at: int) -> int:
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    key_col, count_col, expires_col = (
        connection.ops.quote_name(RateLimitCounter._meta.get_field(name).column)
        for name in ("key", "count", "expires_at")
    )
    expires = connection.ops.adapt_datetimefield_value(
        dt.datetime.fromtimestamp(expires_at, tz=dt.UTC)
    )
    with connection.cursor() as cursor:
        # One statement: the row lock taken by ON CONFLICT serialises concurrent workers,
        # and RETURNING hands back the count this very increment produced.
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {count_col}, {expires_col}) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({key_col}) DO UPDATE SET {count_col} = {table}.{count_col} + 1 "
            f"RETURNING {count_col}",
            [key[:255], expires],
        )
        count = cursor.fetchone()[0]
    if count == 1:
        # A new window began for this client: drop windows that have ended (indexed).
        RateLimitCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return count
