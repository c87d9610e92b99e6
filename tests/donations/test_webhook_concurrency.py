"""Two simultaneous deliveries of one event are processed once (real PostgreSQL locking)."""

import json
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from donations import webhooks
from donations.models import Payment, StripeEvent
from tests.donations.factories import DonationFactory
from tests.donations.stripe_fakes import event, signature_header

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]

CONCURRENT = 8


@pytest.fixture
def slow_handler(monkeypatch):
    """Hold each handler run open a moment so that deliveries really overlap.

    This wraps the dispatch table entry (the real handler still runs); it does not
    replace our code, it only widens the race window a concurrent delivery must hit.
    """
    import time

    real = webhooks.HANDLERS["checkout.session.completed"]
    runs = []

    def slow(obj, at):
        runs.append(threading.get_ident())
        time.sleep(0.3)
        return real(obj, at)

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", slow)
    return runs


def test_simultaneous_duplicate_deliveries_are_processed_exactly_once(slow_handler):
    assert connection.vendor == "postgresql"
    donation = DonationFactory(frequency="once", stripe_checkout_session_id="cs_test_a1b2c3")
    body = json.dumps(event("evt_checkout_session_completed_payment", donation=donation))
    header = signature_header(body)
    barrier = threading.Barrier(CONCURRENT)
    results: list[tuple[int, str]] = []

    def deliver():
        client = Client()
        barrier.wait()
        try:
            response = client.post(
                "/donate/stripe/webhook/",
                data=body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header,
            )
            results.append((response.status_code, response.json()["status"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    entry = StripeEvent.objects.get()
    assert sorted(results) == sorted(
        [(200, "processed")] + [(200, "already processed")] * (CONCURRENT - 1)
    )
    assert len(slow_handler) == 1
    assert entry.attempts == 1 and entry.status == StripeEvent.Status.PROCESSED
    assert Payment.objects.count() == 1
    assert len(mail.outbox) == 1  # one receipt, sent after the one commit
