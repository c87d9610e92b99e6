"""Edge cases found by an audit with real-shaped Stripe events (API version 2026-10-28.endive).

Disputes through every status Stripe reports (appeals, prevented), a dispute that overtakes
the gift's completion, invoices listing more than one payment attempt, currency limits
checked against Stripe's at start, and events sent with another API version.
"""

import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import stripe
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from donations.limits import STRIPE_MAXIMUM_CHARGE
from donations.models import Donation, Payment, StripeEvent
from donations.reports import attribution_report
from donations.services.common import warn_on_api_version_mismatch
from tests.donations.stripe_fakes import event, fixture

S = Donation.Status
ROOT = Path(__file__).resolve().parent.parent.parent


def dispute(status, *, donation, event_id, kind="charge.dispute.updated", **fields):
    """The one dispute ``dp_test_1`` on ``ch_test_onetime1``, as Stripe reports it in ``status``."""
    payload = event("evt_charge_dispute_created", donation=donation, event_id=event_id)
    payload["type"] = kind
    payload["data"]["object"].update(status=status, **fields)
    return payload


def report_totals():
    today = timezone.localdate()
    report = attribution_report(start=today - dt.timedelta(days=1), end=today)
    [usd] = [row for row in report.totals if row["currency"] == "usd"]
    return usd


# --- 12. every dispute status, appeals and prevention ------------------------------------


@pytest.mark.django_db
def test_a_dispute_won_on_appeal_after_a_loss_makes_the_gift_paid_and_counts_the_money_again(
    deliver, once
):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_created", donation=once)
    deliver("evt_charge_dispute_closed_lost", donation=once)
    deliver(dispute("appeal_needs_response", donation=once, event_id="evt_appeal_1"))
    deliver(dispute("appeal_under_review", donation=once, event_id="evt_appeal_2"))

    # Under appeal the bank still has the money: lost until the appeal is won.
    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.DISPUTED
    assert (payment.dispute_status, payment.amount_disputed) == ("appeal_under_review", 2500)
    assert (payment.dispute_lost, payment.net_amount, payment.in_chargeback) == (2500, 0, True)
    assert (report_totals()["lost"], report_totals()["net"]) == (2500, 0)

    deliver(dispute("won", donation=once, event_id="evt_appeal_won", kind="charge.dispute.closed"))

    once.refresh_from_db()
    payment.refresh_from_db()
    assert once.status == S.PAID
    assert (payment.dispute_status, payment.amount_disputed) == ("won", 0)
    assert (payment.dispute_lost, payment.net_amount, payment.in_chargeback) == (0, 2500, False)
    assert (report_totals()["lost"], report_totals()["net"]) == (0, 2500)


