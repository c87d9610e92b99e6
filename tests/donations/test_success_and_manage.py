"""The success page (fulfilment shared with the webhook) and the manage-my-gift links."""

import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from donations.models import Donation, ManageLinkUse, Payment
from tests.donations.factories import DonationFactory, PaidDonationFactory
from tests.donations.stripe_fakes import event, fixture, post_event

pytestmark = pytest.mark.django_db

S = Donation.Status


def _retrieved_for(transport, donation):
    transport.answer(
        "GET",
        "/v1/checkout/sessions/",
        lambda r: (200, fixture("checkout_session_retrieved_paid", donation=donation)),
    )


def test_success_page_confirms_with_stripe_when_it_beats_the_webhook(
    client, transport, once, django_capture_on_commit_callbacks
):
    _retrieved_for(transport, once)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/donate/thanks/?session_id=cs_test_a1b2c3")

    once.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Thank you, Ana Reyes" in html and "$25" in html
    assert [r.path for r in transport.requests] == ["/v1/checkout/sessions/cs_test_a1b2c3"]
    assert once.status == S.PAID
    assert Payment.objects.count() == 1
    assert len(mail.outbox) == 1


def test_webhook_after_the_success_page_changes_nothing(
    client, transport, once, django_capture_on_commit_callbacks
):
    _retrieved_for(transport, once)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/donate/thanks/?session_id=cs_test_a1b2c3")
        response = post_event(
            client, event("evt_checkout_session_completed_payment", donation=once)
        )

    assert response.status_code == 200
    assert Payment.objects.count() == 1
    assert len(mail.outbox) == 1


def test_success_page_after_the_webhook_does_not_call_stripe(client, transport, once):
    once.mark_paid()
    once.save()

    response = client.get("/donate/thanks/?session_id=cs_test_a1b2c3")

    assert response.status_code == 200
    assert transport.requests == []


def test_success_page_with_stripe_down_still_thanks_the_donor(client, transport, once):
    transport.down = True

    response = client.get("/donate/thanks/?session_id=cs_test_a1b2c3")

    once.refresh_from_db()
    assert response.status_code == 200
    assert "confirming your gift" in response.content.decode()
    assert once.status == S.PENDING


@pytest.mark.parametrize("status", [S.FAILED, S.CANCELLED])
def test_success_page_never_says_confirmed_for_a_gift_that_was_never_paid(
    client, transport, status
):
    DonationFactory(
        frequency="monthly", status=status, paid_at=None, stripe_checkout_session_id="cs_test_x"
    )

    html = client.get("/donate/thanks/?session_id=cs_test_x").content.decode()

    assert "is confirmed" not in html
    assert "did not go through" in html


def test_success_page_for_an_unknown_session_is_404(client, transport):
    assert client.get("/donate/thanks/?session_id=cs_nope").status_code == 404
    assert client.get("/donate/thanks/").status_code == 404


# --- manage my recurring gift --------------------------------------------------------------


@pytest.fixture
def donor():
    return PaidDonationFactory(
        frequency="monthly",
        donor_email="Ana@Example.org",
        stripe_customer_id="cus_test_donor1",
        stripe_subscription_id="sub_test_monthly1",
    )


def _link_from_mail() -> str:
    [message] = mail.outbox
    return re.search(r"http://testserver(/donate/manage/[^\s\"]+/)", message.body).group(1)


def test_a_donor_gets_a_signed_link_that_opens_the_billing_portal_once(client, transport, donor):
    sent = client.post("/donate/manage/", {"email": "ana@example.org"})
    link = _link_from_mail()

    confirm = client.get(link)
    portal = client.post(link)
    again = client.post(link)

    assert sent.status_code == 200
    assert mail.outbox[0].to == ["ana@example.org"]
    assert confirm.status_code == 200 and "Continue to my gift" in confirm.content.decode()
    assert portal.status_code == 303
    assert portal["Location"] == "https://billing.stripe.com/p/session/test_YWNjdF8xTmV3c3Jvb20"
    [request] = transport.requests
    assert request.path == "/v1/billing_portal/sessions"
    assert request.params["customer"] == "cus_test_donor1"
    assert request.params["return_url"] == "http://testserver/donate/"
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert len(transport.requests) == 1
    assert ManageLinkUse.objects.count() == 1


