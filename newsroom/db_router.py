"""Read replicas: public reads go to a replica, everything else to the primary.

The rule, decided once per request by ``ReplicaReadsMiddleware`` and read by the router:

- outside a request (management commands, task workers, the shell): the primary;
- unsafe methods (POST, PUT, ...) and their reads: the primary; the response also pins that
  browser to the primary for ``DATABASE_PRIMARY_PIN_SECONDS`` with a signed cookie, so a reader
  who just commented or voted reads their own write even if the replica is a moment behind;
- signed-in users (editors and writers): the primary, always (they read what they just saved);
- every other GET/HEAD: one replica, picked per request, skipping replicas marked down;
- inside a transaction (``atomic``, ``select_for_update``, ``get_or_create``): the primary,
  whatever the request (``select_for_update`` and ``get_or_create`` are writes for the router
  anyway; an explicit ``atomic`` block must see its own uncommitted rows);
- apps whose reads must never be stale (sessions, users and permissions, admin log, login
  lockouts, rate-limit counters, donations): the primary, always.

A lagging replica must never put an old page into a cache. The page cache retires every page
when public content changes (``newsroom.pagecache.invalidate``, after the commit); just before
that it calls ``note_public_change()``, which stores the primary's WAL position (LSN) in the
shared cache. A request that would read a replica first checks that the replica has replayed
up to that position (one query per replica per change per process, remembered after that),
and reads the primary if it has not. So the first render after a publish, the one that gets
cached, always shows the publish, however far behind a replica is.

Two safety nets keep a lagging or failing replica from showing up as an error:

- a 404 from a replica-served GET is retried once on the primary, so a reader following a
  link to an article published a moment ago gets the article, not "not found";
- a 500 caused by a replica's connection (refused, reset, timed out) marks that replica down
  for ``DATABASE_REPLICA_RETRY_SECONDS`` in this process and retries the request on the primary.

With no ``DATABASE_REPLICA_URLS`` neither the router nor the middleware is installed (the
middleware raises ``MiddlewareNotUsed``), so one machine pays nothing for any of this.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA_PREFIX = "replica_"
PIN_COOKIE = "newsroom_primary"
PIN_SALT = "newsroom.db_router.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Reads of these apps always go to the primary: a session or a permission read from a replica
# that has not replayed the login yet would sign an editor out; lockout and rate-limit counters
# are read-modify-write; money (donations) is small in volume and must be exact.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "admin", "contenttypes", "axes", "newsroom", "donations"}
)

# The alias this request's ORM reads go to; None outside a request (then: the primary).
_read_alias: ContextVar[str | None] = ContextVar("newsroom_read_alias", default=None)
# Replica alias -> time.monotonic() before which this process does not try it again.
_down_until: dict[str, float] = {}
# The shared cache key holding the primary's LSN at the last public change.
WATERMARK_KEY = "replicas:public-change-lsn"
# Replica alias -> the last watermark this process saw it reach (saves asking again).
_reached: dict[str, str] = {}


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def mark_replica_down(alias: str) -> None:
    _down_until[alias] = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS
    # Drop the broken connection, so the next try (after the pause) connects afresh.
    with contextlib.suppress(DatabaseError):
        connections[alias].close()
    logger.warning(
        "Read replica %s is unreachable; reading from the primary for %s s",
        alias,
        settings.DATABASE_REPLICA_RETRY_SECONDS,
    )


def healthy_replicas() -> list[str]:
    now = time.monotonic()
    return [alias for alias in replica_aliases() if _down_until.get(alias, 0) <= now]


def note_public_change() -> None:
    """Record that public content changed: replicas must replay up to here before serving.

    Call it after the change commits and before any cache is retired (the page cache does),
    so no request can see the new cache generation without also seeing this watermark.
    """
    if not replica_aliases():
        return
    # Never raises: the caller goes on to retire the caches, which matters more. If the
    # watermark cannot be stored, replicas serve as if there were none (lag, at worst).
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (lsn,) = cursor.fetchone()
        caches["default"].set(WATERMARK_KEY, lsn, timeout=None)
    except Exception:  # a database or cache client error, each with its own types
        logger.exception("Could not record the replication watermark of a public change")


def replica_is_current(alias: str) -> bool:
    """Has this replica replayed the last public change? False also when it is unreachable
    (and then it is marked down)."""
    try:
        watermark = caches["default"].get(WATERMARK_KEY)
    except Exception:  # the cache is down: we cannot know, so read the primary
        logger.warning("Cannot read the replication watermark; reading from the primary")
        return False
    if watermark is None or _reached.get(alias) == watermark:
        return True
    try:
        with connections[alias].cursor() as cursor:
            # NULL when the server is not in recovery (a promoted replica, or the test
            # mirror, which is the primary itself): nothing to wait for.
            cursor.execute(
                "SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [watermark]
            )
            (current,) = cursor.fetchone()
    except DatabaseError:
        mark_replica_down(alias)
        return False
    if current:
        _reached[alias] = watermark
    return bool(current)


class PrimaryReplicaRouter:
    """Installed (``DATABASE_ROUTERS``) only when replicas are configured."""

    def db_for_read(self, model: type[Model], **hints) -> str:
        alias = _read_alias.get()
        if alias is None or alias == PRIMARY or model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        # Inside atomic() a read must see the transaction's own writes, which only the
        # primary has (and a replica cannot take part in the transaction at all).
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return alias

    def db_for_write(self, model: type[Model], **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints) -> bool | None:
        # A replica holds the same rows as the primary: an article read from a replica may
        # point at a section read from the primary (and be saved with it, on the primary).
        same_data = {PRIMARY, *replica_aliases()}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool | None:
        # A replica is read-only and receives the schema by replication.
        if db.startswith(REPLICA_PREFIX):
            return False
        return None


class ReplicaReadsMiddleware:
    """Chooses this request's read alias (see the module docstring).

    Sits after ``AuthenticationMiddleware``, because it asks whether someone is signed in;
    everything before it reads the primary (the router's default outside a request).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not replica_aliases():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        alias = self._read_alias_for(request)
        token = _read_alias.set(alias)
        try:
            response = self.get_response(request)
            if alias != PRIMARY and self._retry_on_primary(alias, response):
                _read_alias.set(PRIMARY)
                response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.DATABASE_PRIMARY_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def _read_alias_for(self, request: HttpRequest) -> str:
        if request.method not in SAFE_METHODS:
            return PRIMARY
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return PRIMARY
        if PIN_COOKIE in request.COOKIES and request.get_signed_cookie(
            PIN_COOKIE,
            default=None,
            salt=PIN_SALT,
            max_age=settings.DATABASE_PRIMARY_PIN_SECONDS,
        ):
            return PRIMARY
        candidates = healthy_replicas()
        random.shuffle(candidates)  # spread readers over the replicas
        for alias in candidates:
            if replica_is_current(alias):
                return alias
        return PRIMARY

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view that failed because its replica's connection did: run it again on the
        primary, so the reader gets the page (and no error is reported for it)."""
        alias = _read_alias.get()
        if (
            alias in (None, PRIMARY)
            or not isinstance(exception, DatabaseError)
            or not connections[alias].errors_occurred
        ):
            return None
        mark_replica_down(alias)
        _read_alias.set(PRIMARY)  # reset with the rest of the request in __call__
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)

    def _retry_on_primary(self, alias: str, response: HttpResponse) -> bool:
        if response.status_code == 404:
            # A replica a moment behind does not have the article published 100 ms ago yet.
            # Every 404 costs one more lookup on the primary; the front cache keeps 404s
            # briefly, so a crawler's junk URLs do not all reach it (docs/deploy.md).
            return True
        if response.status_code >= 500 and connections[alias].errors_occurred:
            # Failed outside the view (a template rendered later, another middleware).
            mark_replica_down(alias)
            return True
        return False
