"""Money going back: refunds and disputes (inquiries and chargebacks) of recorded payments."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from donations.models import (
    DISPUTE_HOLDS_MONEY,
    DISPUTE_STATUSES,
    Donation,
    Payment,
    dispute_next_status,
)
from donations.services.common import stripe_amount, stripe_id, try_move
from donations.services.payments import payment_from_charge

logger = logging.getLogger(__name__)


@transaction.atomic
def charge_refunded(*, charge: Mapping[str, Any]) -> Payment | None:
    payment = payment_from_charge(charge)
    if payment is None:
        return None  # a refund of money that is not a donation
    donation = Donation.objects.select_for_update().get(pk=payment.donation_id)
    # Refunds only ever grow; an older snapshot arriving late must not shrink them.
    payment.amount_refunded = min(
        payment.amount, max(payment.amount_refunded, stripe_amount(charge.get("amount_refunded")))
    )
    payment.stripe_charge_id = payment.stripe_charge_id or stripe_id(charge.get("id"))
    payment.save(update_fields=["amount_refunded", "stripe_charge_id", "updated_at"])
    # A one-time gift fully refunded is over. For a recurring gift one refunded renewal
    # does not end the gift; the payment row shows the refund.
    if payment.amount_refunded >= payment.amount and not donation.is_recurring:
        try_move(donation, donation.mark_refunded)
        donation.save()
    return payment


@transaction.atomic
def dispute_changed(*, dispute: Mapping[str, Any]) -> Payment | None:
    """``charge.dispute.*``: record the dispute on its payment and move the gift.

    Only a chargeback takes money: an inquiry (``warning_*``) or a prevented dispute is
    recorded and leaves the gift as it was. Events for one dispute arrive in any order and
    are retried late, so a status is applied only where ``DISPUTE_TRANSITIONS`` lets it
    follow the recorded one (see donations/models.py); won, and lost after an appeal, are
    final.
    """
    status = str(dispute.get("status") or "")
    if status not in DISPUTE_STATUSES:
        # Checked before anything is looked up: a status from a newer API version must
        # not be half-applied. Logged, not raised: retrying cannot teach us the status.
        logger.warning("Dispute %s has a status we do not know: %r", dispute.get("id"), status)
        return None
    payment = payment_from_charge(_disputed_charge(dispute), retrieve=True)
    if payment is None:
        return None  # a dispute on money that is not a donation
    donation = Donation.objects.select_for_update().get(pk=payment.donation_id)
    recorded = payment.dispute_status
    new_status = dispute_next_status(recorded, status)
    if new_status is None:
        logger.info(
            "Skipped a stale dispute event for payment %s: %s after %s",
            payment.pk,
            status,
            recorded,
        )
        return payment
    payment.dispute_status = new_status
    payment.amount_disputed = _amount_held(payment, new_status, dispute)
    if new_status == "won":
        try_move(donation, donation.mark_dispute_won)
    elif new_status in DISPUTE_HOLDS_MONEY:
        # Open, lost or appealed chargebacks; a lost one seen before its creation included.
        try_move(donation, donation.mark_disputed)
    payment.save(update_fields=["dispute_status", "amount_disputed", "updated_at"])
    donation.save()
    return payment


def _disputed_charge(dispute: Mapping[str, Any]) -> Mapping[str, Any]:
    """The disputed charge as far as the dispute tells it.

    ``charge`` is normally an id: the dispute's own ``metadata`` is not the charge's (it
    is empty), so when the payment is not recorded yet ``payment_from_charge`` asks Stripe
    for the charge itself. The amount here is only a fallback for a site without a Stripe
    key; a partial dispute's amount is not the charge's.
    """
    charge_ref = dispute.get("charge")
    if isinstance(charge_ref, Mapping):
        return charge_ref  # expanded: the charge itself, metadata included
    return {
        "id": stripe_id(charge_ref),
        "payment_intent": dispute.get("payment_intent"),
        "amount": dispute.get("amount"),
        "currency": dispute.get("currency"),
    }


def _amount_held(payment: Payment, status: str, dispute: Mapping[str, Any]) -> int:
    """What the bank holds of this payment (minor units): the disputed amount while a
    chargeback is open, lost or under appeal after a loss; nothing for an inquiry, a
    prevented dispute or a won one.

    Taken from the dispute's ``amount`` (the charge's currency), bounded by the payment:
    the dispute's ``balance_transactions`` are in the account's settlement currency and
    include the dispute fee, so they cannot be compared with the gift.
    """
    if status not in DISPUTE_HOLDS_MONEY:
        return 0
    try:
        amount = stripe_amount(dispute.get("amount"))
    except (TypeError, ValueError):
        amount = 0
    return max(0, min(amount, payment.amount))
