"""The donation state machine and the money helpers (no database needed)."""

from decimal import Decimal

import pytest

from donations.models import Donation, IllegalTransition, parse_amount_list
from donations.money import format_money, from_minor, processing_fee, to_minor
from tests.donations.factories import DonationFactory

S = Donation.Status


def test_a_pending_gift_can_be_paid_then_refunded():
    donation = DonationFactory.build()

    donation.mark_paid()
    donation.mark_refunded()

    assert donation.status == S.REFUNDED
    assert donation.paid_at is not None


@pytest.mark.parametrize(
    ("start", "move"),
    [
        (S.EXPIRED, "mark_paid"),
        (S.REFUNDED, "mark_paid"),
        (S.PAID, "mark_expired"),
        (S.PAID, "mark_failed"),
        (S.PENDING, "mark_cancelled"),
        (S.DISPUTED, "mark_paid"),
        (S.PAID, "mark_dispute_won"),
        (S.FAILED, "mark_cancelled"),  # a gift that never paid did not end: it failed
    ],
)
def test_illegal_moves_are_refused(start, move):
    donation = DonationFactory.build(status=start)

    with pytest.raises(IllegalTransition):
        getattr(donation, move)()

    assert donation.status == start


def test_repeating_the_current_state_is_not_an_error():
    donation = DonationFactory.build(status=S.PAID)

    donation.mark_paid()

    assert donation.status == S.PAID


def test_a_won_dispute_returns_a_cancelled_recurring_gift_to_cancelled():
    donation = DonationFactory.build(status=S.PAID, frequency="monthly")
    donation.mark_cancelled()
    donation.mark_disputed()

    donation.mark_dispute_won()

    assert donation.status == S.CANCELLED


def test_every_status_has_a_transition_entry():
    assert set(Donation.TRANSITIONS) == set(S.values)


def test_amounts_become_exact_integer_minor_units():
    assert to_minor("25", "usd") == 2500
    assert to_minor("12.34", "eur") == 1234
    assert to_minor(Decimal("0.1") + Decimal("0.2"), "usd") == 30
    assert type(to_minor("0.1", "usd")) is int
    assert from_minor(1234, "eur") == Decimal("12.34")
    with pytest.raises(ValueError):
        to_minor("12.345", "usd")
    with pytest.raises(ValueError):
        to_minor("ten", "usd")


def test_a_float_is_refused_as_money():
    # 0.1 + 0.2 == 0.30000000000000004: as a float it is not an amount of money.
    with pytest.raises(TypeError):
        to_minor(0.1 + 0.2, "usd")
    with pytest.raises(TypeError):
        to_minor(25.0, "usd")


def test_zero_decimal_currencies_have_no_minor_unit(settings):
    settings.DONATION_CURRENCIES = {"jpy": {"min": 500, "max": 1000000, "exponent": 0}}

    assert to_minor("1500", "jpy") == 1500
    assert format_money(1500, "jpy") == "¥1,500"
    with pytest.raises(ValueError):
        to_minor("1500.5", "jpy")


def test_money_is_shown_the_way_donors_read_it():
    assert format_money(2500, "usd") == "$25"
    assert format_money(2550, "usd") == "$25.50"
    assert format_money(1000000, "eur") == "€10,000"
    assert format_money(500, "gbp") == "£5"
    assert format_money(2500, "chf") == "25 CHF"


@pytest.mark.parametrize("amount", [500, 2500, 2606, 10000, 123457])
def test_the_fee_we_add_leaves_us_at_least_the_gift_after_stripes_cut(amount, settings):
    settings.DONATION_FEE_PERCENT = Decimal("2.9")
    settings.DONATION_FEE_FIXED = {"usd": 30}

    def after_stripe(total: int) -> Decimal:
        return total - (total * Decimal("0.029") + 30)

    fee = processing_fee(amount, "usd")
    total = amount + fee

    assert isinstance(fee, int)
    assert after_stripe(total) >= amount
    assert after_stripe(total - 1) < amount  # and not a cent more


def test_the_fixed_part_of_the_fee_is_per_currency(settings):
    settings.DONATION_FEE_PERCENT = Decimal("0")
    settings.DONATION_FEE_FIXED = {"usd": 30, "jpy": 40}

    assert processing_fee(1000, "usd") == 30
    assert processing_fee(1000, "jpy") == 40


def test_suggested_amounts_are_parsed_leniently_for_display_and_strictly_in_the_admin():
    assert parse_amount_list("25, 50,100 ,50") == [25, 50, 100]
    assert parse_amount_list("25, lots, -3") == [25]
    with pytest.raises(ValueError):
        parse_amount_list("25, lots", strict=True)


def test_suggested_amounts_with_non_ascii_digits_are_refused_not_crashing():
    assert parse_amount_list("25, \u00b2, \uff15\uff10") == [25]
    with pytest.raises(ValueError):
        parse_amount_list("25, \u00b2", strict=True)