@pytest.mark.django_db
def test_a_dispute_lost_after_its_appeal_is_final_against_late_appeal_events(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_closed_lost", donation=once)
    deliver(dispute("appeal_needs_response", donation=once, event_id="evt_appeal_1"))
    deliver(
        dispute("lost", donation=once, event_id="evt_appeal_lost", kind="charge.dispute.closed")
    )
    # The appeal's review, delivered late (say its first delivery failed), cannot reopen it.
    deliver(dispute("appeal_under_review", donation=once, event_id="evt_appeal_late"))

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.DISPUTED
    assert payment.dispute_status == "lost_after_appeal"
    assert (payment.amount_disputed, payment.net_amount) == (2500, 0)
    assert report_totals()["lost"] == 2500


@pytest.mark.django_db
def test_a_won_dispute_is_final_against_a_late_appeal_event(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_closed_lost", donation=once)
    deliver(dispute("won", donation=once, event_id="evt_won", kind="charge.dispute.closed"))
    deliver(dispute("appeal_under_review", donation=once, event_id="evt_appeal_late"))

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.PAID
    assert (payment.dispute_status, payment.net_amount) == ("won", 2500)


@pytest.mark.django_db
def test_a_stale_chargeback_event_does_not_undo_an_appeal(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_closed_lost", donation=once)
    deliver(dispute("appeal_needs_response", donation=once, event_id="evt_appeal_1"))
    deliver("evt_charge_dispute_created", donation=once)  # the creation, delivered late

    assert Payment.objects.get().dispute_status == "appeal_needs_response"


@pytest.mark.django_db
def test_a_prevented_dispute_is_recorded_and_leaves_the_gift_and_its_money(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver(dispute("prevented", donation=once, event_id="evt_prevented"))
    # A late inquiry event for the same dispute cannot reopen it.
    deliver(dispute("warning_needs_response", donation=once, event_id="evt_inquiry_late"))

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.PAID
    assert (payment.dispute_status, payment.amount_disputed) == ("prevented", 0)
    assert (payment.net_amount, payment.in_chargeback) == (2500, False)


# --- 16. what Stripe holds -----------------------------------------------------------------


@pytest.mark.django_db
def test_an_inquiry_records_no_money_held_and_a_chargeback_records_the_disputed_amount(
    deliver, once
):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_inquiry_created", donation=once)
    payment = Payment.objects.get()
    assert (payment.dispute_status, payment.amount_disputed) == ("warning_needs_response", 0)

    escalated = dispute("needs_response", donation=once, event_id="evt_escalated", amount=2000)
    escalated["data"]["object"]["id"] = "du_test_inquiry1"
    deliver(escalated)

    payment.refresh_from_db()
    assert (payment.dispute_status, payment.amount_disputed) == ("needs_response", 2000)


@pytest.mark.django_db
def test_a_disputed_amount_above_the_payment_is_bounded_by_the_payment(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver(dispute("lost", donation=once, event_id="evt_big", amount=10_000_000))

    payment = Payment.objects.get()
    assert (payment.amount_disputed, payment.net_amount) == (2500, 0)


# --- 13. a dispute that overtakes the gift's completion --------------------------------------


@pytest.mark.django_db
def test_a_dispute_before_completion_is_recorded_from_the_charge_stripe_returns(
    deliver, once, transport
):
    # The dispute's own metadata is empty; its charge carries ours (copied from Checkout).
    transport.answer(
        "GET", "/v1/charges/", lambda r: (200, fixture("charge_retrieved", donation=once))
    )
    partial = event("evt_charge_dispute_created", donation=once)
    partial["data"]["object"]["amount"] = 1000  # only part of the charge is disputed

    response = deliver(partial)

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert response.status_code == 200
    assert [r.path for r in transport.requests] == ["/v1/charges/ch_test_onetime1"]
    assert once.status == S.DISPUTED
    assert (payment.stripe_id, payment.amount, payment.amount_disputed) == (
        "pi_test_onetime1",
        2500,
        1000,
    )
    assert payment.stripe_charge_id == "ch_test_onetime1"
    assert mail.outbox == []  # no receipt for money the bank is holding back

    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_closed_lost", donation=once)

    once.refresh_from_db()
    payment.refresh_from_db()
    assert Payment.objects.count() == 1
    assert once.status == S.DISPUTED
    assert once.paid_at is not None  # the money did arrive before the bank took it back
    assert (payment.amount_disputed, payment.net_amount) == (2500, 0)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_dispute_before_the_first_invoice_is_recorded_fails_then_applies_on_retry(
    deliver, monthly, transport, django_capture_on_commit_callbacks
):
    # A recurring gift's charge carries no metadata of ours: Stripe says which invoice its
    # PaymentIntent paid, and that invoice is ours but not recorded yet.
    payments = fixture("invoice_payments_list_renewal", donation=monthly)
    payments["data"][0]["payment"]["payment_intent"] = "pi_in_test_first1"
    payments["data"][0]["invoice"].update(id="in_test_first1", billing_reason="subscription_create")
    transport.answer("GET", "/v1/invoice_payments", lambda r: (200, payments))
    created = event("evt_charge_dispute_created", donation=monthly)
    created["data"]["object"].update(charge="ch_test_first1", payment_intent="pi_in_test_first1")

    failed = deliver(created)

    entry = StripeEvent.objects.get(stripe_id="evt_test_dispute_created")
    assert failed.status_code == 500
    assert entry.status == StripeEvent.Status.FAILED
    assert "NotReady" in entry.error
    assert Payment.objects.count() == 0

    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reprocess_stripe_events", stdout=open(os.devnull, "w"))  # noqa: SIM115

    entry.refresh_from_db()
    monthly.refresh_from_db()
    payment = Payment.objects.get()
    assert entry.status == StripeEvent.Status.PROCESSED
    assert monthly.status == S.DISPUTED
    assert (payment.stripe_id, payment.stripe_charge_id) == ("in_test_first1", "ch_test_first1")
    assert (payment.dispute_status, payment.in_chargeback) == ("needs_response", True)

    lost = dispute(
        "lost", donation=monthly, event_id="evt_first_lost", kind="charge.dispute.closed"
    )
    lost["data"]["object"].update(charge="ch_test_first1", payment_intent="pi_in_test_first1")
    deliver(lost)

    payment.refresh_from_db()
    assert payment.net_amount == 0
    assert report_totals()["net"] == 0


@pytest.mark.django_db
def test_a_dispute_on_a_charge_we_know_does_not_ask_stripe(deliver, once, transport):
    deliver("evt_checkout_session_completed_payment", donation=once)

    deliver("evt_charge_dispute_created", donation=once)

    assert transport.requests == []
    assert Payment.objects.get().dispute_status == "needs_response"


# --- 14. invoices listing several payment attempts --------------------------------------------


@pytest.mark.django_db
def test_an_invoice_records_its_paid_payment_not_a_canceled_attempt_listed_first(deliver, monthly):
    invoice = event("evt_invoice_paid_first", donation=monthly)
    attempts = invoice["data"]["object"]["payments"]["data"]
    paid = attempts[0]
    canceled = {
        **paid,
        "id": "inpay_canceled",
        "status": "canceled",
        "is_default": False,
        "payment": {"type": "payment_intent", "payment_intent": "pi_canceled_attempt"},
    }
    opened = {**canceled, "id": "inpay_open", "status": "open"}
    opened["payment"] = {"type": "payment_intent", "payment_intent": "pi_open_attempt"}
    other_paid = {**paid, "id": "inpay_other", "is_default": False}
    other_paid["payment"] = {"type": "payment_intent", "payment_intent": "pi_not_default"}
    attempts[:] = [canceled, opened, other_paid, {**paid, "is_default": True}]

    deliver(invoice)

    assert Payment.objects.get().stripe_payment_intent_id == "pi_in_test_first1"


# --- 15. currency limits checked against Stripe's at start -------------------------------------

SECRET = "test-only-" + "k" * 54  # 64 characters, never used outside tests


def _start(currencies: str) -> subprocess.CompletedProcess:
    unset = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "SITE_URL", "DONATION_CURRENCIES"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="news.example.org",
        SITE_URL="https://news.example.org",
        DONATION_CURRENCIES=currencies,
    )
    return subprocess.run(
        [sys.executable, "-c", "import newsroom.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("currencies", "message"),
    [
        ("USD:5:100,JPY:10:1000", "DONATION_CURRENCIES: the minimum for JPY is JPY 10,"),
        ("MXN:5:1000", "DONATION_CURRENCIES: the minimum for MXN is MXN 5.00,"),
        ("USD:5:1000000", "DONATION_CURRENCIES: the maximum for USD is USD 1,000,000.00,"),
        ("JPY:100:100000000", "DONATION_CURRENCIES: the maximum for JPY is JPY 100,000,000,"),
    ],
)
def test_a_currency_limit_outside_stripes_charge_limits_stops_the_site(currencies, message):
    result = _start(currencies)

    assert result.returncode != 0
    assert message in result.stderr
    assert "Stripe" in result.stderr


def test_a_minimum_below_stripes_names_stripes_minimum():
    result = _start("MXN:5:1000")

    assert "below Stripe's minimum charge of MXN 10.00" in result.stderr


def test_a_currency_missing_from_stripes_minimum_table_stops_the_site():
    result = _start("USD:5:100,KRW:1000:100000")

    assert result.returncode != 0
    assert "DONATION_CURRENCIES: KRW is not in Stripe's table of minimum charge" in result.stderr


def test_limits_exactly_at_stripes_bounds_start():
    result = _start("USD:1:999999,JPY:50:99999999,GBP:1:10000,HUF:175:100000")

    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_covering_the_fee_can_never_take_a_gift_past_stripes_maximum(client, settings, transport):
    settings.DONATION_CURRENCIES = {"usd": {"min": 500, "max": 99_999_900, "exponent": 2}}
    form = {
        "frequency": "once",
        "currency": "usd",
        "amount": "other",
        "custom_amount": "999999",
        "cover_fee": "on",
        "donor_name": "Ana Reyes",
        "donor_email": "ana@example.org",
    }

    response = client.post("/donate/", form)

    assert response.status_code == 200
    assert "above the maximum of $999,999" in response.content.decode()
    assert Donation.objects.count() == 0
    assert transport.requests == []
    assert settings.DONATION_CURRENCIES["usd"]["max"] <= STRIPE_MAXIMUM_CHARGE


# --- 17. the API version of the webhook endpoint -----------------------------------------------


def test_an_event_sent_with_another_api_version_is_logged(caplog):
    payload = event("evt_checkout_session_completed_payment")
    payload["api_version"] = "2024-06-20"

    with caplog.at_level(logging.WARNING, logger="donations.services.common"):
        matches = warn_on_api_version_mismatch(payload)

    assert matches is False
    [record] = caplog.records
    assert "2024-06-20" in record.getMessage()
    assert stripe.api_version in record.getMessage()
    assert payload["id"] in record.getMessage()


def test_an_event_sent_with_the_pinned_api_version_is_not_logged(caplog):
    payload = event("evt_checkout_session_completed_payment")

    with caplog.at_level(logging.WARNING, logger="donations.services.common"):
        matches = warn_on_api_version_mismatch(payload)

    assert payload["api_version"] == stripe.api_version == "2026-10-28.endive"
    assert matches is True
    assert caplog.records == []
