"""Money helpers: minor units, display, and the one processing-fee formula.

Amounts are integers of minor units (cents) everywhere; ``Decimal`` appears only at
the edges (what a donor types, what a person reads). Never a float.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.conf import settings

SYMBOLS = {
    "usd": "$",
    "eur": "€",
    "gbp": "£",
    "mxn": "MX$",
    "cad": "CA$",
    "aud": "A$",
    "jpy": "¥",
}


# ASCII digits only: str.isdigit() accepts "²" (which int() refuses) and int() accepts
# Arabic-Indic or full-width digits, neither of which a donor or an editor means here.
_WHOLE_NUMBER = re.compile(r"[0-9]+")


def parse_whole(text: str) -> int | None:
    """``"25"`` -> ``25``; anything but a positive number in ASCII digits -> ``None``."""
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if value > 0 else None


def currency_exponent(currency: str) -> int:
    spec = settings.DONATION_CURRENCIES.get(currency.lower())
    return spec["exponent"] if spec else 2


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """Whole/decimal units -> integer minor units; refuses more decimals than the currency has.

    Floats are refused outright: ``0.1 + 0.2`` is not ``0.3``, and a float that slipped
    in here would turn into a wrong number of cents somewhere else.
    """
    if isinstance(amount, float):
        raise TypeError(f"money is never a float; pass a str, int or Decimal, not {amount!r}")
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    minor = value.scaleb(currency_exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} has too many decimal places for {currency.upper()}")
    return int(minor)


def from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-currency_exponent(currency))


def money_pattern(currency: str) -> str:
    """Where the number goes: ``"${amount}"``, or ``"{amount} CHF"`` without a symbol."""
    symbol = SYMBOLS.get(currency.lower())
    return f"{symbol}{{amount}}" if symbol else f"{{amount}} {currency.upper()}"


def format_money(amount: int, currency: str) -> str:
    """``2500, "usd"`` -> ``"$25"``; ``2550`` -> ``"$25.50"``; unknown symbols use the code."""
    value = from_minor(amount, currency)
    exponent = currency_exponent(currency)
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.{exponent}f}"
    return money_pattern(currency).format(amount=text)


def processing_fee(amount: int, currency: str) -> int:
    """The estimated fee to add so that, after Stripe's cut, we receive ``amount``.

    Stripe takes ``percent`` of the total plus a fixed part, so the total ``T`` must
    satisfy ``T - (T * p + fixed) = amount``, i.e. ``T = (amount + fixed) / (1 - p)``.
    Rounded up: the donor's intent is that we receive at least their gift. Everything
    that shows or charges a fee calls this; the page script only looks results up.
    """
    percent = Decimal(str(settings.DONATION_FEE_PERCENT)) / 100
    fixed = int(settings.DONATION_FEE_FIXED.get(currency.lower(), 0))
    total = ((Decimal(amount) + fixed) / (1 - percent)).to_integral_value(rounding=ROUND_CEILING)
    return int(total) - amount
