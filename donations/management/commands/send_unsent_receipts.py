"""Send the receipts that are still due: the sweep behind the receipt task's retries.

Run it from cron (every 15 minutes or hourly) beside the task worker; see docs/donations.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from donations.services.receipts import receipts_unsent_send


class Command(BaseCommand):
    help = "Email every receipt still unsent for payments recorded in the last days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=30,
            metavar="MINUTES",
            help="Only payments recorded at least this long ago (the queued task and its "
            "retries go first; default 30).",
        )
        parser.add_argument(
            "--max-age-days",
            type=int,
            default=30,
            metavar="DAYS",
            help="Only payments recorded within this many days (default 30).",
        )

    def handle(self, *args: Any, older_than: int, max_age_days: int, **options: Any) -> None:
        if older_than < 0 or max_age_days < 1:
            raise CommandError("--older-than must be >= 0 and --max-age-days >= 1.")
        counts = receipts_unsent_send(
            older_than=dt.timedelta(minutes=older_than), max_age=dt.timedelta(days=max_age_days)
        )
        self.stdout.write(
            f"receipts sent: {counts['sent']}, not due: {counts['not_due']}, "
            f"failed: {counts['failed']}"
        )
        if counts["failed"]:
            # A non-zero exit, so cron or a monitor notices a mailer that is still down.
            raise CommandError(f"{counts['failed']} receipt(s) could not be sent; see the log.")
