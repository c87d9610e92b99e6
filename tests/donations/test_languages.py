"""Donors in Spanish: the donate page, Stripe Checkout and receipts follow the page's language."""

import pytest
from django.core import mail
from django.utils import translation

from donations.models import Donation
from donations.money import format_money
from tests.donations.factories import DonationFactory
from tests.donations.test_donate import gift

pytestmark = pytest.mark.django_db


def test_a_gift_from_the_spanish_page_opens_checkout_in_spanish_and_remembers_it(client, transport):
    response = client.post("/es/donate/", gift(frequency="monthly"))

    donation = Donation.objects.get()
    [request] = transport.requests
    assert response.status_code == 303
    assert donation.language == "es"
    assert request.params["locale"] == "es"
    # What Stripe's page shows is in Spanish too.
    assert request.params["line_items[0][price_data][product_data][name]"] == (
        "Donación recurrente a Crime Watch: $25 cada mes"
    )
    # Back from Stripe (success or cancel), the donor lands on the Spanish pages.
    assert request.params["success_url"].startswith("http://testserver/es/donate/thanks/")
    assert request.params["cancel_url"].startswith("http://testserver/es/donate/?")


def test_a_gift_from_the_english_page_opens_checkout_in_english(client, transport):
    client.post("/donate/", gift())

    [request] = transport.requests
    assert Donation.objects.get().language == "en"
    assert request.params["locale"] == "en"


def test_the_spanish_donate_page_is_spanish_with_spanish_money(client):
    html = client.get("/es/donate/").content.decode()

    assert '<html lang="es">' in html
    assert "Apoye nuestro periodismo" in html and "Frecuencia" in html
    assert "Donar $25 cada mes" in html or "Donar $25" in html
    assert "Support our journalism" not in html


def test_form_errors_on_the_spanish_page_are_in_spanish(client, transport):
    response = client.post("/es/donate/", gift(amount="other", custom_amount="1e9"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Escriba el monto solo con cifras" in html
    assert transport.requests == []


def test_money_is_formatted_for_the_locale():
    assert format_money(123450, "usd") == "$1,234.50"
    with translation.override("es"):
        assert format_money(123450, "usd") == "$1\xa0234,50"
        assert format_money(2500, "eur") == "€25"


def test_the_receipt_is_in_the_donors_language_whatever_language_is_active(deliver):
    donation = DonationFactory(
        frequency="once",
        amount=2500,
        donor_email="ana@example.org",
        donor_name="Ana Reyes",
        stripe_checkout_session_id="cs_test_a1b2c3",
        language="es",
    )

    with translation.override("en"):  # the webhook request is unprefixed: English
        deliver("evt_checkout_session_completed_payment", donation=donation)

    [receipt] = mail.outbox
    html, _mimetype = receipt.alternatives[0]
    assert receipt.subject == "Recibo de su donación a Crime Watch: $25"
    assert "Estimado/a Ana Reyes:" in receipt.body
    assert "Gracias por apoyar a Crime Watch" in receipt.body
    assert "Monto: $25 (USD)" in receipt.body and "Frecuencia: Única" in receipt.body
    assert "Thank you" not in receipt.body
    assert '<html lang="es">' in html and "Con gratitud" in html


def test_an_english_donors_receipt_stays_english(deliver, once):
    deliver("evt_checkout_session_completed_payment", donation=once)

    [receipt] = mail.outbox
    assert receipt.subject == "Receipt for your gift to Crime Watch: $25"
    assert "Thank you for supporting Crime Watch" in receipt.body


def test_the_manage_link_email_is_in_the_language_of_the_page_it_was_asked_from(client):
    client.post("/es/donate/manage/", {"email": "nobody@example.org"})

    [message] = mail.outbox
    assert message.subject.startswith("Su solicitud para gestionar una donación")
    assert "http://testserver/es/donate/manage/" in message.body
