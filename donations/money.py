"""Money helpers: minor units, display, and the one processing-fee formula.

Amounts are integers of minor units (cents) everywhere; ``Decimal`` appears only at
the edges (what a donor types, what a person reads). Never a float.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext

SYMBOLS = {
    "usd": "$",
    "eur": "€",
    "gbp": "£",
    "mxn": "MX$",
    "cad": "CA$",
    "aud": "A$",
    "jpy": "¥",
}


# Every amount a person types is bounded *before* any arithmetic. ``Decimal("1e900000")``
# is cheap to build, but scaling it to cents and turning it into an ``int`` costs time
# that grows with the square of the exponent (two such GETs held both workers for 30 s),
# and ``int()`` of a 10,000-digit string raises. So text is matched against a short,
# anchored pattern of ASCII digits first: no exponents, no underscores (``int("1_000")``
# and ``Decimal("1_000")`` both accept them), no ``inf``/``nan``, no Arabic-Indic or
# full-width digits (``int()`` accepts those; ``str.isdigit()`` even accepts "²").
MAX_WHOLE_DIGITS = 9  # a billion units: far above any gift, far below any slow path
_WHOLE_NUMBER = re.compile(rf"[0-9]{{1,{MAX_WHOLE_DIGITS}}}")
# One optional decimal separator: "." or "," (Spanish-speaking donors write 25,50).
_AMOUNT = re.compile(rf"([0-9]{{1,{MAX_WHOLE_DIGITS}}})(?:[.,]([0-9]{{1,3}}))?")
MAX_AMOUNT_TEXT = 32  # longer input is refused before the pattern even runs


class AmountError(ValueError):
    """Text that is not an amount of this currency; the message is for the donor."""


def parse_whole(text: str) -> int | None:
    """``"25"`` -> ``25``; anything but a positive number of at most nine ASCII digits
    -> ``None``. Constant time whatever the input."""
    if not isinstance(text, str) or not _WHOLE_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if value > 0 else None


def currency_exponent(currency: str) -> int:
    spec = settings.DONATION_CURRENCIES.get(currency.lower())
    return spec["exponent"] if spec else 2


def parse_amount(text: str, currency: str) -> int:
    """What a donor typed -> integer minor units, or ``AmountError`` saying what is wrong.

    ``"25"``, ``"25.5"``, ``"25,50"`` in USD -> ``2500``, ``2550``, ``2550``. Integer
    arithmetic only, on at most nine whole digits and the currency's decimals.
    """
    text = text.strip() if isinstance(text, str) else ""
    exponent = currency_exponent(currency)
    match = _AMOUNT.fullmatch(text) if len(text) <= MAX_AMOUNT_TEXT else None
    if match is None:
        raise AmountError(
            gettext(
                "Enter the amount with digits only, e.g. 25 or 25.50 (no letters, signs or spaces)."
            )
        )
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) == 3:
        # "1,000" is a thousands separator to one donor and three decimals to another.
        raise AmountError(
            gettext(
                "Enter the amount without thousands separators and with at most %(places)s "
                "decimal places, e.g. 1000 or 25.50."
            )
            % {"places": exponent}
        )
    if len(fraction) > exponent:
        raise AmountError(
            gettext("%(currency)s amounts have no decimal places.") % {"currency": currency.upper()}
            if exponent == 0
            else gettext("%(currency)s amounts have at most %(places)s decimal places.")
            % {"currency": currency.upper(), "places": exponent}
        )
    return int(whole) * 10**exponent + int(fraction.ljust(exponent, "0") or 0)


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """Whole/decimal units -> integer minor units; refuses more decimals than the currency has.

    Text goes through ``parse_amount`` (bounded). Floats are refused outright: ``0.1 + 0.2``
    is not ``0.3``, and a float that slipped in here would turn into a wrong number of
    cents somewhere else. A ``Decimal`` must be finite and of a sane size before scaling.
    """
    if isinstance(amount, float):
        raise TypeError(f"money is never a float; pass a str, int or Decimal, not {amount!r}")
    if isinstance(amount, str):
        return parse_amount(amount, currency)
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise TypeError(f"not an amount: {amount!r}")
    value = Decimal(amount)
    if not value.is_finite() or (value and value.adjusted() > MAX_WHOLE_DIGITS):
        raise AmountError(f"not an amount we accept: {amount!r}")
    minor = value.scaleb(currency_exponent(currency))
    if minor != minor.to_integral_value():
        raise AmountError(f"{amount} has too many decimal places for {currency.upper()}")
    return int(minor)


def from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-currency_exponent(currency))


def money_pattern(currency: str) -> str:
    """Where the number goes: ``"${amount}"``, or ``"{amount} CHF"`` without a symbol."""
    symbol = SYMBOLS.get(currency.lower())
    return f"{symbol}{{amount}}" if symbol else f"{{amount}} {currency.upper()}"


def format_money(amount: int, currency: str) -> str:
    """``2500, "usd"`` -> ``"$25"``; ``2550`` -> ``"$25.50"``; unknown symbols use the code.

    Separators follow the active language: ``"$1,234.50"`` in English, ``"$1 234,50"``
    in Spanish (Django's locale formats; a non-breaking space groups thousands).
    """
    value = from_minor(amount, currency)
    places = 0 if value == value.to_integral_value() else currency_exponent(currency)
    text = number_format(value, places, use_l10n=True, force_grouping=True)
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
