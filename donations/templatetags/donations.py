from django import template

from donations.money import format_money

register = template.Library()


@register.filter
def money(amount: int | None, currency: str) -> str:
    """``{{ 2500|money:"usd" }}`` -> ``$25``."""
    return format_money(int(amount or 0), currency or "usd")
