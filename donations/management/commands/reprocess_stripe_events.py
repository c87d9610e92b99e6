"""Retry Stripe events whose handler failed (or named ones), e.g. after fixing a bug."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from donations import webhooks
from donations.models import StripeEvent


class Command(BaseCommand):
    help = "Reprocess failed Stripe webhook events from the ledger (or the ids given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event_ids", nargs="*", help="Stripe event ids (evt_...).")
        parser.add_argument(
            "--include-received",
            action="store_true",
            help="Also retry events stored but never processed (e.g. the process died).",
        )

    def handle(self, *args: Any, event_ids: list[str], include_received: bool, **options: Any):
        if event_ids:
            entries = StripeEvent.objects.filter(stripe_id__in=event_ids)
        else:
            statuses = [StripeEvent.Status.FAILED]
            if include_received:
                statuses.append(StripeEvent.Status.RECEIVED)
            entries = StripeEvent.objects.filter(status__in=statuses)
        counts = webhooks.reprocess(entries.order_by("received_at", "pk"))
        if not counts:
            self.stdout.write("No events to reprocess.")
            return
        for outcome, number in counts.items():
            self.stdout.write(f"{outcome.value}: {number}")
        failed = counts.get(webhooks.Outcome.FAILED, 0)
        if failed:
            self.stderr.write(self.style.WARNING(f"{failed} event(s) still failing; see admin."))
