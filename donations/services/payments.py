"""Stripe confirms: checkout sessions, invoices and charges become Payments, once each."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from donations import gateway
from donations.models import Donation, Payment
from donations.services.common import (
    NotReady,
    donation_from_metadata,
    remember,
    stripe_amount,
    stripe_id,
    stripe_time,
    try_move,
)

logger = logging.getLogger(__name__)

S = Donation.Status


def session_mismatch(donation: Donation, session: Mapping[str, Any]) -> str:
    """Why this Checkout Session cannot be the one that pays ``donation`` ("" if it can).

    Metadata alone proves nothing: anyone able to open a session on the account (or a
    bug) can copy our ``donation_id`` onto a session for another amount or currency.
    The session we opened is on record, and so are the amount and the currency.
    """
    problems = []
    session_id = stripe_id(session.get("id"))
    if donation.stripe_checkout_session_id and session_id != donation.stripe_checkout_session_id:
        problems.append(
            f"checkout session {session_id} is not the one opened for this gift "
            f"({donation.stripe_checkout_session_id})"
        )
    if session.get("payment_status") in ("paid", "no_payment_required"):
        amount = stripe_amount(session.get("amount_total"))
        currency = str(session.get("currency") or "").lower()
        problems += _money_mismatch(donation, amount=amount, currency=currency)
    return "; ".join(problems)


def _money_mismatch(donation: Donation, *, amount: int, currency: str) -> list[str]:
    problems = []
    if amount != donation.amount:
        problems.append(f"Stripe reports {amount} minor units paid; the gift is {donation.amount}")
    if currency != donation.currency:
        problems.append(
            f"Stripe reports {currency.upper() or 'no currency'}; "
            f"the gift is in {donation.currency.upper()}"
        )
    return problems


def invoice_mismatch(donation: Donation, invoice: Mapping[str, Any], subscription: str) -> str:
    """Why this invoice cannot be money of ``donation``'s recurring gift ("" if it can).

    The same rule as for sessions: the subscription on record, the amount and currency
    of each charge. (The Billing Portal we open lets donors cancel or change their card,
    not the amount, so a renewal for another amount is worth an editor's look.)
    """
    problems = []
    if donation.stripe_subscription_id and subscription != donation.stripe_subscription_id:
        problems.append(
            f"invoice {stripe_id(invoice.get('id'))} belongs to subscription {subscription}, "
            f"not this gift's ({donation.stripe_subscription_id})"
        )
    amount = stripe_amount(invoice.get("amount_paid"))
    if amount > 0:
        currency = str(invoice.get("currency") or "").lower()
        problems += _money_mismatch(donation, amount=amount, currency=currency)
    return "; ".join(problems)


def mismatch_record(donation: Donation, problem: str) -> None:
    """Keep what did not match for an editor (admin filter "Needs review") and change
    nothing else: the gift is not marked paid on a report we cannot reconcile."""
    logger.warning("Donation %s does not match what Stripe reports: %s", donation.pk, problem)
    note = f"{timezone.now():%Y-%m-%d %H:%M} {problem}"
    if problem not in donation.mismatch:
        donation.mismatch = f"{donation.mismatch}\n{note}".strip()[-4000:]
    donation.save(update_fields=["mismatch", "updated_at"])


def _donation_for_session(session: Mapping[str, Any]) -> tuple[Donation | None, bool]:
    """The locked donation a session names, and whether the session may change it (a
    mismatch is recorded for an editor). ``(None, False)`` for sessions that are not ours."""
    donation = donation_from_metadata(session.get("metadata"))
    if donation is None:
        return None, False
    if problem := session_mismatch(donation, session):
        mismatch_record(donation, problem)
        return donation, False
    return donation, True


@transaction.atomic
def donation_fulfil(
    *, session: Mapping[str, Any], occurred_at: dt.datetime | None = None
) -> Donation | None:
    """Bring a donation in line with a Checkout Session. Idempotent; shared by the success
    page and the ``checkout.session.*`` webhooks. ``None`` for sessions that are not ours.

    ``occurred_at`` is the webhook event's ``created``: when Stripe saw the payment. The
    success page has no event; it runs seconds after the payment, so "now" is close.
    """
    donation, matches = _donation_for_session(session)
    if not matches:
        return donation
    remember(
        donation,
        stripe_checkout_session_id=stripe_id(session.get("id")),
        stripe_customer_id=stripe_id(session.get("customer")),
        stripe_subscription_id=stripe_id(session.get("subscription")),
        stripe_payment_intent_id=stripe_id(session.get("payment_intent")),
    )
    payment_status = session.get("payment_status")
    if payment_status in ("paid", "no_payment_required"):
        # A session's own timestamps say when checkout opened, not when money moved.
        paid_at = occurred_at or timezone.now()
        try_move(donation, partial(donation.mark_paid, at=paid_at))
        if donation.ended_at:
            try_move(donation, partial(donation.mark_cancelled, at=donation.ended_at))
        donation.save()
        # The money itself: keyed on the PaymentIntent (one-time) or the first Invoice
        # (recurring), the same keys the charge/invoice events use, so nothing doubles.
        money_id = stripe_id(session.get("payment_intent")) or stripe_id(session.get("invoice"))
        amount = stripe_amount(session.get("amount_total"))
        if money_id and amount > 0:
            payment_record(
                donation=donation,
                stripe_id=money_id,
                amount=amount,
                currency=donation.currency,  # checked equal to the session's above
                paid_at=paid_at,
                payment_intent_id=stripe_id(session.get("payment_intent")),
            )
    elif session.get("status") == "complete":
        # Completed but unpaid: a delayed method (bank debit); async_payment_* will follow.
        try_move(donation, donation.mark_processing)
        donation.save()
    elif session.get("status") == "expired":
        try_move(donation, donation.mark_expired)
        donation.save()
    else:
        donation.save()
    return donation


@transaction.atomic
def donation_payment_failed(*, session: Mapping[str, Any], reason: str) -> Donation | None:
    donation, matches = _donation_for_session(session)
    if not matches:
        return donation
    try_move(donation, partial(donation.mark_failed, reason=reason))
    donation.save()
    return donation


def payment_record(
    *,
    donation: Donation,
    stripe_id: str,
    amount: int,
    currency: str,
    paid_at: dt.datetime,
    payment_intent_id: str = "",
    charge_id: str = "",
    amount_refunded: int = 0,
) -> tuple[Payment, bool]:
    """Record one charge once. Replays find the existing row (unique ``stripe_id``) and only
    fill in references learnt since. A receipt goes out after commit for new money."""
    with transaction.atomic():
        payment, created = Payment.objects.select_for_update().get_or_create(
            stripe_id=stripe_id,
            defaults={
                "donation": donation,
                "amount": amount,
                "currency": currency.lower(),
                "paid_at": paid_at,
                "stripe_payment_intent_id": payment_intent_id,
                "stripe_charge_id": charge_id,
                "amount_refunded": min(amount_refunded, amount),
            },
        )
        if not created:
            changed = []
            for field, value in (
                ("stripe_payment_intent_id", payment_intent_id),
                ("stripe_charge_id", charge_id),
            ):
                if value and not getattr(payment, field):
                    setattr(payment, field, value)
                    changed.append(field)
            if changed:
                payment.save(update_fields=[*changed, "updated_at"])
    if created and payment.amount_refunded < payment.amount:
        # Imported here: donations.tasks imports the services package this module is in.
        from donations.tasks import receipt_send_on_commit

        # A task, so the email leaves Stripe's request and is retried if mail is down.
        receipt_send_on_commit(payment.pk)
    return payment, created


def _invoice_refs(invoice: Mapping[str, Any]) -> dict[str, Any]:
    """Where an invoice keeps its subscription, metadata, PaymentIntent and charge.

    Newer API versions moved these under ``parent.subscription_details`` and ``payments``;
    older ones had them at the top level. Read both so the API version pinned on the
    webhook endpoint does not matter.
    """
    details = (
        (invoice.get("parent") or {}).get("subscription_details")
        or invoice.get("subscription_details")
        or {}
    )
    intent = stripe_id(invoice.get("payment_intent"))
    charge = stripe_id(invoice.get("charge"))
    paid = _paid_invoice_payment(invoice)
    if paid is not None:
        payment = paid.get("payment") or {}
        intent = intent or stripe_id(payment.get("payment_intent"))
        charge = charge or stripe_id(payment.get("charge"))
    return {
        "subscription": stripe_id(details.get("subscription") or invoice.get("subscription")),
        "metadata": details.get("metadata") or invoice.get("metadata") or {},
        "payment_intent": intent,
        "charge": charge,
    }


def _paid_invoice_payment(invoice: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The invoice payment that carried the money, or ``None``.

    ``invoice.payments`` lists every attempt, in no promised order: a canceled or still
    open attempt (a first card declined, a PaymentIntent replaced) must never be taken
    for the payment, or a later refund or dispute of the real charge would not match.
    Among paid ones the default payment wins (``is_default``).
    """
    items = [item for item in (invoice.get("payments") or {}).get("data") or [] if item]
    paid = [item for item in items if item.get("status") == "paid"]
    for item in paid:
        if item.get("is_default"):
            return item
    return paid[0] if paid else None


def _donation_for_invoice(invoice: Mapping[str, Any]) -> tuple[Donation | None, dict[str, Any]]:
    refs = _invoice_refs(invoice)
    donation = donation_from_metadata(refs["metadata"])
    if donation is None and refs["subscription"]:
        donation = (
            Donation.objects.select_for_update()
            .filter(stripe_subscription_id=refs["subscription"])
            .first()
        )
    return donation, refs


def _with_payment_refs(invoice: Mapping[str, Any], refs: dict[str, Any]) -> dict[str, Any]:
    """Fill in the PaymentIntent of a paid invoice whose webhook did not include it.

    ``invoice.payments`` is an includable field that current API versions leave out of
    webhooks; without the PaymentIntent a later refund or dispute of this payment could
    not be matched. Asking Stripe can fail: the error then makes Stripe retry the event.
    """
    if refs["payment_intent"] or refs["charge"] or not gateway.is_configured():
        return refs
    full = gateway.retrieve_invoice_with_payments(str(invoice["id"]))
    found = _invoice_refs(full)
    return {**refs, "payment_intent": found["payment_intent"], "charge": found["charge"]}


@transaction.atomic
def invoice_paid(*, invoice: Mapping[str, Any]) -> Payment | None:
    """Every paid invoice of a recurring gift is one Payment (first one and renewals).

    ``None`` for invoices that are not ours: neither our metadata nor one of our
    subscriptions (e.g. a one-off invoice of some other product on the same account).
    Metadata naming a donation we do not have raises ``NotReady`` instead.
    """
    donation, refs = _donation_for_invoice(invoice)
    if donation is None:
        return None
    if problem := invoice_mismatch(donation, invoice, refs["subscription"]):
        mismatch_record(donation, problem)
        return None
    remember(
        donation,
        stripe_subscription_id=refs["subscription"],
        stripe_customer_id=stripe_id(invoice.get("customer")),
    )
    paid_at = stripe_time((invoice.get("status_transitions") or {}).get("paid_at")) or (
        stripe_time(invoice.get("created")) or timezone.now()
    )
    try_move(donation, partial(donation.mark_paid, at=paid_at))
    if donation.ended_at:
        try_move(donation, partial(donation.mark_cancelled, at=donation.ended_at))
    donation.save()
    amount = stripe_amount(invoice.get("amount_paid"))
    if amount <= 0:
        return None  # e.g. a zero-amount proration invoice: no money moved
    refs = _with_payment_refs(invoice, refs)
    payment, _ = payment_record(
        donation=donation,
        stripe_id=str(invoice["id"]),
        amount=amount,
        currency=str(invoice.get("currency") or donation.currency),
        paid_at=paid_at,
        payment_intent_id=refs["payment_intent"],
        charge_id=refs["charge"],
    )
    return payment


@transaction.atomic
def invoice_payment_failed(*, invoice: Mapping[str, Any]) -> Donation | None:
    donation, refs = _donation_for_invoice(invoice)
    if donation is None:
        return None
    subscription = refs["subscription"]
    if donation.stripe_subscription_id and subscription != donation.stripe_subscription_id:
        mismatch_record(donation, f"failed invoice of another subscription ({subscription})")
        return donation
    remember(donation, stripe_subscription_id=subscription)
    first = invoice.get("billing_reason") == "subscription_create"
    if not first or not try_move(
        donation,
        partial(donation.mark_failed, reason="The first payment of the recurring gift failed."),
    ):
        # A renewal failed: Stripe retries on its own schedule and tells us if it gives up
        # (customer.subscription.deleted), so the gift's status stays as it is.
        donation.last_error = f"Renewal payment failed on invoice {invoice.get('id')}."
    donation.save()
    return donation


@transaction.atomic
def subscription_changed(*, subscription: Mapping[str, Any]) -> Donation | None:
    """``customer.subscription.updated`` / ``.deleted``: a recurring gift that has ended."""
    donation = donation_from_metadata(subscription.get("metadata"))
    if donation is None:
        donation = (
            Donation.objects.select_for_update()
            .filter(stripe_subscription_id=stripe_id(subscription.get("id")))
            .first()
        )
    if donation is None:
        return None
    remember(
        donation,
        stripe_subscription_id=stripe_id(subscription.get("id")),
        stripe_customer_id=stripe_id(subscription.get("customer")),
    )
    if subscription.get("status") in ("canceled", "incomplete_expired"):
        ended = stripe_time(subscription.get("ended_at") or subscription.get("canceled_at"))
        donation.ended_at = donation.ended_at or ended or timezone.now()
        if donation.paid_at is None:
            # Never paid (e.g. the first invoice failed and the subscription expired): the
            # gift failed rather than ended. A first payment seen later still pays it
            # and then cancels it (see invoice_paid).
            reason = "The recurring gift ended before its first payment."
            try_move(donation, partial(donation.mark_failed, reason=reason))
        else:
            try_move(donation, partial(donation.mark_cancelled, at=donation.ended_at))
    donation.save()
    return donation


def charge_mismatch(donation: Donation, charge: Mapping[str, Any], intent_id: str) -> str:
    """Why a charge found through our metadata cannot be ``donation``'s money ("" if it
    can): the same rule as for sessions and invoices, for the charge's PaymentIntent."""
    problems = []
    if donation.stripe_payment_intent_id and intent_id != donation.stripe_payment_intent_id:
        problems.append(
            f"charge of PaymentIntent {intent_id or '(none)'} is not this gift's "
            f"({donation.stripe_payment_intent_id})"
        )
    currency = str(charge.get("currency") or "").lower()
    problems += _money_mismatch(
        donation, amount=stripe_amount(charge.get("amount")), currency=currency
    )
    return "; ".join(problems)


def _payment_for_charge(charge_id: str, intent_id: str) -> Payment | None:
    payments = Payment.objects.select_for_update().select_related("donation")
    if charge_id:
        found = payments.filter(stripe_charge_id=charge_id).first()
        if found:
            return found
    if intent_id:
        return (
            payments.filter(stripe_payment_intent_id=intent_id).first()
            or payments.filter(stripe_id=intent_id).first()
        )
    return None


def payment_from_charge(charge: Mapping[str, Any], *, retrieve: bool = False) -> Payment | None:
    """The Payment a charge belongs to, or ``None`` when the charge is not a donation.

    A refund or dispute can overtake the event that records the payment: a one-time
    gift's charge carries our metadata, so it is recorded from the charge; a renewal's
    charge carries none, so Stripe is asked which invoice it paid. Only when something
    names one of our donations and the payment cannot be recorded yet is ``NotReady``
    raised (and Stripe retries); money that is not ours must not fail forever.

    ``retrieve``: the caller holds only a reference to the charge (a dispute names its
    charge by id, and its own metadata is not the charge's), so a payment not recorded
    yet is looked up from the charge Stripe returns. A payment we already know needs no
    call to Stripe.
    """
    charge_id = stripe_id(charge.get("id"))
    intent_id = stripe_id(charge.get("payment_intent"))
    payment = _payment_for_charge(charge_id, intent_id)
    if payment is not None:
        return payment
    if retrieve and charge_id and gateway.is_configured():
        # A Stripe error propagates: the event fails and Stripe retries it.
        charge = gateway.retrieve_charge(charge_id)
        intent_id = stripe_id(charge.get("payment_intent")) or intent_id
    donation = donation_from_metadata(charge.get("metadata"))
    if donation is None and intent_id:
        donation = (
            Donation.objects.select_for_update().filter(stripe_payment_intent_id=intent_id).first()
        )
    if donation is None:
        return _payment_from_invoice_of(intent_id=intent_id, charge_id=charge_id)
    if problem := charge_mismatch(donation, charge, intent_id):
        mismatch_record(donation, problem)
        return None
    paid_at = stripe_time(charge.get("created")) or timezone.now()
    remember(donation, stripe_payment_intent_id=intent_id)
    # The charge succeeded before it was refunded or disputed: the money did arrive, so
    # the gift has a paid time even if its completion event is skipped as stale later.
    donation.paid_at = donation.paid_at or paid_at
    donation.save()
    payment, _ = payment_record(
        donation=donation,
        stripe_id=intent_id or charge_id,
        amount=stripe_amount(charge.get("amount")),
        currency=str(charge.get("currency") or donation.currency),
        paid_at=paid_at,
        payment_intent_id=intent_id,
        charge_id=charge_id,
        amount_refunded=stripe_amount(charge.get("amount_refunded")),
    )
    return Payment.objects.select_for_update().select_related("donation").get(pk=payment.pk)


def _payment_from_invoice_of(*, intent_id: str, charge_id: str) -> Payment | None:
    """The renewal Payment a PaymentIntent paid, asking Stripe for its invoice."""
    if not intent_id or not gateway.is_configured():
        return None
    invoice = gateway.invoice_paid_by(intent_id)
    if invoice is None:
        return None  # paid no invoice, and nothing else about it is ours
    payment = (
        Payment.objects.select_for_update()
        .select_related("donation")
        .filter(stripe_id=stripe_id(invoice.get("id")))
        .first()
    )
    if payment is not None:
        payment.stripe_payment_intent_id = payment.stripe_payment_intent_id or intent_id
        payment.stripe_charge_id = payment.stripe_charge_id or charge_id
        payment.save(update_fields=["stripe_payment_intent_id", "stripe_charge_id", "updated_at"])
        return payment
    donation, _ = _donation_for_invoice(invoice)
    if donation is None:
        return None  # an invoice of something that is not a donation
    raise NotReady(f"invoice {invoice.get('id')} of donation {donation.pk} is not recorded yet")
