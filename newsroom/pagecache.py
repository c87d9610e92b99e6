"""The public page cache: anonymous pages from a shared cache, never stale.

How a page is served
    ``PageCacheWSGI`` wraps the WSGI application. For a GET or HEAD without a session or
    messages cookie it looks the URL up in the shared cache (two round trips to Redis) and,
    on a hit, answers with the stored bytes before Django builds a request: no middleware,
    no view, no database. Everything else goes to Django as usual.

What is stored
    Views opt in with ``@public_page`` (home, sections, hubs, articles, feeds, sitemaps).
    ``PageCacheMiddleware`` (first in MIDDLEWARE, so it sees the final headers) stores the
    response only if nothing in it belongs to one reader: the request carried no session
    or messages cookie, the response sets no cookie, has no CSP nonce and is a 200, 301 or
    404. Signed-in editors, previews, POSTs, the donate flow and search are never stored.
    Forms on cached pages carry no CSRF token; a small script fetches one from
    ``/csrf-token/`` (never cached) when the reader submits, and without JavaScript the
    form goes to a confirmation page that has its own token.

Why it is never stale
    Every key contains a *generation* number kept in the cache. Any change to what the
    public can see (any SQL statement that writes a table public pages read, however it
    was issued: see ``connect_invalidation``) bumps it after the transaction commits
    (``invalidate_on_commit``), so every page is re-rendered on its next request; the front
    cache (Varnish) is banned at the same moment. A request that read the old generation
    stores its page under the old key, which nobody reads again, so a render racing a
    publish cannot store stale content under the new generation. A scheduled article goes
    public with no event: the cache keeps the time of the next scheduled publication and
    bumps the generation when that time has come (the first request after it does), and
    every TTL, ours and the front cache's ``s-maxage``, ends no later than that time.

    Keys also carry the *release* (a digest of the code, templates, catalogues and assets
    the process renders with): a deploy never serves pages of the previous templates, and
    its first process bumps the generation, which bans the front cache.

    One generation for the whole site is deliberately coarse: a newsroom publishes tens of
    times a day, a bump costs one re-render per page, and there is no per-page dependency
    graph (related blocks, hubs, feeds) to get wrong.

Without a shared cache (``REDIS_URL`` unset) several worker processes would each keep
their own copy and generation, so the page cache is off unless ``PAGE_CACHE=1`` says the
site runs one process (``make run``) or the cache is shared.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache, wraps
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.tasks import task
from django.utils.cache import patch_cache_control

from newsroom.db_router import note_public_change

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
NEXT_CHANGE_KEY = "pagecache:next-change"
NO_CHANGE = 0.0  # stored as "no scheduled publication ahead"
CACHEABLE_STATUSES = {200, 301, 404}
# Response headers worth replaying from the cache (no Set-Cookie, no Date, no Vary: the
# stored copy never depends on cookies, and Varnish gets Vary from the live response).
REPLAYED_HEADERS = {
    "content-type",
    "content-language",
    "location",
    "cache-control",
    "x-cache-tags",
    "content-security-policy",
    "permissions-policy",
    "referrer-policy",
    "x-content-type-options",
    "x-frame-options",
    "cross-origin-opener-policy",
    "strict-transport-security",
    "x-robots-tag",
}
MAX_QUERY_STRING = 256  # longer query strings are rendered but never stored
CACHE_TAG = "pages"  # every cacheable response; one Varnish ban clears them all


def enabled() -> bool:
    return bool(settings.PAGE_CACHE)


def generation_kept() -> bool:
    """Whether the generation is bumped on every public change: for the page cache, and for
    what else is kept per generation (the hubs' counts, articles/reads.py)."""
    return bool(settings.PAGE_CACHE or settings.HUB_COUNT_CACHE)


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _personal(cookie_header: str) -> bool:
    """A request whose page may hold something of its own (a session, a flash message).

    A plain substring test on purpose: it errs towards "personal" (a cookie merely
    named like ours, or a malformed header, only costs a render), it is fast, and no
    cookie parser's leniency can make a session cookie look absent.
    """
    return any(name in cookie_header for name in (settings.SESSION_COOKIE_NAME, "messages"))


def _skipped(path: str) -> bool:
    """Paths never cached (static files, the admin, the donate flow, previews): no lookup."""
    return path.startswith(settings.PAGE_CACHE_SKIP_PREFIXES)


Page = tuple[int, list[tuple[str, str]], bytes]  # status, headers, body


def lookup(host: str, path: str, query: str) -> Page | None:
    """The stored page for this URL under the current generation, if any."""
    if len(query) > MAX_QUERY_STRING or _skipped(path):
        return None
    generation, _ = current_state()
    key = _page_key(generation, host, path, query)
    page = _local.pages.get(key)
    if page is None:
        page = _cache().get(key)
        if page is not None:
            _local.remember(key, page)
    return page


def _page_key(generation: int, host: str, path: str, query: str) -> str:
    digest = hashlib.sha256(f"{host}\n{path}\n{query}".encode("utf-8", "surrogateescape"))
    return f"pagecache:page:{generation}:{release()[:16]}:{digest.hexdigest()}"


# --- releases -------------------------------------------------------------------------------

RELEASE_KEY = "pagecache:release"
# What a page is rendered from besides the database: code, templates, catalogues, assets
# (a changed stylesheet changes its hashed URL in every page).
RELEASE_SUFFIXES = frozenset(
    {".py", ".html", ".txt", ".xml", ".mo", ".css", ".js", ".svg", ".json", ".webmanifest"}
)
RELEASE_SKIPPED_DIRS = frozenset(
    {".git", ".venv", "node_modules", "__pycache__", "tests", "benchmarks", "docs", "media"}
)


def source_digest(root: Path) -> str:
    """A digest of every file under ``root`` a rendered page depends on (contents and
    names; the test suite, benchmarks and collected copies aside)."""
    digest = hashlib.sha256(django.get_version().encode())
    skipped = {*RELEASE_SKIPPED_DIRS, Path(settings.STATIC_ROOT).name}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(name for name in dirs if name not in skipped)
        for name in sorted(files):
            if os.path.splitext(name)[1] in RELEASE_SUFFIXES:
                path = Path(folder, name)
                digest.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape"))
                digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def release() -> str:
    """The release this process renders: a new deploy (code, templates, translations,
    stylesheets) is a new release, whose pages are stored apart from the previous one's."""
    return source_digest(Path(settings.BASE_DIR))


def _announce_release(cache_backend) -> None:
    """The first process of a new release retires every page of the previous one.

    Our own pages are keyed by release already (a process of the old release, still
    serving during a rolling deploy, stores pages the new one never reads); the bump also
    bans the front cache, which keys by URL alone.
    """
    previous = cache_backend.get(RELEASE_KEY)
    if previous == release():
        return
    cache_backend.set(RELEASE_KEY, release(), timeout=None)
    if previous is not None:
        invalidate(reason=f"release {release()[:12]} replaces {str(previous)[:12]}")


def _next_change_from_database() -> float:
    """When the next scheduled article goes public (a Unix time), or ``NO_CHANGE``."""
    from articles.models import Article  # the cache serves articles; articles don't import it

    when = Article.objects.next_scheduled_publication()
    return when.timestamp() if when else NO_CHANGE


class _Local:
    """What one worker process remembers between requests.

    The shared state (generation, next scheduled publication) is re-read at most every
    ``PAGE_CACHE_STATE_SECONDS`` (0.1 s): a change is seen by every worker within that,
    far inside the one second the site promises, and a stored page is then one dictionary
    lookup away instead of two network round trips. Pages are kept under keys that carry
    their generation, so a worker can never serve an old generation's page once it has
    seen the new one; the local copies are dropped when the generation moves.
    """

    def __init__(self) -> None:
        self.state: tuple[int, float] | None = None
        self.read_at = 0.0
        self.release_checked = False
        self.pages: OrderedDict[str, Page] = OrderedDict()
        # Values computed from public content, valid for this generation (generation_store).
        self.kept: dict[Any, Any] = {}

    def remember(self, key: str, page: Page) -> None:
        self.pages[key] = page
        self.pages.move_to_end(key)
        while len(self.pages) > settings.PAGE_CACHE_LOCAL_ITEMS:
            self.pages.popitem(last=False)

    def set_state(self, state: tuple[int, float]) -> None:
        if self.state is None or self.state[0] != state[0]:
            self.pages.clear()
            self.kept = {}  # a new dict: a value computed before the change lands in the old
        self.state = state
        self.read_at = time.monotonic()


_local = _Local()


def forget_local() -> None:
    """Drop what this process remembers (tests that clear the shared cache call it)."""
    _local.state = None
    _local.release_checked = False
    _local.pages.clear()
    _local.kept = {}


def current_state(*, fresh: bool = False) -> tuple[int, float]:
    """The generation to use now, bumping it first if a scheduled time has come."""
    state = _local.state
    if (
        not fresh
        and state is not None
        and time.monotonic() - _local.read_at < settings.PAGE_CACHE_STATE_SECONDS
        and (state[1] == NO_CHANGE or time.time() < state[1])
    ):
        return state
    cache = _cache()
    if not _local.release_checked:  # once per process (and after forget_local())
        _announce_release(cache)
        _local.release_checked = True
    found = cache.get_many([GENERATION_KEY, NEXT_CHANGE_KEY])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY) or 1
    next_change = found.get(NEXT_CHANGE_KEY)
    if next_change is None:
        next_change = _next_change_from_database()
        cache.set(NEXT_CHANGE_KEY, next_change, timeout=None)
    elif next_change != NO_CHANGE and time.time() >= next_change:
        # A scheduled article has just gone public: every page may show it now. One
        # process bumps; the others read the new generation.
        if cache.add(f"pagecache:scheduled:{next_change}", 1, timeout=60):
            generation = invalidate(reason="scheduled publication")
        else:
            generation = cache.get(GENERATION_KEY) or generation
        next_change = _next_change_from_database()
        cache.set(NEXT_CHANGE_KEY, next_change, timeout=None)
    _local.set_state((int(generation), float(next_change)))
    return _local.state


