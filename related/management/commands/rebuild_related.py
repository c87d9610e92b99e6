"""``python manage.py rebuild_related [--resume] [--batch N] [--refit | --keep-statistics]``:
recompute every related list; the statistics snapshot is refit first with ``--refit`` (the
nightly cron line), never with ``--keep-statistics``, and otherwise only when it is missing
or has drifted (docs/related.md, Freshness)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand

from related.rebuild import rebuild


class ProgressBar:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, stream=sys.stderr, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.phase = ""
        self.last_line = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != self.phase:
            if self.phase and self.tty:
                self.stream.write("\n")
            self.phase = phase
            self.started = now
        finished = total and done >= total
        # Without a terminal, print at most one line every 2 seconds (logs stay readable).
        if not self.tty and not finished and now - self.last_line < 2 and done:
            return
        self.last_line = now
        elapsed = now - self.started
        if total:
            filled = int(self.width * done / total)
            bar = "#" * filled + "-" * (self.width - filled)
            line = f"{phase:>8} [{bar}] {done}/{total} {elapsed:6.1f}s"
        else:
            line = f"{phase:>8} … {elapsed:6.1f}s"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Recompute the related-content index and every article's related list (refitting "
        "the term statistics first with --refit, or when they are missing or have drifted). "
        "Safe while the site serves; --resume continues an interrupted run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Continue from the last checkpoint instead of starting over.",
        )
        parser.add_argument(
            "--batch", type=int, default=500, help="Articles per transaction (default 500)."
        )
        parser.add_argument("--no-progress", action="store_true", help="Print no progress bar.")
        statistics = parser.add_mutually_exclusive_group()
        statistics.add_argument(
            "--refit",
            action="store_true",
            help="Recount the statistics snapshot first (nightly): every list moves a little.",
        )
        statistics.add_argument(
            "--keep-statistics",
            action="store_true",
            help=(
                "Never refit: recompute the index and the lists against the current "
                "snapshot, as live refreshes do (docs/related.md, Freshness)."
            ),
        )

    def handle(
        self,
        *args,
        resume: bool,
        batch: int,
        no_progress: bool,
        refit: bool,
        keep_statistics: bool,
        **options,
    ) -> None:
        started = time.monotonic()
        bar = None if no_progress else ProgressBar(self.stderr._out)
        rebuild(
            resume=resume,
            batch=batch,
            progress=bar,
            refit=True if refit else False if keep_statistics else None,
        )
        if bar is not None and bar.tty:
            self.stderr.write("")
        self.stdout.write(f"Related lists rebuilt in {time.monotonic() - started:.1f}s.")
