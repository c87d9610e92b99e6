"""The donate form and the manage-my-gift form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import get_format
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from donations.models import Donation, DonationSettings, Frequency
from donations.money import (
    MAX_AMOUNT_TEXT,
    AmountError,
    format_money,
    money_pattern,
    parse_amount,
    parse_whole,
    processing_fee,
    to_minor,
)

OTHER = "other"


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code.upper()) for code in settings.DONATION_CURRENCIES]


class DonateForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=Frequency.choices, widget=forms.RadioSelect, label=_("How often")
    )
    currency = forms.ChoiceField(choices=currency_choices, label=_("Currency"))
    amount = forms.CharField(
        label=_("Amount"),
        max_length=MAX_AMOUNT_TEXT,
        widget=forms.RadioSelect,
        help_text=_("Pick an amount or choose Other."),
    )
    # Text, not a DecimalField: Django's DecimalField accepts "1e3", "1_000" and "Infinity"
    # and builds a Decimal before any limit applies. money.parse_amount bounds it first.
    custom_amount = forms.CharField(
        label=_("Other amount"),
        required=False,
        max_length=MAX_AMOUNT_TEXT,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    cover_fee = forms.BooleanField(
        label=_("Add the estimated processing fee so all of my gift reaches the newsroom"),
        required=False,
    )
    donor_name = forms.CharField(label=_("Your name"), max_length=150)
    donor_email = forms.EmailField(
        label=_("Email"), help_text=_("For your receipt. We never share it."), max_length=254
    )
    anonymous = forms.BooleanField(label=_("Don't show my name"), required=False)
    dedication_type = forms.ChoiceField(
        label=_("Dedicate this gift"),
        choices=Donation.Dedication.choices,
        required=False,
    )
    dedication_name = forms.CharField(label=_("Name of the person"), max_length=150, required=False)
    message = forms.CharField(
        label=_("Message to the newsroom (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)
    campaign = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, options: DonationSettings | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.options = options or DonationSettings.load()
        frequency = self._value("frequency") or self.options.default_frequency
        if frequency not in Frequency.values:
            frequency = Frequency.ONCE
        self.suggested = self.options.amounts_for(frequency)
        self.fields["frequency"].initial = self.options.default_frequency
        self.fields["currency"].initial = settings.DONATION_DEFAULT_CURRENCY
        self.impacts = self.options.impacts_for(frequency)
        currency = self.display_currency()
        # Labels carry the currency sign in the reader's number format ("$1,000", "$1 000").
        self.fields["amount"].widget.choices = [
            *[
                (str(value), format_money(to_minor(value, currency), currency))
                for value in self.suggested
            ],
            (OTHER, pgettext_lazy("amount", "Other")),
        ]
        if self.suggested:
            index = min(self.options.default_amount_index, len(self.suggested) - 1)
            self.fields["amount"].initial = str(self.suggested[index])

    def _value(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), "") or "")
        return str(self.initial.get(name, "") or "")

    def display_currency(self) -> str:
        currency = self._value("currency") or settings.DONATION_DEFAULT_CURRENCY
        return (
            currency
            if currency in settings.DONATION_CURRENCIES
            else settings.DONATION_DEFAULT_CURRENCY
        )

    def amount_options(self) -> list[dict[str, Any]]:
        """Each amount radio with the impact line shown under it when it is chosen."""
        return [
            {
                "radio": radio,
                "impact": self.impacts.get(parse_whole(str(radio.data["value"])) or 0, ""),
            }
            for radio in self["amount"]
        ]

    def error_summary(self) -> list[tuple[str, str, str]]:
        """``(field id, label, message)`` for the summary at the top of the form, in field order."""
        entries = []
        for name, errors in self.errors.items():
            if name == "__all__" or name not in self.fields:
                continue
            bound = self[name]
            target = bound.id_for_label or bound.auto_id
            if isinstance(self.fields[name].widget, forms.RadioSelect):
                target = f"{bound.auto_id}_0"
            entries.extend((target, str(bound.label), str(message)) for message in errors)
        return entries

    def clean_source(self) -> str:
        return self.cleaned_data["source"].strip()

    def clean_campaign(self) -> str:
        return self.cleaned_data["campaign"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        currency = data.get("currency")
        frequency = data.get("frequency")
        choice = data.get("amount")
        if not currency or not frequency or not choice:
            return data
        if choice == OTHER:
            text = data.get("custom_amount", "")
            if not text.strip():
                self.add_error("custom_amount", gettext("Enter the amount you would like to give."))
                return data
            try:
                minor = parse_amount(text, currency)
            except AmountError as exc:
                self.add_error("custom_amount", str(exc))
                return data
        elif (whole := parse_whole(choice)) is not None:
            # Any whole amount is fine (the limits below still apply): the suggested list
            # may have changed with the frequency after the page was rendered.
            minor = to_minor(whole, currency)
        else:
            self.add_error("amount", gettext("Pick one of the amounts shown or choose Other."))
            return data
        limits = settings.DONATION_CURRENCIES[currency]
        if not limits["min"] <= minor <= limits["max"]:
            field = "custom_amount" if choice == OTHER else "amount"
            self.add_error(
                field,
                gettext("Gifts in %(currency)s must be between %(minimum)s and %(maximum)s.")
                % {
                    "currency": currency.upper(),
                    "minimum": format_money(limits["min"], currency),
                    "maximum": format_money(limits["max"], currency),
                },
            )
            return data
        fee = processing_fee(minor, currency) if data.get("cover_fee") else 0
        if minor + fee > limits["max"]:
            # The button promised the fee; dropping it quietly would charge something else.
            self.add_error(
                "cover_fee",
                gettext(
                    "With the processing fee the gift would be %(total)s, above the maximum "
                    "of %(maximum)s. Choose a smaller amount or leave the fee out."
                )
                % {
                    "total": format_money(minor + fee, currency),
                    "maximum": format_money(limits["max"], currency),
                },
            )
            return data
        data["gift_minor"] = minor
        data["fee_minor"] = fee
        if data.get("dedication_type") and not data.get("dedication_name", "").strip():
            self.add_error("dedication_name", gettext("Tell us whom the gift honours."))
        return data

    def donation_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``services.donation_start`` from a valid form."""
        data = self.cleaned_data
        return {
            "amount": data["gift_minor"] + data["fee_minor"],
            "fee_covered": data["fee_minor"],
            "currency": data["currency"],
            "frequency": data["frequency"],
            "donor_name": data["donor_name"].strip(),
            "donor_email": data["donor_email"],
            "anonymous": data["anonymous"],
            "dedication_type": data["dedication_type"],
            "dedication_name": data["dedication_name"].strip(),
            "message": data["message"].strip(),
            "source": data["source"],
            "campaign": data["campaign"],
            # The page's language: Stripe Checkout and the receipts follow it.
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        }

    def button_label(self) -> str:
        """What pressing the button will do, e.g. "Give $25 every month"."""
        currency = self._value("currency") or settings.DONATION_DEFAULT_CURRENCY
        if currency not in settings.DONATION_CURRENCIES:
            currency = settings.DONATION_DEFAULT_CURRENCY
        frequency = self._value("frequency") or self.options.default_frequency
        choice = self._value("amount") or str(self.fields["amount"].initial or "")
        raw = self._value("custom_amount") if choice == OTHER else choice
        try:
            minor = parse_amount(raw, currency)
        except AmountError:
            return gettext("Give now")
        if not 0 < minor <= settings.DONATION_CURRENCIES[currency]["max"]:
            return gettext("Give now")  # the form explains the limits; the button promises nothing
        if self.is_bound:
            cover_fee = bool(self.data.get(self.add_prefix("cover_fee")))
        else:
            cover_fee = bool(self.initial.get("cover_fee"))
        return gift_label(minor, currency, frequency, cover_fee=cover_fee)

    def fields_html(self) -> SafeString:
        """The form's fields and button (donations/_donate_fields.html).

        Django draws each radio, select and input from its own template: ~30 templates, half
        of the donate page's time. A plain form (not bound, no choices carried back from
        Stripe's cancel page) is the same for every reader of a language, so it is drawn
        once per language, settings and editors' amounts; ``source`` and ``campaign`` are
        drawn outside it (donate.html), and so is the CSRF token.
        """
        template = "donations/_donate_fields.html"

        def draw() -> SafeString:
            return mark_safe(render_to_string(template, {"form": self}))

        if self.is_bound or set(self.initial) - {"source", "campaign"}:
            return draw()
        return _kept((template, *self._settings_key()), draw)

    def _settings_key(self) -> tuple:
        # What the plain form and the hints are drawn from besides Django settings (whose
        # changes clear both, _forget_kept): the language and every field of the row.
        options = self.options
        return (
            translation.get_language(),
            type(options),
            tuple(getattr(options, field.attname) for field in options._meta.concrete_fields),
        )

    def amount_hints_script(self) -> SafeString:
        """``amount_hints()`` as the page's ``<script id="donate-hints">``, built once per
        process, language and settings: ~80 money labels per page view for a value that
        changes only when an editor edits the amounts or impact lines (every field of the
        settings row is part of the key) or a setting changes (``_forget_kept``)."""
        return _kept(
            ("hints", *self._settings_key()),
            lambda: json_script(self.amount_hints(), "donate-hints"),
        )

    def amount_hints(self) -> dict[str, Any]:
        """What the page script needs to keep the button truthful without doing money math.

        Every label for a suggested amount is computed here, with and without the fee,
        for each frequency and currency: the script only looks them up. For a custom
        amount it shows the typed number in the currency's pattern and, with the fee
        ticked, says that the fee is added; the exact total is on the next page load.
        """
        amounts = {f: self.options.amounts_for(f) for f in Frequency.values}
        labels: dict[str, dict[str, dict[str, list[str]]]] = {}
        custom: dict[str, dict[str, list[str]]] = {}
        for frequency, suggested in amounts.items():
            labels[frequency], custom[frequency] = {}, {}
            for currency in settings.DONATION_CURRENCIES:
                labels[frequency][currency] = {
                    str(units): [
                        gift_label(to_minor(units, currency), currency, frequency, cover_fee=fee)
                        for fee in (False, True)
                    ]
                    for units in suggested
                }
                pattern = money_pattern(currency)
                custom[frequency][currency] = [
                    _give(frequency, fee=False) % {"amount": pattern},
                    _give(frequency, fee=True) % {"amount": pattern},
                ]
        display = {
            currency: {
                str(units): format_money(to_minor(units, currency), currency)
                for units in {units for suggested in amounts.values() for units in suggested}
            }
            for currency in settings.DONATION_CURRENCIES
        }
        impacts = {
            frequency: {
                str(units): text for units, text in self.options.impacts_for(frequency).items()
            }
            for frequency in Frequency.values
        }
        return {
            "amounts": amounts,
            "display": display,
            "impacts": impacts,
            "labels": labels,
            "custom": custom,
            "decimals": {
                code: spec["exponent"] for code, spec in settings.DONATION_CURRENCIES.items()
            },
            # The page's language: the decimal separator a typed amount is shown with, and
            # the button's words when no amount is chosen.
            "separator": get_format("DECIMAL_SEPARATOR"),
            "fallback": gettext("Give now"),
        }


