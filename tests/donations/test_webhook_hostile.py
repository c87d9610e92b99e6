"""Signed but hostile or malformed webhooks: a 400 or an inspectable ledger entry, never a 500.

And fulfilment that checks what Stripe reports against what we stored: a validly signed
session for another checkout, amount or currency must not pay a gift (audit items 8, 10).
"""

from __future__ import annotations

import json

import pytest

from donations.models import Donation, Payment, StripeEvent
from tests.donations.factories import DonationFactory
from tests.donations.stripe_fakes import event, post_event, signature_header

pytestmark = pytest.mark.django_db

S = Donation.Status


@pytest.fixture
def monthly(monthly):
    """The recurring gift once its first checkout told us its subscription."""
    monthly.stripe_subscription_id = "sub_test_monthly1"
    monthly.save()
    return monthly


# --- item 8: unauthenticated 500s -------------------------------------------------------


def test_non_ascii_signature_header_is_a_400_not_a_crash(client, once):
    body = json.dumps(event("evt_checkout_session_completed_payment", donation=once))
    header = signature_header(body).replace("v1=", "v1=é")

    response = client.post(
        "/donate/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_signed_event_with_a_created_that_is_not_a_time_is_processed(client, once):
    payload = event("evt_checkout_session_completed_payment", donation=once)
    payload["created"] = "abc"

    response = post_event(client, payload)

    assert response.status_code == 200
    entry = StripeEvent.objects.get()
    assert entry.status == StripeEvent.Status.PROCESSED
    assert entry.stripe_created_at is None
    once.refresh_from_db()
    assert once.status == S.PAID


@pytest.mark.parametrize("bad_id", ["evt_" + "x" * 300, "", 12345, None, "evt_\x00"])
def test_signed_event_without_a_storable_id_is_refused_with_400(client, once, bad_id):
    payload = event("evt_checkout_session_completed_payment", donation=once)
    payload["id"] = bad_id

    response = post_event(client, payload)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    once.refresh_from_db()
    assert once.status == S.PENDING


def test_nul_characters_in_a_signed_payload_are_stored_replaced_and_processed(client, once):
    payload = event("evt_checkout_session_completed_payment", donation=once)
    payload["data"]["object"]["customer_details"] = {"name": "Ana\u0000Reyes"}

    response = post_event(client, payload)

    assert response.status_code == 200
    entry = StripeEvent.objects.get()
    assert entry.status == StripeEvent.Status.PROCESSED
    assert entry.payload["data"]["object"]["customer_details"]["name"] == "Ana\ufffdReyes"


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount_total", "abc"), ("amount_total", 10**30), ("payment_intent", "pi_" + "9" * 400)],
)
def test_signed_event_with_fields_of_the_wrong_shape_is_kept_as_invalid_and_answered_400(
    client, once, field, value
):
    payload = event("evt_checkout_session_completed_payment", donation=once)
    payload["data"]["object"][field] = value

    first = post_event(client, payload)
    again = post_event(client, payload)

    assert (first.status_code, again.status_code) == (400, 400)
    entry = StripeEvent.objects.get()
    assert entry.status == StripeEvent.Status.INVALID
    assert entry.attempts == 1  # the retry was not processed again
    assert "not" in entry.error
    once.refresh_from_db()
    assert once.status == S.PENDING
    assert not Payment.objects.exists()


def test_signed_event_without_a_data_object_is_invalid_not_failed_forever(client):
    payload = {"id": "evt_no_object", "type": "checkout.session.completed", "data": {}}

    response = post_event(client, payload)

    assert response.status_code == 400
    assert StripeEvent.objects.get().status == StripeEvent.Status.INVALID


def test_a_deeply_nested_signed_body_is_a_400(client):
    body = '{"id": "evt_deep", "type": "x", "data": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = client.post(
        "/donate/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature_header(body),
    )

    assert response.status_code == 400


# --- item 10: fulfilment checks session, amount and currency ------------------------------


def _completed(donation, **changes):
    payload = event("evt_checkout_session_completed_payment", donation=donation)
    payload["data"]["object"].update(changes)
    return payload


