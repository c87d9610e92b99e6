"""What every donations workflow shares: its exceptions and how it reads Stripe objects."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

import stripe

from donations.models import Donation, IllegalTransition

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


# --- helpers -----------------------------------------------------------------------


def stripe_id(value: Any) -> str:
    """An expandable Stripe field is an id string or an object carrying one."""
    if isinstance(value, Mapping):
        return str(value.get("id") or "")
    return str(value or "")


def stripe_time(value: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC) if value else None


def locked(donation_id: Any) -> Donation | None:
    try:
        pk = int(donation_id)
    except (TypeError, ValueError):
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