def generation_store() -> dict[Any, Any] | None:
    """A dict for values computed from public content, kept while the generation lasts
    (this process's copy; None when no generation is kept).

    Take it *before* computing a value and store the value in that same dict: if the
    generation moves meanwhile, this process starts a new dict and the value stays in the
    old one, which nobody reads again (the page cache's own reasoning for its keys).
    """
    if not generation_kept():
        return None
    current_state()
    return _local.kept


def _ttl(next_change: float) -> int:
    ttl = settings.PAGE_CACHE_SECONDS
    if next_change != NO_CHANGE:
        ttl = min(ttl, max(1, int(next_change - time.time())))
    return ttl


# --- invalidation ---------------------------------------------------------------------


def invalidate(*, reason: str) -> int:
    """Retire every cached page now (ours and the front cache's); returns the new generation."""
    # First the replicas' watermark, then the generation: a request that sees the new
    # generation also sees that a lagging replica must not render it.
    note_public_change()
    cache = _cache()
    try:
        generation = cache.incr(GENERATION_KEY)
    except ValueError:  # never set (or evicted): start a new series far from old keys
        generation = int(time.time())
        cache.set(GENERATION_KEY, generation, timeout=None)
    cache.delete(NEXT_CHANGE_KEY)  # a change may have scheduled or unscheduled something
    forget_local()  # this process reads the new state on its next request
    logger.info("Page cache generation %s (%s)", generation, reason)
    purge_front_cache()
    return generation