def test_a_session_for_another_checkout_carrying_our_metadata_does_not_pay_the_gift(client, once):
    payload = _completed(once, id="cs_test_someone_else", amount_total=1, currency="jpy")

    response = post_event(client, payload)

    assert response.status_code == 200  # processed: nothing to retry
    once.refresh_from_db()
    assert once.status == S.PENDING
    assert once.paid_at is None
    assert not Payment.objects.exists()
    assert "cs_test_someone_else" in once.mismatch
    assert once.stripe_payment_intent_id == ""  # nothing learnt from a foreign session


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"amount_total": 1}, "1 minor units"),
        ({"currency": "jpy"}, "JPY"),
        ({"amount_total": 1, "currency": "jpy"}, "JPY"),
    ],
)
def test_our_own_session_with_another_amount_or_currency_is_recorded_for_an_editor(
    client, once, changes, words
):
    response = post_event(client, _completed(once, **changes))

    assert response.status_code == 200
    once.refresh_from_db()
    assert once.status == S.PENDING
    assert words in once.mismatch
    assert not Payment.objects.exists()


def test_an_expiry_of_another_session_does_not_expire_our_pending_gift(client, once):
    payload = event("evt_checkout_session_expired", donation=once)
    payload["data"]["object"]["id"] = "cs_test_someone_else"

    post_event(client, payload)

    once.refresh_from_db()
    assert once.status == S.PENDING
    assert "cs_test_someone_else" in once.mismatch


def test_the_matching_session_still_pays_the_gift(client, once):
    response = post_event(client, _completed(once))

    assert response.status_code == 200
    once.refresh_from_db()
    assert once.status == S.PAID
    assert once.mismatch == ""
    assert Payment.objects.get().amount == 2500


def test_an_invoice_of_another_subscription_carrying_our_metadata_pays_nothing(client, monthly):
    payload = event("evt_invoice_paid_first", donation=monthly)
    invoice = payload["data"]["object"]
    invoice["parent"]["subscription_details"]["subscription"] = "sub_someone_else"

    response = post_event(client, payload)

    assert response.status_code == 200
    monthly.refresh_from_db()
    assert monthly.status == S.PENDING
    assert "sub_someone_else" in monthly.mismatch
    assert not Payment.objects.exists()


def test_an_invoice_in_another_currency_pays_nothing(client, monthly):
    payload = event("evt_invoice_paid_first", donation=monthly)
    payload["data"]["object"]["currency"] = "jpy"

    post_event(client, payload)

    monthly.refresh_from_db()
    assert monthly.status == S.PENDING
    assert "JPY" in monthly.mismatch
    assert not Payment.objects.exists()


def test_the_matching_first_invoice_still_pays_the_recurring_gift(client, monthly):
    post_event(client, event("evt_invoice_paid_first", donation=monthly))

    monthly.refresh_from_db()
    assert monthly.status == S.PAID
    assert monthly.mismatch == ""
    assert Payment.objects.get().amount == 2500


def test_an_event_from_an_endpoint_on_another_api_version_is_logged_once(client, once, caplog):
    payload = event("evt_checkout_session_completed_payment", donation=once)
    payload["api_version"] = "2024-06-20"

    with caplog.at_level("WARNING", logger="donations"):
        post_event(client, payload)
        post_event(client, payload)  # Stripe's retry of the same event

    warnings = [r for r in caplog.records if "2024-06-20" in r.getMessage()]
    assert len(warnings) == 1


def test_editors_find_mismatched_gifts_under_needs_review(client, once):
    from tests.factories import UserFactory

    other = DonationFactory(stripe_checkout_session_id="cs_test_fine")
    post_event(client, _completed(once, amount_total=1))
    client.force_login(UserFactory(role="Editor"))

    listed = client.get("/admin/donations/donation/", {"needs_review": "yes"})
    detail = client.get(f"/admin/donations/donation/{once.pk}/change/")

    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [once]
    assert other not in listed.context["cl"].result_list
    assert "1 minor units" in detail.content.decode()
