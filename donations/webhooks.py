"""Stripe webhooks: verify -> store in the ledger -> dispatch to a small handler.

Every verified event is stored under its unique Stripe id *before* it is processed.
Processing happens under a row lock on that ledger entry, so two simultaneous
deliveries of one event run the handler once; the second waits, then sees it done.
A failing handler rolls back its own writes, keeps the traceback on the entry and
makes the view answer 500 so Stripe retries (``reprocess_stripe_events`` retries too).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from donations import services
from donations.models import StripeEvent
from donations.services.common import warn_on_api_version_mismatch

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    PROCESSED = "processed"
    ALREADY_PROCESSED = "already processed"
    IGNORED = "ignored"
    FAILED = "failed"
    INVALID = "invalid"


class BadSignature(Exception):
    """Missing, forged or stale ``Stripe-Signature``: nothing is stored."""


class UnstorableEvent(Exception):
    """Signed, but without an id or type we could ever store: answered 400 and logged."""


# The ledger's columns; Stripe's own ids and types are far shorter.
MAX_EVENT_ID = 255
MAX_EVENT_TYPE = 100


# Each handler gets the event's object and the event's ``created`` time: when Stripe saw
# the change, which for a delayed or retried delivery is not when we process it.
Handler = Callable[[Mapping[str, Any], dt.datetime | None], object]


def _checkout_failed(session: Mapping[str, Any], at: dt.datetime | None) -> object:
    return services.donation_payment_failed(
        session=session, reason="The delayed payment failed (reported by Stripe)."
    )


def _fulfil(session: Mapping[str, Any], at: dt.datetime | None) -> object:
    return services.donation_fulfil(session=session, occurred_at=at)


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _fulfil,
    "checkout.session.async_payment_succeeded": _fulfil,
    "checkout.session.async_payment_failed": _checkout_failed,
    "checkout.session.expired": _fulfil,
    "invoice.paid": lambda obj, at: services.invoice_paid(invoice=obj),
    "invoice.payment_failed": lambda obj, at: services.invoice_payment_failed(invoice=obj),
    "customer.subscription.updated": lambda obj, at: services.subscription_changed(
        subscription=obj
    ),
    "customer.subscription.deleted": lambda obj, at: services.subscription_changed(
        subscription=obj
    ),
    "charge.refunded": lambda obj, at: services.charge_refunded(charge=obj),
    "charge.dispute.created": lambda obj, at: services.dispute_changed(dispute=obj),
    "charge.dispute.updated": lambda obj, at: services.dispute_changed(dispute=obj),
    "charge.dispute.closed": lambda obj, at: services.dispute_changed(dispute=obj),
}


def verify(payload: bytes, signature: str | None) -> dict[str, Any]:
    """Check the signature and timestamp with the SDK, then parse the event."""
    # The SDK compares signatures with hmac.compare_digest, which raises TypeError for a
    # non-ASCII str: a header Stripe never sends, so it is simply not a signature.
    if not signature or not signature.isascii():
        raise BadSignature("missing or non-ASCII Stripe-Signature header")
    try:
        stripe.WebhookSignature.verify_header(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
        event = json.loads(payload)
    except (
        stripe.SignatureVerificationError,
        ValueError,
        UnicodeDecodeError,
        RecursionError,  # absurdly nested JSON
    ) as exc:
        raise BadSignature(str(exc)) from None
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise BadSignature("signed body is not a Stripe event")
    return event


def _storable(value: Any) -> Any:
    """The payload with NUL characters replaced: PostgreSQL's jsonb (and text) cannot
    hold ``\\u0000``, and one in any string would make the whole event unstorable."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def store(event: Mapping[str, Any]) -> StripeEvent:
    """Put the event in the ledger, or find it there. The unique event id makes a
    concurrent duplicate insert fail and fall back to reading the row already stored."""
    event_id, event_type = event.get("id"), event.get("type")
    if not (
        isinstance(event_id, str)
        and 0 < len(event_id) <= MAX_EVENT_ID
        and "\x00" not in event_id
        and isinstance(event_type, str)
        and 0 < len(event_type) <= MAX_EVENT_TYPE
    ):
        raise UnstorableEvent(f"event id {str(event_id)[:80]!r} or type {str(event_type)[:80]!r}")
    entry, created = StripeEvent.objects.get_or_create(
        stripe_id=event_id,
        defaults={
            "type": _storable(event_type),
            "livemode": event.get("livemode") is True,
            "payload": _storable(event),
            # A created time that is not a timestamp is left empty, not a crash.
            "stripe_created_at": services.stripe_time(event.get("created")),
        },
    )
    if created:  # once per event, not on every retry
        warn_on_api_version_mismatch(event)
    return entry


def process(entry_id: int) -> Outcome:
    """Run the handler for one ledger entry, at most once successfully."""
    with transaction.atomic():
        # Waits here while another delivery of the same event is being processed.
        entry = StripeEvent.objects.select_for_update().get(pk=entry_id)
        if entry.done:
            return Outcome.ALREADY_PROCESSED
        if entry.status == StripeEvent.Status.INVALID:
            return Outcome.INVALID
        entry.attempts += 1
        handler = HANDLERS.get(entry.type)
        if handler is None:
            entry.status = StripeEvent.Status.IGNORED
            entry.processed_at = timezone.now()
            entry.save(update_fields=["status", "attempts", "processed_at", "updated_at"])
            return Outcome.IGNORED
        try:
            obj = (entry.payload.get("data") or {}).get("object")
            if not isinstance(obj, dict):
                raise services.MalformedEvent("the event has no data.object")
            # A savepoint: the handler's writes vanish on failure, the ledger update stays.
            with transaction.atomic():
                handler(obj, entry.stripe_created_at)
        except services.MalformedEvent as exc:
            # Retrying could never succeed: kept for staff, answered 400, not retried.
            logger.warning(
                "Stripe event %s (%s) is malformed: %s", entry.stripe_id, entry.type, exc
            )
            entry.status = StripeEvent.Status.INVALID
            entry.error = f"{exc}\n\n{traceback.format_exc()}"
            entry.save(update_fields=["status", "attempts", "error", "updated_at"])
            return Outcome.INVALID
        except Exception:
            # Any failure must reach the ledger and make Stripe retry; the traceback is
            # for staff in the admin, never for the HTTP response.
            logger.exception("Stripe event %s (%s) failed", entry.stripe_id, entry.type)
            entry.status = StripeEvent.Status.FAILED
            entry.error = traceback.format_exc()
            entry.save(update_fields=["status", "attempts", "error", "updated_at"])
            return Outcome.FAILED
        entry.status = StripeEvent.Status.PROCESSED
        entry.error = ""
        entry.processed_at = timezone.now()
        entry.save(update_fields=["status", "attempts", "error", "processed_at", "updated_at"])
        return Outcome.PROCESSED


def receive(payload: bytes, signature: str | None) -> Outcome:
    event = verify(payload, signature)
    entry = store(event)
    return process(entry.pk)


def reprocess(entries: Any) -> dict[Outcome, int]:
    """Retry ledger entries (e.g. the failed ones); returns a count per outcome."""
    counts: dict[Outcome, int] = {}
    for pk in entries.values_list("pk", flat=True):
        outcome = process(pk)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
