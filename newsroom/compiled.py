"""QuerySets compiled to SQL once per process and database, then run with new values.

Building a QuerySet and compiling it costs far more than running it on a hot page (the
article page spent ~2.5 ms of CPU per request compiling four small queries that PostgreSQL
answers in ~0.1 ms each). A ``CompiledQuery`` is built from an ordinary QuerySet, so the
read rules stay in ``ArticleQuerySet`` (``published()`` and friends) and the SQL stays
the one Django writes for the backend in use (PostgreSQL, SQLite):

    by_slug = CompiledQuery(
        Article, lambda now, slug: Article.objects.published(at=now).filter(slug=slug)
        .values_list("pk", "title"), now=datetime, slug=str,
    )
    rows = by_slug(now=timezone.now(), slug="a-story")   # [(12, "A story")]

The builder is called once per database alias with placeholder values; each placeholder
found among the compiled SQL's parameters is replaced by the caller's value on every run.
What the builder must not do: depend on the values (a branch, a list of variable length in
``__in``, a slice computed from them). Limits are fixed text in the SQL. Queries go through
the connection's cursor, so query logging, ``execute_wrapper`` and the test suite's query
counts see them as usual, and the database router picks the alias as for any read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
from collections.abc import Callable
from typing import Any

import psycopg
import psycopg.sql
from django.conf import settings
from django.db import connections, router
from django.db.models import Model, QuerySet
from psycopg._queries import PostgresQuery

_SERIAL = itertools.count()


def _placeholder(kind: type, serial: int) -> Any:
    # Values no real query uses as a literal, so they cannot be mistaken for one.
    if kind is int:
        return 1_999_990_000 + serial
    if kind is str:
        return f"\x1fcompiled-query-placeholder-{serial}\x1f"
    if kind is dt.datetime:
        return dt.datetime(1901, 1, 1, 0, 0, 0, serial + 1, tzinfo=dt.UTC)
    raise TypeError(f"CompiledQuery placeholders are int, str or datetime, not {kind!r}")


class _Compiled:
    __slots__ = ("compiler", "converters", "params", "slots", "sql")

    def __init__(self, queryset: QuerySet, alias: str, placeholders: dict[str, Any]) -> None:
        connection = connections[alias]
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        adapted = {}
        for name, value in placeholders.items():
            adapted[_adapt(connection, value)] = name
        slots = {i: adapted[p] for i, p in enumerate(params) if _hashable(p) in adapted}
        if connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS:
            sql, params, slots = _inline_constants(connection, sql, params, slots)
        self.sql = sql
        self.params = list(params)
        # (position in params, placeholder name) for every parameter that is a placeholder.
        self.slots = list(slots.items())
        missing = set(placeholders) - {name for _, name in self.slots}
        if missing:
            raise ValueError(f"Placeholders not found in the compiled query: {sorted(missing)}")
        # Database values to Python (SQLite's datetimes are text): Django's own converters.
        fields = [column for column, _, _ in compiler.select[: compiler.col_count]]
        self.compiler = compiler
        self.converters = compiler.get_converters(fields)


_PARAM_OR_PERCENT = re.compile(r"%%|%s")


def _inline_constants(connection, sql: str, params, slots: dict[int, str]):
    """The query's constant text values (``status = 'published'``...) written into its SQL
    as literals; only the caller's values stay parameters.

    Prepared statements run on a generic plan (``generic_plans``), which knows nothing of
    a parameter's value: with the status as ``$5`` PostgreSQL guessed a group hub's public
    stories at a tenth of their number and joined every one of them to three tables before
    sorting (4-5 ms); with the literal it knows most rows are public (1.7 ms). Quoted by
    psycopg for this connection; ``%`` doubled, as the text still carries parameters.
    """
    connection.ensure_connection()
    raw = connection.connection
    kept: list = []
    kept_slots: dict[int, str] = {}
    position = -1

    def replace(match: re.Match) -> str:
        nonlocal position
        if match.group() == "%%":
            return "%%"
        position += 1
        value = params[position]
        if position in slots or not isinstance(value, str):
            if position in slots:
                kept_slots[len(kept)] = slots[position]
            kept.append(value)
            return "%s"
        return psycopg.sql.Literal(value).as_string(raw).replace("%", "%%")

    sql = _PARAM_OR_PERCENT.sub(replace, sql)
    if position != len(params) - 1:  # a "%s" that was not a parameter: keep the query as it was
        raise ValueError("Compiled query text and parameters do not match")
    return sql, kept, kept_slots


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return None
    return value


def _adapt(connection, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


# psycopg prepares a statement when asked (prepare=True) only if the connection's
# prepare_threshold is not None; Django sets None so that nothing is prepared behind a
# pooler. Django's own cursors bind on the client and are never prepared whatever the
# threshold, so a threshold no count reaches lets only our explicit requests through.
_EXPLICIT_ONLY = 2**31 - 1


def generic_plans(sender, connection, **kwargs) -> None:
    """Plan each prepared statement once per connection (``connection_created``).

    PostgreSQL re-plans a prepared statement for its values while its own estimates say
    that pays, and they say so here: not knowing the time or the status a generic plan
    expects few public articles. The home page's read was re-planned on every request
    (~3 ms of planning for ~0.9 ms of execution); every compiled read ran faster on its
    generic plan (EXPLAIN ANALYZE, docs/performance.md "Render speed, round three"). Only
    prepared statements follow this setting, and only compiled queries are prepared.
    Connection set-up, like Django's own time zone: on the driver's connection, in
    autocommit (no transaction is open yet when a connection is made).
    """
    if connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS:
        with connection.connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")


def _cursor(connection):
    """A cursor of ``connection``, one that prepares its statements on PostgreSQL.

    Wrapped by Django as any cursor: query logging, ``execute_wrapper`` and the test
    suite's query counts see these queries.
    """
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = _EXPLICIT_ONLY
    with connection.wrap_database_errors:
        cursor = _PreparingCursor(raw)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


class _ParsedOnce(PostgresQuery):
    """psycopg's query object, keeping each compiled statement's parse for the process.

    Before sending, psycopg parses the query text for its ``%s`` and rewrites them as
    ``$1``...; it keeps that parse only for statements under 4 KB and 50 parameters (its
    cache is built for ORM statements of endless shapes). A compiled query is one fixed
    text run on every page view: the article page's UNION ALL (7.5 KB, 104 parameters)
    was parsed again on each request (~0.19 ms). Only ``_PreparingCursor`` uses this
    class, so only compiled queries (a fixed set) are kept.
    """

    _parsed: dict[tuple[str, str], tuple] = {}

    def convert(self, query, vars) -> None:
        if vars is None or not isinstance(query, str):
            super().convert(query, vars)
            return
        key = (query, self._tx.encoding)
        parsed = self._parsed.get(key)
        if parsed is None:
            super().convert(query, vars)
            self._parsed[key] = (self.query, self._want_formats, self._order, self._parts)
            return
        self.query, self._want_formats, self._order, self._parts = parsed
        self.dump(vars)


class _PreparingCursor(psycopg.Cursor):
    """Server-side binding (``$1``), each statement prepared once per connection."""

    _query_cls = _ParsedOnce

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class CompiledQuery:
    """A ``values_list()`` QuerySet compiled once per database, run with new values."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], **kinds: type) -> None:
        self.model = model
        self.build = build
        self.kinds = kinds
        # Per thread: the compiler and its converters belong to this thread's connection.
        self._local = threading.local()

    def _compiled(self, alias: str) -> _Compiled:
        by_alias = self._local.__dict__.setdefault("by_alias", {})
        compiled = by_alias.get(alias)
        if compiled is None:
            placeholders = {
                name: _placeholder(kind, next(_SERIAL)) for name, kind in self.kinds.items()
            }
            queryset = self.build(**placeholders)
            compiled = by_alias[alias] = _Compiled(queryset, alias, placeholders)
        return compiled

    def __call__(self, **values: Any) -> list[tuple]:
        alias = router.db_for_read(self.model)
        compiled = self._compiled(alias)
        connection = connections[alias]
        params = compiled.params.copy()
        for index, name in compiled.slots:
            params[index] = _adapt(connection, values[name])
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters and rows:
            return [
                tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)
            ]
        return rows
