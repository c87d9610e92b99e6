"""The attribution report: which journalism brings in the money.

Every figure is one aggregate query grouped in the database (no Python loops over
payments), and amounts are grouped per currency because dollars and euros do not add.
A payment counts once per country or criminal group of its source article, so an
article tagged with two countries credits both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from donations.models import DISPUTE_MONEY_LOST, Payment

# Money a lost dispute took back (also while an appeal runs); the same rule as
# ``Payment.dispute_lost`` and ``Payment.net_amount``.
_LOST = Case(
    When(dispute_status__in=sorted(DISPUTE_MONEY_LOST), then=F("amount_disputed")),
    default=Value(0),
)

AGGREGATES = {
    "gross": Sum("amount"),
    "refunded": Sum("amount_refunded"),
    "lost": Sum(_LOST),
    "net": Sum(F("amount") - F("amount_refunded") - _LOST),
    "payments": Count("pk", distinct=True),
    "donations": Count("donation", distinct=True),
}

# Each breakdown: (title, the values() that name a row, a filter that keeps relevant rows).
BREAKDOWNS: dict[str, tuple[str, list[str], Q]] = {
    "article": (
        "By source article",
        ["donation__source_article", "donation__source_article__title"],
        Q(donation__source_article__isnull=False),
    ),
    "section": (
        "By section of the source article",
        [
            "donation__source_article__section__name",
            "donation__source_article__section__parent__name",
        ],
        Q(donation__source_article__isnull=False),
    ),
    "country": (
        "By country of the source article",
        ["donation__source_article__countries__name"],
        Q(donation__source_article__countries__isnull=False),
    ),
    "group": (
        "By criminal group of the source article",
        ["donation__source_article__groups__name"],
        Q(donation__source_article__groups__isnull=False),
    ),
    "campaign": ("By campaign", ["donation__campaign"], ~Q(donation__campaign="")),
}


SEPARATOR = "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"  # as in the breadcrumb


@dataclass
class Report:
    start: dt.date
    end: dt.date
    totals: list[dict[str, Any]] = field(default_factory=list)
    sections: dict[str, tuple[str, list[dict[str, Any]]]] = field(default_factory=dict)


def payments_between(start: dt.date, end: dt.date) -> QuerySet[Payment]:
    """Payments made from the start of ``start`` to the end of ``end``, site time zone."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Payment.objects.filter(paid_at__gte=since, paid_at__lt=until)


def attribution_report(*, start: dt.date, end: dt.date) -> Report:
    payments = payments_between(start, end)
    report = Report(start=start, end=end)
    report.totals = list(payments.values("currency").annotate(**AGGREGATES).order_by("currency"))
    for key, (title, names, keep) in BREAKDOWNS.items():
        rows = (
            payments.filter(keep)
            .values(*names, "currency")
            .annotate(**AGGREGATES)
            .order_by("currency", "-net", *names)
        )
        report.sections[key] = (title, [_label(key, row) for row in rows])
    return report


def _label(key: str, row: dict[str, Any]) -> dict[str, Any]:
    if key == "article":
        row["label"] = row["donation__source_article__title"]
        row["article_id"] = row["donation__source_article"]
    elif key == "section":
        parent = row["donation__source_article__section__parent__name"]
        name = row["donation__source_article__section__name"]
        row["label"] = f"{parent} {SEPARATOR} {name}" if parent else name
    elif key == "country":
        row["label"] = row["donation__source_article__countries__name"]
    elif key == "group":
        row["label"] = row["donation__source_article__groups__name"]
    else:
        row["label"] = row["donation__campaign"]
    return row
