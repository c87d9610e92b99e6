"""Money going back: refunds and disputes (inquiries and chargebacks) of recorded payments."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from donations.models import DISPUTE_LOST, DISPUTE_STAGES, Donation, Payment
from donations.services.common import stripe_id, try_move
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
        payment.amount, max(payment.amount_refunded, int(charge.get("amount_refunded") or 0))
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

    Only a chargeback takes money: an inquiry (``warning_*``) is recorded and leaves the
    gift as it was. Events for one dispute can arrive in any order and be retried late,
    so an event reporting an earlier stage than the one recorded is skipped; a won or
    lost dispute is final.
    """
    charge_ref = dispute.get("charge")
    charge = dict(charge_ref) if isinstance(charge_ref, Mapping) else {}
    charge.setdefault("id", stripe_id(charge_ref))
    charge.setdefault("payment_intent", dispute.get("payment_intent"))
    charge.setdefault("amount", dispute.get("amount"))
    charge.setdefault("currency", dispute.get("currency"))
    charge.setdefault("metadata", dispute.get("metadata"))
    payment = payment_from_charge(charge)
    if payment is None:
        return None  # a dispute on money that is not a donation
    donation = Donation.objects.select_for_update().get(pk=payment.donation_id)
    status = str(dispute.get("status") or "")
    stage = DISPUTE_STAGES.get(status)
    if stage is None:
        logger.warning("Dispute %s has a status we do not know: %r", dispute.get("id"), status)
        return payment
    recorded = DISPUTE_STAGES.get(payment.dispute_status)
    if recorded is not None and (
        stage < recorded
        or (recorded == DISPUTE_STAGES[DISPUTE_LOST] and status != payment.dispute_status)
    ):
        logger.info(
            "Skipped a stale dispute event for payment %s: %s after %s",
            payment.pk,
            status,
            payment.dispute_status,
        )
        return payment
    payment.dispute_status = status
    # What the bank holds back: nothing for an inquiry that closed or a dispute we won.
    payment.amount_disputed = (
        0 if status in ("won", "warning_closed") else int(dispute.get("amount") or 0)
    )
    if status == "won":
        try_move(donation, donation.mark_dispute_won)
    elif stage >= DISPUTE_STAGES["needs_response"]:
        # Open or lost chargebacks; a lost one seen before its creation event included.
        try_move(donation, donation.mark_disputed)
    payment.save(update_fields=["dispute_status", "amount_disputed", "updated_at"])
    donation.save()
    return payment
