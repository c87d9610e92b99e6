"""Money typed by strangers: bounded, parsed before any arithmetic, a form error otherwise.

Regressions from the hardening audit: ``custom_amount=1e900000`` on a GET held a worker
for tens of seconds (quadratic in the exponent), ``inf``/``snan``/``Infinity`` and a
10,000-digit amount were 500s, and ``1e3``, ``1_000``, Arabic-Indic and full-width digits
were charged.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from donations.models import Donation
from donations.money import MAX_WHOLE_DIGITS, AmountError, parse_amount, parse_whole, to_minor
from tests.donations.test_donate import URL, gift

pytestmark = pytest.mark.django_db

HOSTILE_AMOUNTS = [
    "1e900000",
    "1e999999",
    "1e200000",
    "inf",
    "-inf",
    "Infinity",
    "snan",
    "NaN",
    "1e3",
    "1E+3",
    "1_000",
    "١٠٠",  # Arabic-Indic digits
    "１００",  # full-width digits
    "²",
    "-5",
    "+5",
    "0x10",
    "25.5.5",
    "9" * 10_000,
    "25\x00",
]


@pytest.mark.parametrize("raw", HOSTILE_AMOUNTS)
def test_hostile_custom_amount_on_the_page_renders_the_form_with_a_neutral_button(client, raw):
    response = client.get(URL, {"amount": "other", "custom_amount": raw})

    assert response.status_code in (200, 400)  # 400: NUL bytes are refused before any view
    if response.status_code == 200:
        assert "Give now" in response.content.decode()


@pytest.mark.parametrize("raw", ["inf", "-inf", "snan", "1e999999", "9" * 10_000, "١٠٠"])
def test_hostile_suggested_amount_on_the_page_is_not_an_error(client, raw):
    response = client.get(URL, {"amount": raw})

    assert response.status_code == 200


@pytest.mark.parametrize("raw", HOSTILE_AMOUNTS)
def test_hostile_custom_amount_posted_is_a_form_error_and_nothing_is_stored(client, raw):
    response = client.post(URL, gift(amount="other", custom_amount=raw))

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "errorlist" in response.content.decode()
    assert not Donation.objects.exists()


@pytest.mark.parametrize("raw", ["9" * 10_000, "1e900000", "inf", "１００", "1_000"])
def test_hostile_suggested_amount_posted_is_a_form_error(client, raw):
    response = client.post(URL, gift(amount=raw))

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Donation.objects.exists()


@pytest.mark.parametrize(
    ("raw", "currency", "minor"),
    [("25", "usd", 2500), ("25.5", "usd", 2550), ("25,50", "eur", 2550), (" 40 ", "gbp", 4000)],
)
def test_plain_amounts_with_one_decimal_separator_are_accepted(raw, currency, minor):
    assert parse_amount(raw, currency) == minor


def test_thousands_separators_get_their_own_message():
    with pytest.raises(AmountError, match="thousands"):
        parse_amount("1,000", "usd")


def test_a_posted_custom_amount_with_a_comma_is_charged_exactly(client, transport):
    response = client.post(URL, gift(amount="other", custom_amount="30,25"))

    assert response.status_code == 303
    assert Donation.objects.get().amount == 3025
    assert transport.requests[-1].params["line_items[0][price_data][unit_amount]"] == "3025"


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(max_size=64))
def test_any_text_is_an_amount_in_bounds_or_an_amount_error(text):
    try:
        minor = parse_amount(text, "usd")
    except AmountError:
        return
    assert isinstance(minor, int)
    assert 0 <= minor < 10 ** (MAX_WHOLE_DIGITS + 2)
    assert text.strip().replace(",", ".").replace(".", "", 1).isascii()


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**MAX_WHOLE_DIGITS - 1), st.integers(0, 99))
def test_whole_and_cents_round_trip_through_the_parser(units, cents):
    assert parse_amount(f"{units}.{cents:02d}", "usd") == units * 100 + cents
    assert parse_amount(f"{units},{cents:02d}", "eur") == units * 100 + cents


def test_zero_decimal_currencies_parse_whole_units_and_refuse_decimals(with_yen):
    assert parse_amount("1500", "jpy") == 1500
    with pytest.raises(AmountError, match="no decimal places"):
        parse_amount("1500.5", "jpy")


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_parse_whole_accepts_only_short_ascii_digit_strings(text):
    value = parse_whole(text)
    if value is not None:
        assert text.isascii() and text.isdigit() and len(text) <= MAX_WHOLE_DIGITS


@pytest.mark.parametrize("value", ["1e900000", "inf", "snan", "NaN"])
def test_to_minor_refuses_non_finite_and_huge_decimals_without_computing(value):
    from decimal import Decimal

    with pytest.raises(AmountError):
        to_minor(Decimal(value), "usd")
