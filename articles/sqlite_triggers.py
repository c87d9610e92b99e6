"""SQLite only: the byline-names triggers (migration 0013) survive Django's table rebuilds.

For many schema changes on SQLite (an AddField of a NOT NULL column, most AlterFields)
Django rebuilds the table: it creates a copy, drops the table and renames the copy. The
drop takes the table's own triggers with it, and the rename fails while another table's
trigger names the dropped one ("error in trigger articles_byline_inserted: no such table:
main.articles_article"), so the next migration that rebuilds ``articles_article``,
``articles_byline`` or ``articles_author`` would fail on the embedded path. ``migrate``
therefore drops these triggers before it runs any migration and creates them again after,
then rewrites every row a migration left stale meanwhile (a data migration's bylines).
PostgreSQL alters tables in place and keeps its triggers: nothing to do there.

Connected in ``ArticlesConfig.ready``. The SQL is the migration's own (one copy); a later
migration that changes these triggers makes this module point at it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from django.apps import AppConfig
from django.db import connections

_TRIGGERS_MIGRATION = "articles.migrations.0013_article_byline_names"


def _triggers() -> ModuleType:
    # A migration module's name starts with a digit: imported by path, not by ``import``.
    return importlib.import_module(_TRIGGERS_MIGRATION)


def _has_byline_names(connection) -> bool:
    with connection.cursor() as cursor:
        if "articles_article" not in connection.introspection.table_names(cursor):
            return False
        columns = connection.introspection.get_table_description(cursor, "articles_article")
    return any(column.name == "byline_names" for column in columns)


def drop_before_migrate(sender: AppConfig, using: str, **kwargs: Any) -> None:
    connection = connections[using]
    if sender.label != "articles" or connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for statement in _triggers().BACKWARD_SQLITE:
            cursor.execute(statement)


def create_after_migrate(sender: AppConfig, using: str, **kwargs: Any) -> None:
    connection = connections[using]
    if sender.label != "articles" or connection.vendor != "sqlite":
        return
    if not _has_byline_names(connection):  # migrated back before 0013, or not yet there
        return
    with connection.cursor() as cursor:
        # CREATE TRIGGER IF NOT EXISTS, then the backfill: only stale rows are written.
        for statement in _triggers().FORWARD_SQLITE:
            cursor.execute(statement)
