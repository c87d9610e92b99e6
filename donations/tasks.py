"""Donation work that runs outside Stripe's webhook request: the receipt email.

A receipt must not be lost to a mail server that is down for a while: each attempt that
fails is recorded (with its traceback, in the admin's task results) and the next one is
queued with a growing delay (``newsroom.tasks.retry_later``); whatever is still unsent after
the last attempt, or was never queued, is picked up by ``manage.py send_unsent_receipts``.
Sending twice is impossible: ``receipt_send`` sets ``receipt_sent_at`` under a row lock.
"""

from __future__ import annotations

from django.tasks import task

from donations.services.receipts import receipt_send
from newsroom.tasks import enqueue_on_commit, retry_later


@task
def send_receipt(payment_id: int, attempt: int = 1) -> bool:
    """Email one payment's receipt (``False`` if none is due: sent already, refunded...)."""
    try:
        return receipt_send(payment_id=payment_id)
    except Exception:
        # Any failure, not only SMTP errors: a retry is bounded, and the traceback of
        # each attempt stays in the task results for an editor or developer to read.
        retry_later(send_receipt, payment_id, attempt=attempt)
        raise


def receipt_send_on_commit(payment_id: int) -> None:
    """Queue the receipt for a payment being recorded, once its transaction commits."""
    enqueue_on_commit(send_receipt, payment_id)
