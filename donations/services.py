"""Write workflows for donations: start, fulfil, record payments, refunds, disputes, receipts.

Webhook handlers and views call these; none of them trusts the order in which Stripe
reports things. Each one locks the donation row it changes, reads what Stripe says
and moves the state machine only where that is a legal move, so replays and
reordered events converge on the same state.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from articles.models import Article
from donations import gateway
from donations.models import (
    DISPUTE_LOST,
    DISPUTE_STAGES,
    Donation,
    Frequency,
    IllegalTransition,
    ManageLinkUse,
    Payment,
)
from donations.money import format_money, parse_whole

logger = logging.getLogger(__name__)

S = Donation.Status


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


def article_from_source(source: str) -> Article | None:
    """``article-123`` -> that article, if it exists; anything else is just a label."""
    prefix, _, rest = source.partition("-")
    pk = parse_whole(rest)
    if prefix != "article" or pk is None:
        return None
    return Article.objects.filter(pk=pk).first()


def _locked(donation_id: Any) -> Donation | None:
    try:
        pk = int(donation_id)
    except (TypeError, ValueError):
        return None
    return Donation.objects.select_for_update().filter(pk=pk).first()


def _donation_from_metadata(metadata: Mapping[str, Any] | None) -> Donation | None:
    """The donation named in metadata we set; raises if it names one that does not exist."""
    donation_id = (metadata or {}).get("donation_id")
    if not donation_id:
        return None
    donation = _locked(donation_id)
    if donation is None:
        raise NotReady(f"metadata names donation {donation_id!r}, which does not exist")
    return donation


def _remember(donation: Donation, **ids: str) -> None:
    for field, value in ids.items():
        if value and not getattr(donation, field):
            setattr(donation, field, value)


def _try(donation: Donation, move: Callable[[], None]) -> bool:
    """Apply a transition only if it is legal from here; Stripe may already be further on."""
    try:
        move()
    except IllegalTransition as exc:
        logger.info("Skipped a stale transition: %s", exc)
        return False
    return True


# --- the donor starts ----------------------------------------------------------------


@transaction.atomic
def donation_start(
    *,
    amount: int,
    currency: str,
    frequency: str,
    donor_email: str,
    donor_name: str = "",
    fee_covered: int = 0,
    anonymous: bool = False,
    dedication_type: str = "",
    dedication_name: str = "",
    message: str = "",
    source: str = "",
    campaign: str = "",
) -> Donation:
    """Store the pending donation. It is committed before Stripe is called, so a crash or
    an outage between the two leaves a record of the attempt, never an orphan payment."""
    return Donation.objects.create(
        amount=amount,
        fee_covered=fee_covered,
        currency=currency,
        frequency=frequency,
        donor_email=donor_email,
        donor_name=donor_name,
        anonymous=anonymous,
        dedication_type=dedication_type,
        dedication_name=dedication_name if dedication_type else "",
        message=message,
        source=source[:100],
        source_article=article_from_source(source),
        campaign=campaign[:100],
    )


def describe(donation: Donation) -> str:
    """``"$25 every month"``: the words used on the button, Stripe's product and receipts."""
    amount = format_money(donation.amount, donation.currency)
    return {
        Frequency.ONCE: amount,
        Frequency.MONTHLY: f"{amount} every month",
        Frequency.ANNUAL: f"{amount} every year",
    }[Frequency(donation.frequency)]


def checkout_open(*, donation: Donation, success_url: str, cancel_url: str) -> str:
    """Open a Stripe Checkout Session for a committed pending donation; return its URL.

    Deliberately not atomic: the donation row must survive a Stripe failure, which is
    recorded on it for staff (never shown to the donor).
    """
    kind = "gift" if donation.frequency == Frequency.ONCE else "recurring gift"
    try:
        session = gateway.create_checkout_session(
            donation=donation,
            product_name=f"{settings.ORGANISATION_NAME} {kind}: {describe(donation)}",
            success_url=success_url,
            cancel_url=cancel_url,
        )
    except gateway.GatewayError as exc:
        logger.warning(
            "Stripe refused or failed to open checkout for donation %s: %r", donation.pk, exc
        )
        Donation.objects.filter(pk=donation.pk).update(
            last_error=f"Checkout could not start: {type(exc).__name__}: {exc}"[:2000],
            updated_at=timezone.now(),
        )
        raise CheckoutUnavailable from exc
    donation.stripe_checkout_session_id = session.id
    donation.save(update_fields=["stripe_checkout_session_id", "updated_at"])
    return session.url


# --- Stripe confirms -----------------------------------------------------------------


