"""The webhook ledger and every handler, driven by really signed Stripe payloads."""

import io
import json
import time

import pytest
from django.core import mail
from django.core.management import call_command

from donations.models import Donation, Payment, StripeEvent
from tests.donations.stripe_fakes import TEST_KEY, event, fixture, post_event

pytestmark = pytest.mark.django_db

S = Donation.Status


# --- verification and the ledger -------------------------------------------------------


def test_forged_signature_is_refused_and_nothing_is_stored(client, once):
    payload = event("evt_checkout_session_completed_payment", donation=once)

    response = post_event(client, payload, secret="whsec_someone_else")

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    once.refresh_from_db()
    assert once.status == S.PENDING


def test_missing_signature_is_refused(client, once):
    payload = event("evt_checkout_session_completed_payment", donation=once)

    response = post_event(client, payload, header="")

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_stale_timestamp_is_refused_even_with_a_valid_signature(client, once):
    payload = event("evt_checkout_session_completed_payment", donation=once)

    response = post_event(client, payload, at=int(time.time()) - 600)

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_body_changed_after_signing_is_refused(client, once):
    body = json.dumps(event("evt_checkout_session_completed_payment", donation=once))
    from tests.donations.stripe_fakes import signature_header

    header = signature_header(body)
    tampered = body.replace('"amount_total": 2500', '"amount_total": 1')

    response = post_event(client, tampered, header=header)

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_webhook_accepts_post_only(client):
    assert client.get("/donate/stripe/webhook/").status_code == 405


def test_unhandled_event_type_is_stored_and_answered_200(deliver):
    response = deliver("evt_customer_created")

    entry = StripeEvent.objects.get()
    assert response.status_code == 200
    assert entry.type == "customer.created"
    assert entry.status == StripeEvent.Status.IGNORED
    assert entry.payload["data"]["object"]["id"] == "cus_test_donor1"


