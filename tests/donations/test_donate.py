"""The donate form: validation, the pending donation, and the exact Checkout request."""

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from donations.models import Donation, DonationSettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

URL = "/donate/"


def gift(**overrides):
    data = {
        "frequency": "once",
        "currency": "usd",
        "amount": "25",
        "custom_amount": "",
        "donor_name": "Ana Reyes",
        "donor_email": "ana@example.org",
        "dedication_type": "",
        "dedication_name": "",
        "message": "",
        "source": "",
        "campaign": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_form_renders_suggested_amounts_for_the_default_frequency_and_test_mode_banner(client):
    DonationSettings.objects.create(default_frequency="monthly", monthly_amounts="10, 25, 50")

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "TEST MODE" in html
    for amount in ("10", "25", "50"):
        assert f'value="{amount}"' in html
    assert re.search(r'value="monthly"[^>]*checked', html)
    assert "Give $25 every month" in html  # the second suggestion is pre-selected


def test_no_test_mode_banner_without_keys_and_submit_explains_not_configured(
    client, settings, transport
):
    settings.STRIPE_SECRET_KEY = ""

    page = client.get(URL)
    response = client.post(URL, gift())

    assert "TEST MODE" not in page.content.decode()
    assert "not configured" in page.content.decode()
    assert response.status_code == 503
    assert "Online donations are not configured on this site" in response.content.decode()
    assert Donation.objects.count() == 0
    assert transport.requests == []


def test_one_time_gift_stores_pending_donation_then_redirects_to_stripe_checkout(client, transport):
    article = ArticleFactory()

    response = client.post(URL, gift(source=f"article-{article.pk}", campaign="spring"))

    donation = Donation.objects.get()
    assert response.status_code == 303
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_a1b2c3")
    assert donation.status == Donation.Status.PENDING
    assert donation.amount == 2500 and donation.currency == "usd"
    assert donation.stripe_checkout_session_id == "cs_test_a1b2c3"
    assert donation.source_article == article and donation.campaign == "spring"

    [request] = transport.requests
    assert request.method == "POST"
    assert request.url == "https://api.stripe.com/v1/checkout/sessions"
    assert request.headers["Idempotency-Key"] == f"donation-{donation.public_id}-checkout"
    assert request.headers["Authorization"].startswith("Bearer sk_test_")
    params = request.params
    assert params["mode"] == "payment"
    assert params["submit_type"] == "donate"
    assert params["line_items[0][quantity]"] == "1"
    assert params["line_items[0][price_data][currency]"] == "usd"
    assert params["line_items[0][price_data][unit_amount]"] == "2500"
    assert params["line_items[0][price_data][product_data][name]"] == "Crime Watch gift: $25"
    assert "line_items[0][price_data][recurring][interval]" not in params
    assert params["metadata[donation_id]"] == str(donation.pk)
    assert params["payment_intent_data[metadata][donation_id]"] == str(donation.pk)
    assert params["client_reference_id"] == str(donation.pk)
    assert params["customer_email"] == "ana@example.org"
    assert params["success_url"] == (
        "http://testserver/donate/thanks/?session_id={CHECKOUT_SESSION_ID}"
    )


@pytest.mark.parametrize(("frequency", "interval"), [("monthly", "month"), ("annual", "year")])
def test_recurring_gift_opens_a_subscription_checkout_with_its_interval(
    client, transport, frequency, interval
):
    response = client.post(URL, gift(frequency=frequency))

    donation = Donation.objects.get()
    [request] = transport.requests
    assert response.status_code == 303
    assert donation.frequency == frequency
    assert request.params["mode"] == "subscription"
    assert "submit_type" not in request.params
    assert request.params["line_items[0][price_data][recurring][interval]"] == interval
    assert request.params["line_items[0][price_data][unit_amount]"] == "2500"
    assert request.params["subscription_data[metadata][donation_id]"] == str(donation.pk)
    assert request.params["metadata[donation_id]"] == str(donation.pk)


def test_each_attempt_is_a_new_donation_with_its_own_idempotency_key(client, transport):
    client.post(URL, gift())
    client.post(URL, gift())

    keys = [request.headers["Idempotency-Key"] for request in transport.requests]
    donations = list(Donation.objects.order_by("pk"))
    assert keys == [f"donation-{d.public_id}-checkout" for d in donations]
    assert len(set(keys)) == 2


def test_cancel_url_brings_the_donor_back_to_the_form_with_choices_kept(client, transport):
    client.post(
        URL,
        gift(
            frequency="monthly",
            amount="other",
            custom_amount="30",
            cover_fee="on",
            source="article-7",
            campaign="spring",
        ),
    )

    cancel_url = transport.requests[0].params["cancel_url"]
    query = parse_qs(urlsplit(cancel_url).query)
    assert cancel_url.startswith("http://testserver/donate/?")
    assert query == {
        "frequency": ["monthly"],
        "currency": ["usd"],
        "amount": ["other"],
        "custom_amount": ["30"],
        "cover_fee": ["1"],
        "source": ["article-7"],
        "campaign": ["spring"],
        "cancelled": ["1"],
    }
    assert "ana" not in cancel_url  # no personal data in URLs

    page = client.get(cancel_url.removeprefix("http://testserver")).content.decode()
    assert "nothing was charged" in page
    assert 'value="30"' in page
    assert 'name="source" value="article-7"' in page
    assert 'name="campaign" value="spring"' in page


def test_covering_the_fee_adds_the_estimated_fee_in_integer_cents(client, transport):
    client.post(URL, gift(cover_fee="on"))

    donation = Donation.objects.get()
    # (2500 + 30) / (1 - 0.029) = 2605.56 -> 2606; the fee is 106 cents.
    assert donation.fee_covered == 106
    assert donation.amount == 2606
    assert transport.requests[0].params["line_items[0][price_data][unit_amount]"] == "2606"


def test_custom_amount_with_cents_is_stored_in_minor_units(client, transport):
    client.post(URL, gift(amount="other", custom_amount="12.34", currency="eur"))

    donation = Donation.objects.get()
    assert (donation.amount, donation.currency) == (1234, "eur")


def test_button_says_what_will_happen(client):
    response = client.get(URL + "?frequency=monthly&amount=25&currency=usd")

    assert "Give $25 every month" in response.content.decode()


def test_anonymous_dedicated_gift_keeps_the_donor_wishes(client, transport):
    client.post(
        URL,
        gift(
            anonymous="on", dedication_type="memory", dedication_name="Rosa", message="Keep going."
        ),
    )

    donation = Donation.objects.get()
    assert donation.anonymous is True
    assert (donation.dedication_type, donation.dedication_name) == ("memory", "Rosa")
    assert donation.message == "Keep going."
    assert donation.public_donor_name == "Anonymous"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "other", "custom_amount": "4.99"}, "must be between $5 and $10,000"),
        ({"amount": "other", "custom_amount": "10000.01"}, "must be between $5 and $10,000"),
        ({"amount": "other", "custom_amount": ""}, "Enter the amount"),
        ({"amount": "other", "custom_amount": "12.345"}, "decimal places"),
        ({"amount": "abc"}, "Pick one of the amounts"),
        ({"currency": "btc"}, "Select a valid choice"),
        ({"frequency": "weekly"}, "Select a valid choice"),
        ({"donor_email": "not-an-email"}, "Enter a valid email address"),
        ({"donor_name": ""}, "This field is required"),
        ({"dedication_type": "honour", "dedication_name": ""}, "whom the gift honours"),
    ],
)
def test_invalid_gift_rerenders_with_errors_and_stores_nothing(
    client, transport, overrides, message
):
    response = client.post(URL, gift(**overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Donation.objects.count() == 0
    assert transport.requests == []


def test_csrf_is_enforced_on_the_donate_form(transport):
    strict = Client(enforce_csrf_checks=True)

    rejected = strict.post(URL, gift())
    strict.get(URL)
    token = strict.cookies["csrftoken"].value
    accepted = strict.post(URL, gift(csrfmiddlewaretoken=token))

    assert rejected.status_code == 403
    assert accepted.status_code == 303
    assert Donation.objects.count() == 1


def test_stripe_unreachable_shows_nothing_was_charged_and_keeps_the_attempt_on_record(
    client, transport
):
    transport.down = True

    response = client.post(URL, gift())

    html = response.content.decode()
    donation = Donation.objects.get()
    assert response.status_code == 502
    assert "could not start the payment, and nothing was charged" in html
    assert "APIConnectionError" not in html and "Traceback" not in html
    assert donation.status == Donation.Status.PENDING
    assert "APIConnectionError" in donation.last_error
    assert donation.stripe_checkout_session_id == ""


def test_stripe_error_response_never_shows_stripe_message_to_the_donor(client, transport):
    transport.fail_with(500)

    response = client.post(URL, gift())

    html = response.content.decode()
    assert response.status_code == 502
    assert "secret detail 7f3a" not in html
    assert "nothing was charged" in html
    assert "secret detail 7f3a" in Donation.objects.get().last_error


def test_donation_attempts_are_rate_limited_per_client_ip(client, settings, transport):
    settings.DONATION_RATE_LIMIT = 3

    statuses = [client.post(URL, gift()).status_code for _ in range(4)]
    other_ip = client.post(URL, gift(), REMOTE_ADDR="198.51.100.7").status_code

    assert statuses == [303, 303, 303, 429]
    assert other_ip == 303
    assert Donation.objects.count() == 4
    assert len(transport.requests) == 4


def test_rate_limit_counts_invalid_attempts_too(client, settings, transport):
    settings.DONATION_RATE_LIMIT = 2

    client.post(URL, gift(donor_email="bad"))
    client.post(URL, gift(donor_email="bad"))
    response = client.post(URL, gift())

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert Donation.objects.count() == 0


def _import_settings(**env):
    root = Path(__file__).resolve().parents[2]
    environ = {**os.environ, "DEBUG": "0", "SECRET_KEY": "test-only-" + "k" * 54, **env}
    environ.pop("STRIPE_ALLOW_LIVE", None) if "STRIPE_ALLOW_LIVE" not in env else None
    return subprocess.run(
        [sys.executable, "-c", "import newsroom.settings"],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_live_key_is_refused_at_start_unless_live_payments_are_allowed():
    refused = _import_settings(STRIPE_SECRET_KEY="sk_live_abc")
    allowed = _import_settings(STRIPE_SECRET_KEY="sk_live_abc", STRIPE_ALLOW_LIVE="1")

    assert refused.returncode != 0
    assert "STRIPE_ALLOW_LIVE" in refused.stderr and "STRIPE_SECRET_KEY" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


def test_bad_currency_setting_fails_at_start_naming_the_variable():
    result = _import_settings(DONATION_CURRENCIES="USD:ten:100")

    assert result.returncode != 0
    assert "DONATION_CURRENCIES" in result.stderr


@pytest.mark.parametrize("code", ["KWD", "BHD", "JOD", "OMR", "TND"])
def test_a_three_decimal_currency_is_refused_at_start_naming_the_variable(code):
    result = _import_settings(DONATION_CURRENCIES=f"USD:5:100,{code}:5:100")

    assert result.returncode != 0
    assert "DONATION_CURRENCIES" in result.stderr and code in result.stderr


def test_zero_decimal_currency_limits_are_whole_units():
    from newsroom.settings import _donation_currencies

    assert _donation_currencies("JPY:500:1000000") == {
        "jpy": {"min": 500, "max": 1000000, "exponent": 0}
    }


def test_a_yen_gift_is_sent_to_stripe_in_whole_yen(client, transport, with_yen):
    response = client.post(URL, gift(amount="other", custom_amount="1500", currency="jpy"))

    donation = Donation.objects.get()
    assert response.status_code == 303
    assert (donation.amount, donation.currency) == (1500, "jpy")
    params = transport.requests[0].params
    assert params["line_items[0][price_data][currency]"] == "jpy"
    assert params["line_items[0][price_data][unit_amount]"] == "1500"


def test_a_yen_gift_with_decimals_is_refused(client, transport, with_yen):
    response = client.post(URL, gift(amount="other", custom_amount="1500.50", currency="jpy"))

    assert response.status_code == 200
    assert "JPY amounts have no decimal places" in response.content.decode()
    assert Donation.objects.count() == 0


def test_a_yen_gift_below_the_minimum_is_refused_in_yen(client, transport, with_yen):
    response = client.post(URL, gift(amount="other", custom_amount="100", currency="jpy"))

    assert "between ¥500 and ¥1,000,000" in response.content.decode()
    assert Donation.objects.count() == 0


@pytest.mark.parametrize(
    "amount", ["\u00b2", "\u0663\u0660", "\uff12\uff15"]
)  # superscript two, Arabic-Indic 30, full-width 25
def test_non_ascii_digits_as_the_amount_are_a_form_error_not_a_crash(client, transport, amount):
    response = client.post(URL, gift(amount=amount))

    assert response.status_code == 200
    assert "Pick one of the amounts shown" in response.content.decode()
    assert Donation.objects.count() == 0


def test_a_source_with_non_ascii_digits_is_kept_as_a_label(client, transport):
    response = client.post(URL, gift(source="article-\u00b2"))

    donation = Donation.objects.get()
    assert response.status_code == 303
    assert (donation.source, donation.source_article) == ("article-\u00b2", None)


@pytest.mark.parametrize("value", ["2,9", "lots", "-1", "100", "NaN"])
def test_a_bad_fee_percent_fails_at_start_naming_the_variable(value):
    result = _import_settings(DONATION_FEE_PERCENT=value)

    assert result.returncode != 0
    assert "DONATION_FEE_PERCENT" in result.stderr


@pytest.mark.parametrize("value", ["thirty", "USD:30,EUR", "USD:-5", "CHF:30"])
def test_a_bad_fixed_fee_fails_at_start_naming_the_variable(value):
    result = _import_settings(DONATION_FEE_FIXED=value, DONATION_CURRENCIES="USD:5:100,EUR:5:100")

    assert result.returncode != 0
    assert "DONATION_FEE_FIXED" in result.stderr


def test_fee_settings_are_read_as_decimal_percent_and_minor_units_per_currency():
    from newsroom.settings import _fee_fixed, _fee_percent

    currencies = {"usd": {}, "jpy": {}}
    assert _fee_percent("3.6") == Decimal("3.6")
    assert _fee_fixed("30", currencies) == {"usd": 30, "jpy": 30}
    assert _fee_fixed("USD:30, JPY:0", currencies) == {"usd": 30, "jpy": 0}


def _hints(html):
    return json.loads(re.search(r'id="donate-hints"[^>]*>(.*?)</script>', html, re.S).group(1))


def test_the_page_script_looks_labels_up_and_never_computes_a_fee(client):
    DonationSettings.objects.create(monthly_amounts="10, 25", once_amounts="50")

    html = client.get(URL).content.decode()

    hints = _hints(html)
    # (2500 + 30) / (1 - 0.029) = 2605.56 -> $26.06, computed once, on the server.
    assert hints["labels"]["monthly"]["usd"]["25"] == [
        "Give $25 every month",
        "Give $26.06 every month",
    ]
    assert hints["labels"]["once"]["eur"]["50"][0] == "Give €50"
    assert hints["custom"]["annual"]["gbp"] == [
        "Give £{amount} every year",
        "Give £{amount} plus the fee every year",
    ]
    script = (Path(__file__).resolve().parents[2] / "static" / "js" / "donate.js").read_text()
    assert "js/donate.js" in html
    for fee_math in ("fee_percent", "fee_fixed", "Math.", "parseFloat", "/ 100"):
        assert fee_math not in script


def test_covering_the_fee_past_the_maximum_is_an_error_not_silently_dropped(client, transport):
    response = client.post(URL, gift(amount="other", custom_amount="10000", cover_fee="on"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "With the processing fee the gift would be $10,298.98" in html
    assert "above the maximum of $10,000" in html
    assert Donation.objects.count() == 0
    assert transport.requests == []


def test_the_article_call_to_action_passes_an_incoming_campaign_on(client):
    article = ArticleFactory()

    tagged = client.get(article.get_absolute_url() + "?campaign=spring%20appeal&x=1")
    plain = client.get(article.get_absolute_url())

    assert f'href="/donate/?source=article-{article.pk}&amp;campaign=spring%20appeal"' in (
        tagged.content.decode()
    )
    assert f'href="/donate/?source=article-{article.pk}"' in plain.content.decode()


def test_the_plain_form_drawn_once_follows_every_edit_of_the_amounts_and_the_language(client):
    """The plain form's fields and the page's hints are kept per language and settings row
    (donations/forms.py): an editor's change shows on the next page view."""
    options = DonationSettings.objects.create(
        default_frequency="monthly",
        monthly_amounts="10, 25, 50",
        impact_lines="monthly 25: Court files",
    )
    first = client.get("/donate/").content.decode()
    assert 'value="25"' in first and "Court files" in first
    options.monthly_amounts = "15, 35, 75"
    options.impact_lines = "monthly 35: A month of field reporting"
    options.save()
    second = client.get("/donate/").content.decode()
    assert 'value="35"' in second and 'value="25"' not in second
    assert "A month of field reporting" in second and "Court files" not in second
    assert _hints(second)["amounts"]["monthly"] == [15, 35, 75]
    spanish = client.get("/es/donate/").content.decode()
    assert "<legend>Frecuencia</legend>" in spanish and "How often" not in spanish
    assert "How often" in client.get("/donate/").content.decode()
    # Choices carried in the address are the reader's own: drawn for them, not kept.
    carried = client.get("/donate/?frequency=once&amount=other&custom_amount=12").content.decode()
    assert 'value="12"' in carried
    assert 'value="12"' not in client.get("/donate/").content.decode()