def test_opening_the_link_page_does_not_spend_it(client, transport, donor):
    client.post("/donate/manage/", {"email": "ana@example.org"})
    link = _link_from_mail()

    client.get(link)
    client.get(link)  # e.g. a mail scanner prefetching it

    assert client.post(link).status_code == 303


def test_an_expired_link_is_refused(client, transport, donor, settings):
    settings.DONATION_MANAGE_LINK_MAX_AGE = 600
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.post("/donate/manage/", {"email": "ana@example.org"})
        link = _link_from_mail()
        traveller.shift(601)

        response = client.post(link)

    assert response.status_code == 410
    assert transport.requests == []


def test_a_forged_link_is_refused(client, transport, donor):
    response = client.post("/donate/manage/notatoken:abc:def/")

    assert response.status_code == 410
    assert transport.requests == []


def test_the_answer_is_the_same_whether_or_not_the_email_gives(client, donor):
    giver = client.post("/donate/manage/", {"email": "ana@example.org"})
    stranger = client.post("/donate/manage/", {"email": "nobody@example.org"})

    def page(response, email):
        return response.content.decode().replace(email, "EMAIL")

    assert giver.status_code == stranger.status_code == 200
    assert page(giver, "ana@example.org") == page(stranger, "nobody@example.org")


def test_every_address_gets_an_email_so_timing_does_not_tell_who_gives(client, donor):
    client.post("/donate/manage/", {"email": "ana@example.org"})
    client.post("/donate/manage/", {"email": "nobody@example.org"})

    to_donor, to_stranger = mail.outbox
    assert to_donor.to == ["ana@example.org"] and "/donate/manage/" in to_donor.body
    assert to_stranger.to == ["nobody@example.org"]
    assert "no recurring gift" in to_stranger.body
    assert not re.search(r"/donate/manage/[^\s]+/", to_stranger.body)
    html, _ = to_stranger.alternatives[0]
    assert "no recurring gift" in html


def test_one_time_donors_get_no_link(client, transport):
    PaidDonationFactory(frequency="once", donor_email="ana@example.org", stripe_customer_id="cus_x")

    client.post("/donate/manage/", {"email": "ana@example.org"})

    [message] = mail.outbox
    assert "no recurring gift" in message.body
    assert not re.search(r"/donate/manage/[^\s]+/", message.body)


def test_a_billing_portal_outage_keeps_the_link_usable(client, transport, donor):
    client.post("/donate/manage/", {"email": "ana@example.org"})
    link = _link_from_mail()
    transport.down = True

    failed = client.post(link)
    transport.down = False
    retried = client.post(link)

    assert failed.status_code == 502
    assert "Your link still works" in failed.content.decode()
    assert retried.status_code == 303


def test_a_link_redeemed_while_stripe_is_not_configured_explains_and_stays_usable(
    client, transport, donor, settings
):
    client.post("/donate/manage/", {"email": "ana@example.org"})
    link = _link_from_mail()
    settings.STRIPE_SECRET_KEY = ""

    response = client.post(link)

    assert response.status_code == 503
    assert "not configured on this site" in response.content.decode()
    assert ManageLinkUse.objects.count() == 0
    assert transport.requests == []


def test_link_requests_are_rate_limited(client, settings, donor):
    settings.DONATION_MANAGE_RATE_LIMIT = 2

    codes = [
        client.post("/donate/manage/", {"email": "ana@example.org"}).status_code for _ in range(3)
    ]

    assert codes == [200, 200, 429]
    assert len(mail.outbox) == 2
