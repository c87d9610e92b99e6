"""Donations in the editors' admin: lists, CSV export, the ledger and the attribution report.

Money records are read-only here: their state comes from Stripe through the state
machine, never from a hand edit. Editors may correct attribution (article, campaign).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from donations import webhooks
from donations.models import Donation, DonationSettings, Payment, StripeEvent
from donations.money import format_money, from_minor
from donations.reports import attribution_report
from newsroom.spreadsheets import csv_response


class ReadOnlyMoneyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = [
        "paid_at",
        "amount_display",
        "amount_refunded",
        "dispute_status",
        "stripe_id",
        "receipt_sent_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("amount"))
    def amount_display(self, obj: Payment) -> str:
        return format_money(obj.amount, obj.currency)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NeedsReviewFilter(admin.SimpleListFilter):
    """Gifts for which Stripe reported something that did not match what we stored."""

    title = _("needs review")
    parameter_name = "needs_review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Stripe report did not match")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Donation]) -> QuerySet[Donation]:
        if self.value() == "yes":
            return queryset.exclude(mismatch="")
        return queryset


@admin.register(Donation)
class DonationAdmin(ReadOnlyMoneyAdmin):
    list_display = [
        "created_at",
        "donor",
        "amount_display",
        "frequency",
        "status_label",
        "source_article_link",
        "campaign",
        "paid_at",
    ]
    list_filter = [
        NeedsReviewFilter,
        "status",
        "frequency",
        "currency",
        "anonymous",
        "created_at",
        "paid_at",
    ]
    search_fields = [
        "donor_name",
        "donor_email",
        "campaign",
        "source",
        "stripe_checkout_session_id",
        "stripe_customer_id",
        "stripe_subscription_id",
        "stripe_payment_intent_id",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["source_article"]
    autocomplete_fields = ["source_article"]
    inlines = [PaymentInline]
    actions = ["export_csv"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "status_label",
                    "amount_display",
                    "fee_display",
                    "frequency",
                    "paid_at",
                    "ended_at",
                    "created_at",
                ]
            },
        ),
        (
            "Donor",
            {
                "fields": [
                    "donor_name",
                    "donor_email",
                    "anonymous",
                    "dedication_type",
                    "dedication_name",
                    "message",
                ]
            },
        ),
        (_("Attribution"), {"fields": ["source", "source_article", "campaign"]}),
        (
            "Stripe",
            {
                "fields": [
                    "stripe_checkout_session_id",
                    "stripe_customer_id",
                    "stripe_subscription_id",
                    "stripe_payment_intent_id",
                    "last_error",
                    "mismatch",
                ]
            },
        ),
    ]
    readonly_fields = [
        "status_label",
        "amount_display",
        "fee_display",
        "frequency",
        "paid_at",
        "ended_at",
        "created_at",
        "donor_name",
        "donor_email",
        "anonymous",
        "dedication_type",
        "dedication_name",
        "message",
        "source",
        "stripe_checkout_session_id",
        "stripe_customer_id",
        "stripe_subscription_id",
        "stripe_payment_intent_id",
        "last_error",
        "mismatch",
    ]

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj: Donation) -> str:
        # "Pending (donor sent to Stripe)" is only true once Stripe opened a checkout
        # session; a gift whose checkout never started (Stripe unreachable or refused,
        # keys missing) says so, with the reason kept in last_error.
        if obj.status == Donation.Status.PENDING and not obj.stripe_checkout_session_id:
            return _("Never reached Stripe (checkout not opened)")
        return obj.get_status_display()

    @admin.display(description=_("donor"), ordering="donor_name")
    def donor(self, obj: Donation) -> str:
        # Lists are seen over shoulders and in screenshots: respect the donor's wish.
        return obj.public_donor_name

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Donation) -> str:
        return format_money(obj.amount, obj.currency)

    @admin.display(description=_("fee covered"))
    def fee_display(self, obj: Donation) -> str:
        return format_money(obj.fee_covered, obj.currency) if obj.fee_covered else "—"

    @admin.display(description=_("source article"), ordering="source_article__title")
    def source_article_link(self, obj: Donation) -> str:
        if obj.source_article is None:
            return obj.source or "—"
        url = reverse("admin:articles_article_change", args=[obj.source_article_id])
        return format_html('<a href="{}">{}</a>', url, obj.source_article.title)

    @admin.action(description=_("Export selected donations as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Donation]) -> HttpResponse:
        header = [
            "id",
            "created_at",
            "status",
            "frequency",
            "amount",
            "currency",
            "fee_covered",
            "donor_name",
            "donor_email",
            "anonymous",
            "source",
            "source_article_id",
            "source_article",
            "campaign",
            "paid_at",
            "stripe_customer_id",
            "stripe_subscription_id",
        ]
        rows = (
            [
                d.pk,
                d.created_at.isoformat(),
                d.status,
                d.frequency,
                _major(d.amount, d.currency),
                d.currency.upper(),
                _major(d.fee_covered, d.currency),
                _exported_name(d),
                d.donor_email,
                d.anonymous,
                d.source,
                d.source_article_id or "",
                d.source_article.title if d.source_article else "",
                d.campaign,
                d.paid_at.isoformat() if d.paid_at else "",
                d.stripe_customer_id,
                d.stripe_subscription_id,
            ]
            for d in queryset.select_related("source_article").iterator(chunk_size=500)
        )
        return csv_response("donations.csv", header, rows)

    def get_urls(self):
        custom = [
            path(
                "report/",
                self.admin_site.admin_view(self.report_view),
                name="donations_donation_report",
            )
        ]
        return custom + super().get_urls()

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ReportForm(request.GET or None)
        today = timezone.localdate()
        start, end = today - dt.timedelta(days=30), today
        if form.is_valid():
            start = form.cleaned_data["start"] or start
            end = form.cleaned_data["end"] or end
        elif not form.is_bound:
            form = ReportForm(initial={"start": start, "end": end})
        report = attribution_report(start=start, end=end)
        context = {
            **self.admin_site.each_context(request),
            "title": "Donations attribution report",
            "opts": self.model._meta,
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/donations/report.html", context)


def _exported_name(donation: Donation) -> str:
    # Exports end up in spreadsheets shared well beyond the admin: an anonymous donor's
    # name stays out (the email remains, for receipts and thanks that are not public).
    return "" if donation.anonymous else donation.donor_name


def _major(amount: int, currency: str) -> str:
    """Minor units as a plain decimal string for spreadsheets: 2550 -> "25.50"."""
    return str(from_minor(amount, currency))


# Dates a report can cover: a typed year 9999 (or 0001) overflowed the day arithmetic and
# the time-zone conversion of the period's bounds (a 500); it is a form error now.
REPORT_DATES = [
    MinValueValidator(dt.date(2000, 1, 1)),
    MaxValueValidator(dt.date(2999, 12, 31)),
]


class ReportForm(forms.Form):
    start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=REPORT_DATES
    )
    end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=REPORT_DATES
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must be on or before the end date."))
        return data


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMoneyAdmin):
    list_display = [
        "paid_at",
        "donor",
        "amount_display",
        "refunded_display",
        "dispute_status",
        "frequency",
        "source_article",
        "campaign",
        "stripe_id",
    ]
    list_filter = ["currency", "dispute_status", "donation__frequency", "paid_at"]
    search_fields = [
        "stripe_id",
        "stripe_charge_id",
        "stripe_payment_intent_id",
        "donation__donor_email",
        "donation__donor_name",
        "donation__campaign",
    ]
    date_hierarchy = "paid_at"
    list_select_related = ["donation__source_article"]
    actions = ["export_csv"]
    readonly_fields = [f.name for f in Payment._meta.fields]

    @admin.display(description=_("donor"))
    def donor(self, obj: Payment) -> str:
        return obj.donation.public_donor_name

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Payment) -> str:
        return format_money(obj.amount, obj.currency)

    @admin.display(description=_("refunded"))
    def refunded_display(self, obj: Payment) -> str:
        return format_money(obj.amount_refunded, obj.currency) if obj.amount_refunded else "—"

    @admin.display(description=_("frequency"))
    def frequency(self, obj: Payment) -> str:
        return obj.donation.get_frequency_display()

    @admin.display(description=_("source article"))
    def source_article(self, obj: Payment) -> str:
        return str(obj.donation.source_article or "—")

    @admin.display(description=_("campaign"))
    def campaign(self, obj: Payment) -> str:
        return obj.donation.campaign

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Export selected payments as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Payment]) -> HttpResponse:
        header = [
            "stripe_id",
            "paid_at",
            "amount",
            "currency",
            "amount_refunded",
            "amount_disputed",
            "dispute_status",
            "donation_id",
            "frequency",
            "donor_name",
            "anonymous",
            "source_article_id",
            "campaign",
            "charge",
        ]
        rows = (
            [
                p.stripe_id,
                p.paid_at.isoformat(),
                _major(p.amount, p.currency),
                p.currency.upper(),
                _major(p.amount_refunded, p.currency),
                _major(p.amount_disputed, p.currency),
                p.dispute_status,
                p.donation_id,
                p.donation.frequency,
                _exported_name(p.donation),
                p.donation.anonymous,
                p.donation.source_article_id or "",
                p.donation.campaign,
                p.stripe_charge_id,
            ]
            for p in queryset.select_related("donation").iterator(chunk_size=500)
        )
        return csv_response("payments.csv", header, rows)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyMoneyAdmin):
    list_display = ["received_at", "type", "stripe_id", "status", "attempts", "processed_at"]
    list_filter = ["status", "type", "livemode"]
    search_fields = ["stripe_id", "type"]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in StripeEvent._meta.fields]
    actions = ["reprocess"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The change form is read-only; the permission still gates the reprocess action.
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    def has_reprocess_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description=_("Reprocess selected events"), permissions=["reprocess"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[StripeEvent]) -> None:
        counts = webhooks.reprocess(queryset.order_by("received_at"))
        summary = ", ".join(f"{n} {outcome.value}" for outcome, n in counts.items()) or "nothing"
        level = messages.WARNING if webhooks.Outcome.FAILED in counts else messages.SUCCESS
        self.message_user(request, f"Reprocessed: {summary}.", level)


@admin.register(DonationSettings)
class DonationSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "default_frequency",
        "once_amounts",
        "monthly_amounts",
        "annual_amounts",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row: the form reads the first; a second one would silently do nothing.
        return not DonationSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
