"""The republication reports: each is one aggregate query, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from republish.models import Republication

TOP_LIMIT = 50
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def this_month(cls, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today.replace(day=1), today)

    @classmethod
    def from_query(cls, start: str | None, end: str | None) -> tuple[Period, bool]:
        """The period asked for in ``?start=&end=`` (ISO dates), or this month; the flag
        says whether the request was understood (the page says so when it was not)."""
        default = cls.this_month()
        if not start and not end:
            return default, True
        try:
            period = cls(
                dt.date.fromisoformat(start) if start else default.start,
                dt.date.fromisoformat(end) if end else default.end,
            )
        except ValueError:
            return default, False
        if period.start > period.end or (period.end - period.start).days > MAX_PERIOD_DAYS:
            return default, False
        return period, True

    def rows(self):
        return Republication.objects.filter(day__gte=self.start, day__lte=self.end)


def top_stories(period: Period, limit: int = TOP_LIMIT) -> list[dict]:
    return list(
        period.rows()
        .values("article_id", "article__title")
        .annotate(
            views=Sum("views"),
            sites=Count("site", distinct=True),
            pages=Count("page_url", distinct=True),
            last_day=Max("day"),
        )
        .order_by("-views", "article_id")[:limit]
    )


def partner_sites(period: Period) -> list[dict]:
    return list(
        period.rows()
        .values("site")
        .annotate(
            views=Sum("views"),
            stories=Count("article", distinct=True),
            first_day=Min("day"),
            last_day=Max("day"),
        )
        .order_by("-views", "site")
    )


def article_pages(article_id: int, period: Period) -> list[dict]:
    return list(
        period.rows()
        .filter(article_id=article_id)
        .values("site", "page_url")
        .annotate(views=Sum("views"), first_day=Min("day"), last_day=Max("day"))
        .order_by("-views", "page_url")
    )


def article_days(article_id: int, period: Period) -> list[dict]:
    return list(
        period.rows()
        .filter(article_id=article_id)
        .values("day")
        .annotate(views=Sum("views"), sites=Count("site", distinct=True))
        .order_by("day")
    )


def site_stories(site: str, period: Period) -> list[dict]:
    return list(
        period.rows()
        .filter(site=site)
        .values("article_id", "article__title")
        .annotate(
            views=Sum("views"),
            pages=Count("page_url", distinct=True),
            first_day=Min("day"),
            last_day=Max("day"),
        )
        .order_by("-last_day", "-views")
    )