class _Bump:
    """The callback ``invalidate_on_commit`` leaves on a transaction (one per transaction)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.done = False

    def __call__(self) -> None:
        self.done = True
        invalidate(reason=self.reason)


def invalidate_on_commit(*, reason: str, using: str | None = None) -> None:
    """Bump the generation once the current transaction commits (at once outside one).

    After the commit, not before: a reader arriving between a bump and the commit would
    render the old content under the new generation and keep it. One bump per
    transaction however many rows it touches: a bump already waiting on this transaction
    is enough (one registered in a savepoint that rolls back is dropped with it, so a
    later change registers again).
    """
    if not generation_kept() and not settings.FRONT_CACHE_PURGE_URLS:
        return
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and any(
        isinstance(func, _Bump) and not func.done for _, func, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Bump(reason), using=using, robust=True)


def purge_front_cache() -> None:
    """Ban every cached page in the front cache(s) (Varnish ``BAN`` by tag; see deploy/).

    At once, in the process that committed the change, so the front cache lets go within
    the same second (a queued job would wait for the worker's next poll). A ban that fails
    (the front cache restarting, a network blip) is handed to the task worker, which tries
    again with a growing delay; each failed attempt is a task result editors can read in
    the admin. Until a ban gets through, the front cache's ``s-maxage`` bounds how long it
    can serve the old page.
    """
    for url in settings.FRONT_CACHE_PURGE_URLS:
        try:
            ban_front_cache.call(url)  # the first attempt, here; it queues the next itself
        except OSError as exc:
            logger.warning("Could not purge the front cache at %s: %s", url, exc)


def ban(url: str) -> None:
    """One ``BAN`` of every page we tagged; raises ``OSError`` when it does not get through."""
    request = urllib.request.Request(url, method="BAN", headers={"X-Ban-Tag": CACHE_TAG})
    with urllib.request.urlopen(request, timeout=settings.FRONT_CACHE_PURGE_TIMEOUT):
        pass


@task
def ban_front_cache(url: str, attempt: int = 1) -> None:
    """One ban; when it fails, the next attempt is queued for the worker (with backoff).

    Its first attempt runs in the process that committed the change (``purge_front_cache``).
    """
    from newsroom.tasks import retry_later

    try:
        ban(url)
    except OSError:
        retry_later(ban_front_cache, url, attempt=attempt)
        raise


# --- storing ----------------------------------------------------------------------------


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view whose anonymous responses are the same for every reader."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.page_cacheable = True
        return view(request, *args, **kwargs)

    return wrapped


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        getattr(request, "page_cacheable", False)
        and request.method == "GET"
        and response.status_code in CACHEABLE_STATUSES
        and not response.streaming
        and not response.cookies
        and not _personal(request.META.get("HTTP_COOKIE", ""))
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_STRING
        and "'nonce-" not in response.get("Content-Security-Policy", "")
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


class PageCacheMiddleware:
    """Adds cache headers to public pages and stores them; first in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        generation = next_change = None
        eligible = (
            enabled()
            and request.method in ("GET", "HEAD")
            and not _skipped(request.path_info)
            and not _personal(request.META.get("HTTP_COOKIE", ""))
        )
        if eligible:
            # Served here when the WSGI wrapper is not in front (runserver, tests).
            hit = lookup(
                request.get_host(), request.path_info, request.META.get("QUERY_STRING", "")
            )
            if hit is not None:
                return _replay(*hit)
            # Read before the view runs: a publish during the render leaves this page
            # under a generation nobody reads any more.
            generation, next_change = current_state()
        response = self.get_response(request)
        if not getattr(request, "page_cacheable", False) or request.method not in ("GET", "HEAD"):
            return response
        if not _storable(request, response):
            patch_cache_control(response, private=True)
            return response
        front_cache = bool(settings.FRONT_CACHE_PURGE_URLS)
        if not front_cache:
            # No front cache we can purge: a shared cache that kept this page could not be
            # told when it changes, so none may keep it (browsers revalidate too).
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        if generation is None and not front_cache:
            return response  # nothing to store and no lifetime to compute: no query
        ttl = _ttl(next_change if next_change is not None else _next_change_from_database())
        if front_cache:
            # Browsers revalidate every time; Varnish keeps it until a ban or the TTL.
            front_ttl = min(ttl, settings.FRONT_CACHE_SECONDS)
            patch_cache_control(response, public=True, max_age=0, s_maxage=front_ttl)
            response["X-Cache-Tags"] = CACHE_TAG
        if generation is not None:
            self._store(request, response, generation, ttl)
        return response

    @staticmethod
    def _store(request: HttpRequest, response: HttpResponse, generation: int, ttl: int) -> None:
        headers = [
            (name, value) for name, value in response.items() if name.lower() in REPLAYED_HEADERS
        ]
        key = _page_key(
            generation,
            request.get_host(),
            request.path_info,
            request.META.get("QUERY_STRING", ""),
        )
        page = (response.status_code, headers, response.content)
        _cache().set(key, page, timeout=ttl)
        _local.remember(key, page)


def _replay(status: int, headers: list[tuple[str, str]], body: bytes) -> HttpResponse:
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


# --- serving ----------------------------------------------------------------------------

_REASONS = {200: "200 OK", 301: "301 Moved Permanently", 404: "404 Not Found"}


class PageCacheWSGI:
    """Serve stored pages before Django; hand everything else to the application."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        method = environ.get("REQUEST_METHOD")
        if (
            enabled()
            and method in ("GET", "HEAD")
            and not _personal(environ.get("HTTP_COOKIE", ""))
        ):
            hit = self._lookup(environ)
            if hit is not None:
                status, headers, body = hit
                headers = [*headers, ("Content-Length", str(len(body))), ("X-Page-Cache", "hit")]
                start_response(_REASONS.get(status, f"{status} Cached"), headers)
                return [b""] if method == "HEAD" else [body]
        return self.application(environ, start_response)

    @staticmethod
    def _lookup(environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        # Django's get_host() would also honour X-Forwarded-Host when configured; pages
        # are stored under get_host(), so an unusual host simply misses and goes to Django
        # (which validates it against ALLOWED_HOSTS).
        path = environ.get("PATH_INFO", "")
        try:
            path = path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return None
        return lookup(host, path, environ.get("QUERY_STRING", ""))


# --- what counts as a change --------------------------------------------------------------

# Apps whose rows make up public pages; rows of these models change nothing a reader sees
# (votes, comments awaiting editors) or are written in bulk by code that calls
# ``invalidate_on_commit`` itself (the related index and stored lists).
PUBLIC_APPS = ("articles", "images", "related", "taggit")
NOT_PUBLIC = {
    "articles.helpfulvote",
    "articles.helpfuldaily",
    "articles.helpfulrollup",
    "articles.helpfultotal",
    "articles.revision",
    "articles.readercomment",
    "related.relateditem",
    "related.relatedfeature",
    "related.featurecount",
    "related.termstat",
    "related.relatedstate",
    "related.rebuildcheckpoint",
}
# A statement that may write: what follows it is searched for the tables it writes.
_MAY_WRITE = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|MERGE|TRUNCATE|WITH)\b", re.IGNORECASE)
# The table each write names (a CTE may hold several): INSERT INTO t, UPDATE t, DELETE
# FROM t, MERGE INTO t, TRUNCATE [TABLE] t, optionally ONLY and a schema. "ON CONFLICT DO
# UPDATE SET" and "FOR UPDATE OF" name no table here (SET, OF are not ours).
_WRITTEN_TABLES = re.compile(
    r"\s*\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?)"
    r"\s+(?:ONLY\s+)?(?:\"?\w+\"?\.)?\"?(\w+)\"?",
    re.IGNORECASE,
)


def _shows_publicly(model: type) -> bool:
    meta = model._meta
    return meta.app_label in PUBLIC_APPS and meta.label_lower not in NOT_PUBLIC


@cache
def public_tables() -> frozenset[str]:
    """The tables public pages read: every model of ``PUBLIC_APPS`` but ``NOT_PUBLIC``,
    with the link tables Django makes for their many-to-many fields."""
    from django.apps import apps

    return frozenset(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if _shows_publicly(model)
    )


def written_public_tables(sql: str) -> set[str]:
    """The public tables a statement writes (empty for reads)."""
    if sql.startswith("SELECT") or not _MAY_WRITE.match(sql):
        return set()  # nearly every statement: decided on its first word
    # INSERT INTO t / UPDATE t / DELETE FROM t: one target, at the head. WITH ...: writes
    # may hide in any of its parts.
    head = _WRITTEN_TABLES.match(sql)
    names = [head.group(1)] if head is not None else _WRITTEN_TABLES.findall(sql)
    return {name.lower() for name in names} & public_tables()


def _watch_writes(execute, sql, params, many, context):
    """An ``execute_wrapper`` on every database connection: a statement that wrote a
    public table bumps the generation when its transaction commits."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        tables = written_public_tables(sql)
        if tables:
            invalidate_on_commit(
                reason=f"{', '.join(sorted(tables))} written", using=context["connection"].alias
            )
    return result


def _connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    # First in the list: ``connection.execute_wrapper()`` blocks pop the *last* wrapper
    # when they end, and a connection may open inside one of them.
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch_writes)


def connect_invalidation() -> None:
    """Bump the generation whenever a row that public pages show changes, however it
    changes: ``save()``, ``delete()``, ``QuerySet.update()``, ``bulk_create()``, tags,
    raw SQL; from the admin, a management command, an import, a data migration or the
    shell.

    Watched at the database connection, not with model signals: ``QuerySet.update()``,
    bulk writes and SQL send no signal, and a hook that every such write path must
    remember to call is the kind of thing that gets forgotten. Invalidating a cache is a
    property of the storage (like an index), so it lives where every write passes. Cost:
    one anchored regular expression per statement (reads stop at its first word). COPY,
    which goes around Django's cursor, is used only by the related rebuild, which calls
    ``invalidate_on_commit`` itself.
    """
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_connection_created, dispatch_uid="pagecache:writes")
    for connection in connections.all(initialized_only=True):
        _connection_created(sender=None, connection=connection)