_KEPT: dict[tuple, SafeString] = {}  # the plain form's fields and the hints, drawn once


def _kept(key: tuple, draw: Callable[[], SafeString]) -> SafeString:
    html = _KEPT.get(key)
    if html is None:
        if len(_KEPT) >= 64:  # a few languages x a few edits: bounded anyway
            _KEPT.clear()
        html = _KEPT[key] = draw()
    return html


@receiver(setting_changed)
def _forget_kept(**kwargs) -> None:
    # Currencies, fee rules, formats and templates are settings: a change draws them afresh.
    _KEPT.clear()


# The button's words, one whole sentence per frequency (and with "plus the fee" for a typed
# amount, whose total the script does not compute), so each language can order them.
_GIVE = {
    (Frequency.ONCE, False): _("Give %(amount)s"),
    (Frequency.MONTHLY, False): _("Give %(amount)s every month"),
    (Frequency.ANNUAL, False): _("Give %(amount)s every year"),
    (Frequency.ONCE, True): _("Give %(amount)s plus the fee"),
    (Frequency.MONTHLY, True): _("Give %(amount)s plus the fee every month"),
    (Frequency.ANNUAL, True): _("Give %(amount)s plus the fee every year"),
}


def _give(frequency: str, *, fee: bool) -> str:
    return str(_GIVE.get((frequency, fee), _GIVE[Frequency.ONCE, fee]))


def gift_label(minor: int, currency: str, frequency: str, *, cover_fee: bool = False) -> str:
    """``"Give $25 every month"``: the amount charged, the fee included when covered."""
    if cover_fee:
        minor += processing_fee(minor, currency)
    return _give(frequency, fee=False) % {"amount": format_money(minor, currency)}


class ManageRequestForm(forms.Form):
    email = forms.EmailField(label=_("The email address you gave with"), max_length=254)