@transaction.atomic
def donation_fulfil(
    *, session: Mapping[str, Any], occurred_at: dt.datetime | None = None
) -> Donation | None:
    """Bring a donation in line with a Checkout Session. Idempotent; shared by the success
    page and the ``checkout.session.*`` webhooks. ``None`` for sessions that are not ours.

    ``occurred_at`` is the webhook event's ``created``: when Stripe saw the payment. The
    success page has no event; it runs seconds after the payment, so "now" is close.
    """
    donation = _donation_from_metadata(session.get("metadata"))
    if donation is None:
        return None
    _remember(
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
        _try(donation, partial(donation.mark_paid, at=paid_at))
        if donation.ended_at and donation.status == S.PAID:
            _try(donation, partial(donation.mark_cancelled, at=donation.ended_at))
        donation.save()
        # The money itself: keyed on the PaymentIntent (one-time) or the first Invoice
        # (recurring), the same keys the charge/invoice events use, so nothing doubles.
        money_id = stripe_id(session.get("payment_intent")) or stripe_id(session.get("invoice"))
        amount = int(session.get("amount_total") or 0)
        if money_id and amount > 0:
            payment_record(
                donation=donation,
                stripe_id=money_id,
                amount=amount,
                currency=str(session.get("currency") or donation.currency),
                paid_at=paid_at,
                payment_intent_id=stripe_id(session.get("payment_intent")),
            )
    elif session.get("status") == "complete":
        # Completed but unpaid: a delayed method (bank debit); async_payment_* will follow.
        if donation.status == S.PENDING:
            donation.mark_processing()
        donation.save()
    elif session.get("status") == "expired":
        if donation.status == S.PENDING:
            donation.mark_expired()
        donation.save()
    else:
        donation.save()
    return donation


@transaction.atomic
def donation_payment_failed(*, session: Mapping[str, Any], reason: str) -> Donation | None:
    donation = _donation_from_metadata(session.get("metadata"))
    if donation is None:
        return None
    if donation.status in (S.PENDING, S.PROCESSING):
        donation.mark_failed(reason=reason)
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
        transaction.on_commit(partial(receipt_send, payment_id=payment.pk), robust=True)
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
    for item in (invoice.get("payments") or {}).get("data") or []:
        payment = item.get("payment") or {}
        intent = intent or stripe_id(payment.get("payment_intent"))
        charge = charge or stripe_id(payment.get("charge"))
    return {
        "subscription": stripe_id(details.get("subscription") or invoice.get("subscription")),
        "metadata": details.get("metadata") or invoice.get("metadata") or {},
        "payment_intent": intent,
        "charge": charge,
    }


def _donation_for_invoice(invoice: Mapping[str, Any]) -> tuple[Donation | None, dict[str, Any]]:
    refs = _invoice_refs(invoice)
    donation = _donation_from_metadata(refs["metadata"])
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
    _remember(
        donation,
        stripe_subscription_id=refs["subscription"],
        stripe_customer_id=stripe_id(invoice.get("customer")),
    )
    paid_at = stripe_time((invoice.get("status_transitions") or {}).get("paid_at")) or (
        stripe_time(invoice.get("created")) or timezone.now()
    )
    _try(donation, partial(donation.mark_paid, at=paid_at))
    if donation.ended_at and donation.status == S.PAID:
        _try(donation, partial(donation.mark_cancelled, at=donation.ended_at))
    donation.save()
    amount = int(invoice.get("amount_paid") or 0)
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
    _remember(donation, stripe_subscription_id=refs["subscription"])
    if invoice.get("billing_reason") == "subscription_create" and donation.status in (
        S.PENDING,
        S.PROCESSING,
    ):
        donation.mark_failed(reason="The first payment of the recurring gift failed.")
    else:
        # A renewal failed: Stripe retries on its own schedule and tells us if it gives up
        # (customer.subscription.deleted), so the gift's status stays as it is.
        donation.last_error = f"Renewal payment failed on invoice {invoice.get('id')}."
    donation.save()
    return donation


@transaction.atomic
def subscription_changed(*, subscription: Mapping[str, Any]) -> Donation | None:
    """``customer.subscription.updated`` / ``.deleted``: a recurring gift that has ended."""
    donation = _donation_from_metadata(subscription.get("metadata"))
    if donation is None:
        donation = (
            Donation.objects.select_for_update()
            .filter(stripe_subscription_id=stripe_id(subscription.get("id")))
            .first()
        )
    if donation is None:
        return None
    _remember(
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
            if donation.status in (S.PENDING, S.PROCESSING):
                donation.mark_failed(reason="The recurring gift ended before its first payment.")
        else:
            _try(donation, partial(donation.mark_cancelled, at=donation.ended_at))
    donation.save()
    return donation


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


def _payment_from_charge(charge: Mapping[str, Any]) -> Payment | None:
    """The Payment a charge belongs to, or ``None`` when the charge is not a donation.

    A refund or dispute can overtake the event that records the payment: a one-time
    gift's charge carries our metadata, so it is recorded from the charge; a renewal's
    charge carries none, so Stripe is asked which invoice it paid. Only when something
    names one of our donations and the payment cannot be recorded yet is ``NotReady``
    raised (and Stripe retries); money that is not ours must not fail forever.
    """
    charge_id = stripe_id(charge.get("id"))
    intent_id = stripe_id(charge.get("payment_intent"))
    payment = _payment_for_charge(charge_id, intent_id)
    if payment is not None:
        return payment
    donation = _donation_from_metadata(charge.get("metadata"))
    if donation is None and intent_id:
        donation = (
            Donation.objects.select_for_update().filter(stripe_payment_intent_id=intent_id).first()
        )
    if donation is None:
        return _payment_from_invoice_of(intent_id=intent_id, charge_id=charge_id)
    _remember(donation, stripe_payment_intent_id=intent_id)
    donation.save()
    payment, _ = payment_record(
        donation=donation,
        stripe_id=intent_id or charge_id,
        amount=int(charge["amount"]),
        currency=str(charge.get("currency") or donation.currency),
        paid_at=stripe_time(charge.get("created")) or timezone.now(),
        payment_intent_id=intent_id,
        charge_id=charge_id,
        amount_refunded=int(charge.get("amount_refunded") or 0),
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


@transaction.atomic
def charge_refunded(*, charge: Mapping[str, Any]) -> Payment | None:
    payment = _payment_from_charge(charge)
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
        _try(donation, donation.mark_refunded)
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
    payment = _payment_from_charge(charge)
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
        _try(donation, donation.mark_dispute_won)
    elif stage >= DISPUTE_STAGES["needs_response"]:
        # Open or lost chargebacks; a lost one seen before its creation event included.
        _try(donation, donation.mark_disputed)
    payment.save(update_fields=["dispute_status", "amount_disputed", "updated_at"])
    donation.save()
    return payment


# --- receipts ------------------------------------------------------------------------


def receipt_send(*, payment_id: int) -> bool:
    """Email the receipt for one payment, once. Runs after the payment is committed."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("donation").get(pk=payment_id)
        # A refund or dispute can overtake the completion event: the receipt then states
        # what we kept, and none goes out for money the bank is holding back.
        if payment.receipt_sent_at or payment.net_amount <= 0 or payment.in_chargeback:
            return False
        donation = payment.donation
        context = {
            "organisation": settings.ORGANISATION_NAME,
            "tax_statement": settings.TAX_STATEMENT,
            "donation": donation,
            "payment": payment,
            "amount": format_money(payment.net_amount, payment.currency),
            "charged": format_money(payment.amount, payment.currency),
            "refunded": (
                format_money(payment.amount_refunded, payment.currency)
                if payment.amount_refunded
                else ""
            ),
            "currency": payment.currency.upper(),
            "frequency": donation.get_frequency_display(),
            "reference": payment.stripe_charge_id or payment.stripe_id,
            "renewal": donation.payments.filter(paid_at__lt=payment.paid_at).exists(),
            "site_url": settings.SITE_URL,
        }
        _send("receipt", to=donation.donor_email, context=context)
        payment.receipt_sent_at = timezone.now()
        payment.save(update_fields=["receipt_sent_at", "updated_at"])
    return True


def _send(template: str, *, to: str, context: dict[str, Any]) -> None:
    base = f"donations/emails/{template}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{base}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    message.send()


# --- donors manage their gift ----------------------------------------------------------

MANAGE_SALT = "donations.manage-link"


def manage_link_request(*, email: str, link_for: Callable[[str], str]) -> bool:
    """Email a signed, expiring, single-use link to each recurring gift on this address.

    Every address gets an email, with links or saying that no recurring gift was found:
    the page and the time it takes are then the same either way, so the form cannot be
    used to find out who gives. Returns whether links went out, for logging only.
    """
    customers = list(
        Donation.objects.recurring()
        .filter(donor_email__iexact=email.strip())
        .exclude(stripe_customer_id="")
        .order_by("-created_at")
        .values_list("stripe_customer_id", flat=True)
        .distinct()
    )
    links = [
        link_for(signing.dumps({"c": customer, "n": secrets.token_urlsafe(16)}, salt=MANAGE_SALT))
        for customer in dict.fromkeys(customers)
    ]
    context = {
        "organisation": settings.ORGANISATION_NAME,
        "links": links,
        "minutes": settings.DONATION_MANAGE_LINK_MAX_AGE // 60,
        "site_url": settings.SITE_URL,
    }
    _send("manage_link", to=email.strip(), context=context)
    return bool(links)


def manage_token_read(token: str) -> dict[str, str]:
    try:
        data = signing.loads(token, salt=MANAGE_SALT, max_age=settings.DONATION_MANAGE_LINK_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature too
        raise ManageLinkInvalid from exc
    if ManageLinkUse.objects.filter(nonce=data["n"]).exists():
        raise ManageLinkInvalid("already used")
    return data


@transaction.atomic
def manage_token_redeem(*, token: str, return_url: str) -> str:
    """Spend the link and open a Billing Portal session; returns the portal URL.

    The use is recorded in the same transaction as the Stripe call, so a Stripe failure
    leaves the link usable while two clicks racing each other get one portal session.
    """
    data = manage_token_read(token)
    if not gateway.is_configured():
        # Checked before the link is spent, so it still works once Stripe is set up.
        raise gateway.NotConfigured
    try:
        with transaction.atomic():
            ManageLinkUse.objects.create(nonce=data["n"])
    except IntegrityError:
        raise ManageLinkInvalid("already used") from None
    try:
        return gateway.create_billing_portal_session(customer_id=data["c"], return_url=return_url)
    except gateway.GatewayError as exc:
        logger.warning("Stripe could not open the billing portal: %r", exc)
        raise CheckoutUnavailable from exc