def test_duplicate_delivery_is_processed_once(deliver, once):
    first = deliver("evt_checkout_session_completed_payment", donation=once)
    second = deliver("evt_checkout_session_completed_payment", donation=once)

    entry = StripeEvent.objects.get()
    assert (first.status_code, first.json()) == (200, {"status": "processed"})
    assert (second.status_code, second.json()) == (200, {"status": "already processed"})
    assert entry.attempts == 1
    assert Payment.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_money_in_a_new_event_is_not_counted_twice(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_checkout_session_completed_payment", donation=once, event_id="evt_test_resent")

    assert StripeEvent.objects.count() == 2
    assert Payment.objects.get().amount == 2500
    assert len(mail.outbox) == 1


def test_handler_failure_keeps_the_traceback_answers_500_and_can_be_reprocessed(
    deliver, monthly, transport, django_capture_on_commit_callbacks
):
    # A renewal's refund overtakes the renewal's invoice.paid: Stripe says the charge paid
    # an invoice of our subscription, but we have not recorded that invoice yet, so the
    # refund cannot be applied and Stripe must retry it later.
    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    deliver("evt_invoice_paid_first", donation=monthly)
    transport.answer(
        "GET",
        "/v1/invoice_payments",
        lambda r: (200, fixture("invoice_payments_list_renewal", donation=monthly)),
    )

    failed = deliver("evt_charge_refunded_renewal", donation=monthly)
    entry = StripeEvent.objects.get(stripe_id="evt_test_refunded_renewal")
    assert failed.status_code == 500
    assert entry.status == StripeEvent.Status.FAILED
    assert "NotReady" in entry.error and "Traceback" in entry.error
    assert "Traceback" not in failed.content.decode()

    deliver("evt_invoice_paid_renewal", donation=monthly)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reprocess_stripe_events")

    entry.refresh_from_db()
    monthly.refresh_from_db()
    renewal = Payment.objects.get(stripe_id="in_test_renewal2")
    assert entry.status == StripeEvent.Status.PROCESSED
    assert entry.attempts == 2
    assert entry.error == ""
    assert renewal.amount_refunded == 2500
    assert renewal.stripe_charge_id == "ch_test_renewal2"
    assert monthly.status == S.PAID  # one refunded renewal does not end the gift


def test_a_refund_of_a_charge_that_is_not_a_donation_is_answered_200_and_changes_nothing(
    deliver, transport
):
    refund = event("evt_charge_refunded")
    refund["data"]["object"].update(id="ch_shop1", payment_intent="pi_shop1", metadata={})

    response = deliver(refund)

    assert response.status_code == 200
    assert StripeEvent.objects.get().status == StripeEvent.Status.PROCESSED
    assert Payment.objects.count() == 0
    # We asked Stripe whether that money paid an invoice of ours before letting it go.
    [lookup] = transport.requests
    assert lookup.path == "/v1/invoice_payments"
    assert lookup.params["payment[payment_intent]"] == "pi_shop1"


def test_a_dispute_on_a_charge_that_is_not_a_donation_is_answered_200(deliver):
    dispute = event("evt_charge_dispute_created")
    dispute["data"]["object"].update(charge="ch_shop1", payment_intent="pi_shop1")

    response = deliver(dispute)

    assert response.status_code == 200
    assert Payment.objects.count() == 0


def test_a_one_off_invoice_that_is_not_a_donation_is_answered_200(deliver):
    invoice = event("evt_invoice_paid_first")
    invoice["data"]["object"].update(id="in_shop1", parent=None, billing_reason="manual")

    response = deliver(invoice)

    assert response.status_code == 200
    assert StripeEvent.objects.get().status == StripeEvent.Status.PROCESSED
    assert Payment.objects.count() == 0


def test_an_event_naming_a_donation_we_do_not_have_yet_is_retried(deliver):
    refund = event("evt_charge_refunded")
    refund["data"]["object"]["metadata"] = {"donation_id": "987654"}

    response = deliver(refund)

    assert response.status_code == 500
    assert StripeEvent.objects.get().status == StripeEvent.Status.FAILED


def test_a_session_that_is_not_ours_changes_nothing(deliver):
    payload = event("evt_checkout_session_completed_payment")
    payload["data"]["object"]["metadata"] = {}

    response = deliver(payload)

    assert response.status_code == 200
    assert StripeEvent.objects.get().status == StripeEvent.Status.PROCESSED
    assert Payment.objects.count() == 0


def test_unconfigured_webhook_secret_refuses_everything(client, settings, once):
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = post_event(client, event("evt_checkout_session_completed_payment", donation=once))

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


# --- one-time gifts ----------------------------------------------------------------------


def test_paid_checkout_marks_the_gift_paid_records_the_payment_and_sends_a_receipt(deliver, once):
    response = deliver("evt_checkout_session_completed_payment", donation=once)

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert response.status_code == 200
    assert once.status == S.PAID and once.paid_at is not None
    assert once.stripe_payment_intent_id == "pi_test_onetime1"
    assert once.stripe_customer_id == "cus_test_donor1"
    assert (payment.stripe_id, payment.amount, payment.currency) == (
        "pi_test_onetime1",
        2500,
        "usd",
    )
    assert payment.receipt_sent_at is not None
    [receipt] = mail.outbox
    assert receipt.to == ["ana@example.org"]
    assert "Crime Watch" in receipt.subject and "$25" in receipt.subject
    assert "$25 (USD)" in receipt.body
    assert "One-time" in receipt.body
    assert "pi_test_onetime1" in receipt.body
    assert "registered non-profit" in receipt.body
    assert payment.paid_at.strftime("%Y") in receipt.body
    html, mimetype = receipt.alternatives[0]
    assert mimetype == "text/html" and "Crime Watch" in html and "$25" in html


def test_paid_time_is_when_stripe_saw_the_money_not_when_we_processed_the_event(deliver, once):
    # Delivered late (Stripe retried for a day): the gift was made when the event says.
    two_days_ago = int(time.time()) - 2 * 86400
    completed = event("evt_checkout_session_completed_payment", donation=once)
    completed["created"] = two_days_ago

    deliver(completed)

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert int(payment.paid_at.timestamp()) == two_days_ago
    assert int(once.paid_at.timestamp()) == two_days_ago


def test_delayed_payment_waits_as_processing_then_async_success_pays(deliver, once):
    deliver("evt_checkout_session_completed_unpaid", donation=once)
    once.refresh_from_db()
    assert once.status == S.PROCESSING
    assert Payment.objects.count() == 0
    assert mail.outbox == []

    deliver("evt_checkout_session_async_payment_succeeded", donation=once)

    once.refresh_from_db()
    assert once.status == S.PAID
    assert Payment.objects.get().stripe_id == "pi_test_bank1"
    assert len(mail.outbox) == 1


def test_delayed_payment_failure_marks_the_gift_failed(deliver, once):
    deliver("evt_checkout_session_completed_unpaid", donation=once)
    deliver("evt_checkout_session_async_payment_failed", donation=once)

    once.refresh_from_db()
    assert once.status == S.FAILED
    assert "delayed payment failed" in once.last_error
    assert Payment.objects.count() == 0
    assert mail.outbox == []


def test_async_success_arriving_before_completion_still_converges_to_paid(deliver, once):
    deliver("evt_checkout_session_async_payment_succeeded", donation=once)
    deliver("evt_checkout_session_completed_unpaid", donation=once)

    once.refresh_from_db()
    assert once.status == S.PAID
    assert Payment.objects.count() == 1


def test_abandoned_checkout_expires_the_pending_gift(deliver, once):
    deliver("evt_checkout_session_expired", donation=once)

    once.refresh_from_db()
    assert once.status == S.EXPIRED


def test_full_refund_marks_the_gift_refunded(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_refunded", donation=once)

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.REFUNDED
    assert payment.amount_refunded == 2500 and payment.net_amount == 0
    assert payment.stripe_charge_id == "ch_test_onetime1"


def test_partial_refund_keeps_the_gift_paid_and_a_late_older_snapshot_never_shrinks_it(
    deliver, once
):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_refunded", donation=once)
    deliver("evt_charge_refunded_partial", donation=once)  # older snapshot, arrives last

    payment = Payment.objects.get()
    assert payment.amount_refunded == 2500


def test_partial_refund_alone_leaves_the_gift_paid(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_refunded_partial", donation=once)

    once.refresh_from_db()
    assert once.status == S.PAID
    assert Payment.objects.get().amount_refunded == 1000


def test_refund_before_completion_converges_to_the_same_state_without_a_receipt(deliver, once):
    deliver("evt_charge_refunded", donation=once)
    deliver("evt_checkout_session_completed_payment", donation=once)

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.REFUNDED
    assert (payment.stripe_id, payment.amount, payment.amount_refunded) == (
        "pi_test_onetime1",
        2500,
        2500,
    )
    assert once.stripe_checkout_session_id == "cs_test_a1b2c3"
    assert mail.outbox == []


def test_a_partial_refund_before_completion_gives_a_receipt_for_what_we_kept(deliver, once):
    deliver("evt_charge_refunded_partial", donation=once)
    deliver("evt_checkout_session_completed_payment", donation=once)

    [receipt] = mail.outbox
    assert "$15 (USD)" in receipt.body
    assert "$10 of the $25 charged was refunded" in receipt.body
    assert "$25 (USD)" not in receipt.body
    html, _ = receipt.alternatives[0]
    assert "$15 (USD)" in html and "was refunded" in html


def test_a_dispute_before_completion_sends_no_receipt(deliver, once):
    once.stripe_payment_intent_id = "pi_test_onetime1"
    once.save()

    deliver("evt_charge_dispute_created", donation=once)
    deliver("evt_checkout_session_completed_payment", donation=once)

    assert mail.outbox == []


def test_dispute_marks_the_gift_disputed_and_a_won_dispute_restores_it(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_created", donation=once)
    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.DISPUTED
    assert (payment.dispute_status, payment.amount_disputed) == ("needs_response", 2500)

    deliver("evt_charge_dispute_closed_won", donation=once)

    once.refresh_from_db()
    payment.refresh_from_db()
    assert once.status == S.PAID
    assert (payment.dispute_status, payment.amount_disputed) == ("won", 0)


def test_lost_dispute_leaves_the_gift_disputed(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_created", donation=once)
    deliver("evt_charge_dispute_closed_lost", donation=once)

    once.refresh_from_db()
    assert once.status == S.DISPUTED
    assert Payment.objects.get().dispute_status == "lost"


def test_a_late_dispute_created_never_reopens_a_dispute_already_won(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_created", donation=once)
    deliver("evt_charge_dispute_closed_won", donation=once)
    # Stripe retries the creation event after the closing one has been processed.
    deliver("evt_charge_dispute_created", donation=once, event_id="evt_test_dispute_created_retry")

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.PAID
    assert (payment.dispute_status, payment.amount_disputed) == ("won", 0)


def test_a_won_dispute_seen_before_its_creation_leaves_the_gift_paid(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_closed_won", donation=once)
    deliver("evt_charge_dispute_created", donation=once)

    once.refresh_from_db()
    assert once.status == S.PAID
    assert Payment.objects.get().dispute_status == "won"


def test_a_lost_dispute_seen_before_its_creation_still_marks_the_gift_disputed(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_closed_lost", donation=once)
    deliver("evt_charge_dispute_created", donation=once)

    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.DISPUTED
    assert (payment.dispute_status, payment.amount_disputed) == ("lost", 2500)
    assert payment.net_amount == 0


def test_an_inquiry_does_not_make_a_paid_gift_disputed_and_its_closing_leaves_it_paid(
    deliver, once
):
    deliver("evt_checkout_session_completed_payment", donation=once)

    deliver("evt_charge_dispute_inquiry_created", donation=once)
    once.refresh_from_db()
    assert once.status == S.PAID
    assert Payment.objects.get().dispute_status == "warning_needs_response"

    deliver("evt_charge_dispute_inquiry_closed", donation=once)
    once.refresh_from_db()
    payment = Payment.objects.get()
    assert once.status == S.PAID
    assert (payment.dispute_status, payment.amount_disputed) == ("warning_closed", 0)
    assert payment.net_amount == 2500


def test_an_inquiry_escalated_to_a_chargeback_marks_the_gift_disputed(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)
    deliver("evt_charge_dispute_inquiry_created", donation=once)
    escalated = event("evt_charge_dispute_created", donation=once)
    escalated["type"] = "charge.dispute.updated"
    escalated["data"]["object"]["id"] = "du_test_inquiry1"
    deliver(escalated)
    # The inquiry's own creation event, retried late, cannot undo the escalation.
    deliver("evt_charge_dispute_inquiry_created", donation=once, event_id="evt_test_inquiry_retry")

    once.refresh_from_db()
    assert once.status == S.DISPUTED
    assert Payment.objects.get().dispute_status == "needs_response"


def test_dispute_before_completion_is_linked_by_payment_intent(deliver, once):
    once.stripe_payment_intent_id = "pi_test_onetime1"
    once.save()

    deliver("evt_charge_dispute_created", donation=once)
    deliver("evt_checkout_session_completed_payment", donation=once)

    once.refresh_from_db()
    assert once.status == S.DISPUTED
    assert Payment.objects.count() == 1


# --- recurring gifts ---------------------------------------------------------------------


def test_subscription_checkout_and_first_invoice_record_one_payment(deliver, monthly):
    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    deliver("evt_invoice_paid_first", donation=monthly)

    monthly.refresh_from_db()
    payment = Payment.objects.get()
    assert monthly.status == S.PAID
    assert monthly.stripe_subscription_id == "sub_test_monthly1"
    assert monthly.stripe_customer_id == "cus_test_donor1"
    assert payment.stripe_id == "in_test_first1"
    assert payment.stripe_payment_intent_id == "pi_in_test_first1"
    assert len(mail.outbox) == 1
    assert "Monthly" in mail.outbox[0].body


def test_invoice_paid_before_checkout_completed_converges_to_the_same_state(deliver, monthly):
    deliver("evt_invoice_paid_first", donation=monthly)
    deliver("evt_checkout_session_completed_subscription", donation=monthly)

    monthly.refresh_from_db()
    assert monthly.status == S.PAID
    assert monthly.stripe_subscription_id == "sub_test_monthly1"
    assert monthly.stripe_checkout_session_id == "cs_test_sub9z8y7"
    assert Payment.objects.get().stripe_id == "in_test_first1"
    assert len(mail.outbox) == 1


def test_every_renewal_is_a_new_payment_with_its_own_receipt(deliver, monthly):
    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    deliver("evt_invoice_paid_first", donation=monthly)
    deliver("evt_invoice_paid_renewal", donation=monthly)
    deliver("evt_invoice_paid_renewal", donation=monthly)  # replay

    assert sorted(Payment.objects.values_list("stripe_id", flat=True)) == [
        "in_test_first1",
        "in_test_renewal2",
    ]
    assert sum(Payment.objects.values_list("amount", flat=True)) == 5000
    assert len(mail.outbox) == 2


def test_renewal_found_by_subscription_id_when_metadata_is_missing(deliver, monthly):
    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    renewal = event("evt_invoice_paid_renewal", donation=monthly)
    renewal["data"]["object"]["parent"]["subscription_details"]["metadata"] = {}

    deliver(renewal)

    assert Payment.objects.filter(donation=monthly).count() == 2


def test_a_renewal_without_payments_in_the_webhook_is_linked_by_asking_stripe(
    deliver, monthly, transport
):
    # invoice.payments is includable: current API versions leave it out of webhooks.
    transport.answer(
        "GET",
        "/v1/invoices/in_test_renewal2",
        lambda r: (200, fixture("invoice_retrieved_renewal", donation=monthly)),
    )
    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    deliver("evt_invoice_paid_first", donation=monthly)

    deliver("evt_invoice_paid_renewal_without_payments", donation=monthly)

    renewal = Payment.objects.get(stripe_id="in_test_renewal2")
    assert renewal.stripe_payment_intent_id == "pi_in_test_renewal2"
    [retrieve] = [r for r in transport.requests if r.path.startswith("/v1/invoices/")]
    assert retrieve.method == "GET"
    assert retrieve.params == {"expand[0]": "payments"}


def test_a_renewal_refund_is_applied_when_the_renewal_webhook_had_no_payments(
    deliver, monthly, transport
):
    transport.answer(
        "GET",
        "/v1/invoices/in_test_renewal2",
        lambda r: (200, fixture("invoice_retrieved_renewal", donation=monthly)),
    )
    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    deliver("evt_invoice_paid_first", donation=monthly)
    deliver("evt_invoice_paid_renewal_without_payments", donation=monthly)

    response = deliver("evt_charge_refunded_renewal", donation=monthly)

    renewal = Payment.objects.get(stripe_id="in_test_renewal2")
    assert response.status_code == 200
    assert (renewal.amount_refunded, renewal.stripe_charge_id) == (2500, "ch_test_renewal2")


def test_a_renewal_refund_is_linked_through_stripe_when_the_invoice_has_no_references(
    deliver, monthly, transport, settings
):
    # Even with nothing but the invoice id on our side (say the invoice was recorded
    # while Stripe could not be asked), Stripe's invoice payments link the charge.
    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    settings.STRIPE_SECRET_KEY = ""
    deliver("evt_invoice_paid_renewal_without_payments", donation=monthly)
    settings.STRIPE_SECRET_KEY = TEST_KEY
    transport.answer(
        "GET",
        "/v1/invoice_payments",
        lambda r: (200, fixture("invoice_payments_list_renewal", donation=monthly)),
    )

    response = deliver("evt_charge_refunded_renewal", donation=monthly)

    renewal = Payment.objects.get(stripe_id="in_test_renewal2")
    assert response.status_code == 200
    assert renewal.amount_refunded == 2500
    assert renewal.stripe_payment_intent_id == "pi_in_test_renewal2"


def test_first_invoice_failing_marks_the_recurring_gift_failed(deliver, monthly):
    deliver("evt_invoice_payment_failed_first", donation=monthly)

    monthly.refresh_from_db()
    assert monthly.status == S.FAILED


def test_a_recurring_gift_that_never_paid_stays_failed_when_its_subscription_expires(
    deliver, monthly
):
    deliver("evt_invoice_payment_failed_first", donation=monthly)
    expired = event("evt_customer_subscription_deleted", donation=monthly)
    expired["data"]["object"]["status"] = "incomplete_expired"

    deliver(expired)

    monthly.refresh_from_db()
    assert monthly.status == S.FAILED
    assert Payment.objects.count() == 0


def test_renewal_failure_keeps_the_gift_and_notes_the_error(deliver, monthly):
    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    deliver("evt_invoice_payment_failed_renewal", donation=monthly)

    monthly.refresh_from_db()
    assert monthly.status == S.PAID
    assert "in_test_renewal3" in monthly.last_error


@pytest.mark.parametrize(
    "name", ["evt_customer_subscription_deleted", "evt_customer_subscription_updated_canceled"]
)
def test_cancelled_subscription_ends_the_recurring_gift(deliver, monthly, name):
    deliver("evt_checkout_session_completed_subscription", donation=monthly)

    deliver(name, donation=monthly)

    monthly.refresh_from_db()
    assert monthly.status == S.CANCELLED
    assert monthly.ended_at is not None
    assert Payment.objects.count() == 1  # the money already given stays counted


def test_cancel_at_period_end_is_not_yet_a_cancellation(deliver, monthly):
    deliver("evt_checkout_session_completed_subscription", donation=monthly)
    deliver("evt_customer_subscription_updated_active", donation=monthly)

    monthly.refresh_from_db()
    assert monthly.status == S.PAID


def test_cancellation_seen_before_the_first_payment_still_ends_cancelled(deliver, monthly):
    deliver("evt_customer_subscription_deleted", donation=monthly)
    deliver("evt_invoice_paid_first", donation=monthly)
    deliver("evt_checkout_session_completed_subscription", donation=monthly)

    monthly.refresh_from_db()
    assert monthly.status == S.CANCELLED
    assert Payment.objects.count() == 1


# --- the reprocess command ---------------------------------------------------------------


def _stored(payload, status):
    return StripeEvent.objects.create(
        stripe_id=payload["id"], type=payload["type"], payload=payload, status=status
    )


def test_reprocess_command_retries_named_events_and_never_redoes_processed_ones(once):
    paid = _stored(
        event("evt_checkout_session_completed_payment", donation=once),
        StripeEvent.Status.PROCESSED,
    )
    stuck = _stored(event("evt_checkout_session_expired", donation=once), "received")
    out = io.StringIO()

    call_command("reprocess_stripe_events", paid.stripe_id, stdout=out)
    call_command("reprocess_stripe_events", stdout=out)  # only failed ones by default
    once.refresh_from_db()
    assert once.status == S.PENDING

    call_command("reprocess_stripe_events", "--include-received", stdout=out)

    once.refresh_from_db()
    stuck.refresh_from_db()
    assert "already processed: 1" in out.getvalue()
    assert "No events to reprocess." in out.getvalue()
    assert "processed: 1" in out.getvalue()
    assert stuck.status == StripeEvent.Status.PROCESSED
    assert once.status == S.EXPIRED
