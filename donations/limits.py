"""Stripe's limits on the amount of one charge, per presentment currency.

The one place these figures live; ``newsroom/settings.py`` checks ``DONATION_CURRENCIES``
against them at start, so a configuration Stripe would refuse on every gift never loads.
Source: Stripe's "Minimum and maximum charge amounts" table,
https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts .

Plain Python with no Django model imports: settings import this module while loading.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

# Stripe's minimum charge per currency, in the currency's minor units as Stripe counts
# them (cents; yen for the zero-decimal JPY). Stripe also applies the minimum after
# converting to the account's settlement currency; our minimums are far above these.
STRIPE_MINIMUM_CHARGE: dict[str, int] = {
    "usd": 50,  # $0.50
    "eur": 50,  # €0.50
    "gbp": 30,  # £0.30
    "cad": 50,
    "aud": 50,
    "mxn": 10_00,  # MX$10
    "jpy": 50,  # ¥50 (zero-decimal)
    "brl": 50,
    "chf": 50,
    "dkk": 2_50,
    "hkd": 4_00,
    "nok": 3_00,
    "sek": 3_00,
    "nzd": 50,
    "pln": 2_00,
    "sgd": 50,
    "czk": 15_00,
    "huf": 175_00,
    "inr": 50,
    "ron": 2_00,
    "bgn": 1_00,
    "aed": 2_00,
    "myr": 2_00,
    "thb": 10_00,
}

# "The amount value supports up to eight digits": 99,999,999 minor units ($999,999.99,
# ¥99,999,999) for every currency above.
STRIPE_MAXIMUM_CHARGE = 99_999_999


def _show(minor: int, code: str, exponent: int) -> str:
    """``"MXN 10.00"``: the currency code, not a symbol ($ is several currencies)."""
    return f"{code.upper()} {Decimal(minor).scaleb(-exponent):,.{exponent}f}"


def check_charge_limits(
    code: str, minimum: int, maximum: int, exponent: int, *, variable: str
) -> None:
    """Refuse limits (minor units) that Stripe would refuse on every gift at those bounds.

    The form refuses a gift, fee included, above ``maximum``; so a ``maximum`` within
    Stripe's means no charge can pass Stripe's either.
    """
    stripe_minimum = STRIPE_MINIMUM_CHARGE.get(code)
    if stripe_minimum is None:
        listed = ", ".join(sorted(c.upper() for c in STRIPE_MINIMUM_CHARGE))
        raise ImproperlyConfigured(
            f"{variable}: {code.upper()} is not in Stripe's table of minimum charge amounts "
            f"(https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts), so its "
            f"limits cannot be checked; use one of {listed}."
        )
    if minimum < stripe_minimum:
        raise ImproperlyConfigured(
            f"{variable}: the minimum for {code.upper()} is {_show(minimum, code, exponent)}, "
            f"below Stripe's minimum charge of {_show(stripe_minimum, code, exponent)}; "
            "Stripe would refuse such gifts."
        )
    if maximum > STRIPE_MAXIMUM_CHARGE:
        raise ImproperlyConfigured(
            f"{variable}: the maximum for {code.upper()} is {_show(maximum, code, exponent)}, "
            f"above Stripe's maximum charge of {_show(STRIPE_MAXIMUM_CHARGE, code, exponent)} "
            "(eight digits of minor units); Stripe would refuse such gifts."
        )
