"""Receipts: one email per payment, once, stating what we kept."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from donations.models import Donation, Payment
from donations.money import format_money

logger = logging.getLogger(__name__)


def receipt_send(*, payment_id: int) -> bool:
    """Email the receipt for one payment, once. Runs after the payment is committed.

    In the donor's language (``Donation.language``, the donate page's), whatever
    language the task runner or the webhook request happens to have active.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("donation").get(pk=payment_id)
        # A refund or dispute can overtake the completion event: the receipt then states
        # what we kept, and none goes out for money the bank is holding back.
        if payment.receipt_sent_at or payment.net_amount <= 0 or payment.in_chargeback:
            return False
        donation = payment.donation
        with translation.override(donation.language):
            _receipt_email(donation, payment)
        payment.receipt_sent_at = timezone.now()
        payment.save(update_fields=["receipt_sent_at", "updated_at"])
    return True


def _receipt_email(donation: Donation, payment: Payment) -> None:
    """The receipt, rendered in the active language (the caller sets the donor's)."""
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
        "manage_url": settings.SITE_URL + reverse("donations:manage"),
    }
    send_email("receipt", to=donation.donor_email, context=context)


def receipts_unsent_send(*, older_than: dt.timedelta, max_age: dt.timedelta) -> dict[str, int]:
    """The sweep: send every receipt still due for payments recorded between ``max_age``
    and ``older_than`` ago. Returns counts: ``sent``, ``not_due``, ``failed``.

    ``older_than`` leaves the queued task and its retries their chance first (sending
    twice cannot happen either way: ``receipt_send`` decides under the row lock);
    ``max_age`` keeps a misconfigured or long-dead mailer from emailing donors about
    months-old gifts all at once. One failure does not stop the others.
    """
    now = timezone.now()
    due = (
        Payment.objects.filter(
            receipt_sent_at__isnull=True,
            created_at__lte=now - older_than,
            created_at__gte=now - max_age,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    counts = {"sent": 0, "not_due": 0, "failed": 0}
    for payment_id in due:
        try:
            sent = receipt_send(payment_id=payment_id)
        except Exception:
            logger.exception("receipts: payment %s: the receipt could not be sent", payment_id)
            counts["failed"] += 1
        else:
            counts["sent" if sent else "not_due"] += 1
    return counts


def send_email(template: str, *, to: str, context: dict[str, Any]) -> None:
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
