"""What every donations workflow shares: its exceptions and how it reads Stripe objects."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

import stripe

from donations.models import Donation, IllegalTransition
from donations.money import parse_whole

logger = logging.getLogger(__name__)


class CheckoutUnavailable(Exception):
    """Stripe could not open a Checkout Session; nothing was charged."""


class NotReady(Exception):
    """An event names one of our donations, but its money cannot be recorded yet.

    Raised so the webhook answers 500 and Stripe retries later, by which time the
    event that records the money will have arrived. Events that name nothing of ours
    are answered 200 instead: retrying them could never succeed.
    """


class ManageLinkInvalid(Exception):
    """A manage-my-gift link that is forged, expired or already used."""


class MalformedEvent(ValueError):
    """A signed event whose fields do not have the shape Stripe documents.

    Retrying it could never succeed, so the ledger keeps it as *invalid* for staff to
    inspect and the webhook answers 400 instead of failing (and being retried) forever.
    """


# --- helpers -----------------------------------------------------------------------


# Stripe ids are short ASCII tokens ("cs_test_a1B2..."); our columns hold 255 characters.
_STRIPE_ID = re.compile(r"[A-Za-z0-9_]{1,255}")
# Stripe amounts are integers of minor units with at most 8 digits; allow some headroom.
MAX_STRIPE_AMOUNT = 10**12


def stripe_id(value: Any) -> str:
    """An expandable Stripe field is an id string or an object carrying one.

    ``""`` when absent; ``MalformedEvent`` for anything that is not an id, so that a
    payload carrying a 10,000-character "id" is refused rather than crashing the write.
    """
    if isinstance(value, Mapping):
        value = value.get("id")
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _STRIPE_ID.fullmatch(value):
        raise MalformedEvent(f"not a Stripe id: {str(value)[:80]!r}")
    return value


def stripe_time(value: Any) -> dt.datetime | None:
    """A Unix timestamp from Stripe, or ``None`` when absent or not a plausible time."""
    if isinstance(value, bool) or not isinstance(value, int | str) or value in ("", 0):
        return None
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit() or len(value) > 12:
            return None
        value = int(value)
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def stripe_amount(value: Any) -> int:
    """An amount of minor units from a Stripe object (``None`` counts as 0)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_STRIPE_AMOUNT:
        raise MalformedEvent(f"not an amount of minor units: {str(value)[:80]!r}")
    return value


def locked(donation_id: Any) -> Donation | None:
    pk = parse_whole(donation_id) if isinstance(donation_id, str) else None
    if isinstance(donation_id, int) and not isinstance(donation_id, bool):
        pk = donation_id if 0 < donation_id < 2**63 else None
    if pk is None:
        return None
    return Donation.objects.select_for_update().filter(pk=pk).first()


def donation_from_metadata(metadata: Mapping[str, Any] | None) -> Donation | None:
    """The donation named in metadata we set; raises if it names one that does not exist."""
    donation_id = (metadata or {}).get("donation_id")
    if not donation_id:
        return None
    donation = locked(donation_id)
    if donation is None:
        raise NotReady(f"metadata names donation {donation_id!r}, which does not exist")
    return donation


def remember(donation: Donation, **ids: str) -> None:
    for field, value in ids.items():
        if value and not getattr(donation, field):
            setattr(donation, field, value)


def try_move(donation: Donation, move: Callable[[], None]) -> bool:
    """Apply a transition only if it is legal from here; Stripe may already be further on."""
    try:
        move()
    except IllegalTransition as exc:
        logger.info("Skipped a stale transition: %s", exc)
        return False
    return True


def warn_on_api_version_mismatch(event: Mapping[str, Any]) -> bool:
    """Log a warning when an event was rendered with another API version than the SDK's.

    Stripe renders a webhook's payload in the API version of the endpoint, not of the SDK
    that calls the API. The handlers parse the shapes of the SDK's pinned version
    (``stripe.api_version``: where an invoice keeps its subscription and payments, the
    dispute statuses), so an endpoint created with another version may carry fields
    where we do not look. Logged rather than refused: the event is still stored, and a
    refused event would only be retried with the same version. Returns whether the
    versions match.
    """
    version = event.get("api_version")
    if version == stripe.api_version:
        return True
    logger.warning(
        "Stripe event %s was sent with API version %r, but this site parses %s: "
        "recreate the webhook endpoint with API version %s (docs/donations.md).",
        event.get("id"),
        version,
        stripe.api_version,
        stripe.api_version,
    )
    return False
