"""Run the site in production on this machine: checks first, then granian.

    DEBUG=0 SECRET_KEY=... DATABASE_URL=... python manage.py serve_production

In order, stopping at the first failure:

1. ``check --deploy``: errors stop the start; warnings are printed (a site tried on plain
   HTTP first still starts, as the README's production settings say);
2. migrations: unapplied migrations stop the start, unless ``MIGRATE_ON_START=1`` (or
   ``--migrate``) applies them: code must never run against a schema it does not expect;
3. ``collectstatic --noinput`` (WhiteNoise serves the result);
4. granian, configured by ``newsroom/server.py``, replaces this process (``exec``), so the
   process manager's signals reach granian's main process directly: SIGTERM stops
   gracefully, SIGHUP replaces the workers one by one (new code, no dropped connections).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from newsroom.env import env_bool
from newsroom.server import granian_args


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """``app.name`` of every migration the database still lacks (what ``migrate`` would run)."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class Command(BaseCommand):
    help = "Check settings and migrations, collect static files, then serve with granian."
    # The deploy check below is the one we want (with --deploy); skip the implicit one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="Apply unapplied migrations before starting (same as MIGRATE_ON_START=1).",
        )
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="Run the checks and collectstatic, then exit instead of starting the server.",
        )

    def handle(self, *args: object, migrate: bool, check_only: bool, **options: object) -> None:
        if settings.DEBUG:
            raise CommandError("DEBUG is on: production runs with DEBUG=0 (see the README).")

        self.stdout.write("serve_production: check --deploy")
        # Raises SystemCheckError (and prints every message) when there is an error;
        # warnings are printed and do not stop the start.
        call_command("check", deploy=True, fail_level="ERROR")

        pending = unapplied_migrations()
        if pending and (migrate or env_bool("MIGRATE_ON_START", False)):
            self.stdout.write(f"serve_production: applying {len(pending)} migration(s)")
            call_command("migrate", interactive=False, verbosity=1)
        elif pending:
            raise CommandError(
                f"{len(pending)} unapplied migration(s): {', '.join(pending[:10])}"
                f"{' ...' if len(pending) > 10 else ''}. Run `manage.py migrate` first, or "
                "start with MIGRATE_ON_START=1 to apply them here."
            )

        self.stdout.write("serve_production: collectstatic")
        call_command("collectstatic", interactive=False, verbosity=0)

        if check_only:
            self.stdout.write("serve_production: checks passed (--check-only: not starting)")
            return

        # No connection made here may leak into the server's workers.
        connections.close_all()
        # The granian installed beside this Python (the project's virtualenv).
        granian = Path(sys.executable).parent / "granian"
        argv = [str(granian), *granian_args()]
        self.stdout.write(f"serve_production: exec {' '.join(argv)}")
        self.stdout.flush()
        sys.stderr.flush()
        os.execv(granian, argv)
