"""Reader feedback editors can act on: the follow-up to a vote, and the dashboard's figures.

Votes are summed into ``HelpfulDaily`` (one row per article and day) in the vote's own
transaction, so the dashboard never scans ``HelpfulVote``: at 1M votes a period of 90 days
is a sum over the daily rows of those days (index ``helpful_day_idx``), joined to the
article, its section, byline or tags. Each dashboard page runs the same five queries
whatever the data (totals, the grouped table, the least helpful stories, what readers
wrote about them, weeks).

The confidence interval is Wilson's score interval at 95%: unlike ``yes / n`` it does not
put a story with 1 vote out of 1 above one with 95 out of 100, so "least helpful" is
ordered by its lower bound among stories with a minimum number of votes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from html import unescape

import nh3
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, F, FloatField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Sqrt, TruncWeek
from django.utils import timezone

from articles.models import (
    Article,
    Byline,
    HelpfulDaily,
    HelpfulRollup,
    HelpfulTotal,
    HelpfulVote,
    TaggedCountry,
    TaggedGroup,
)

Z = 1.959963984540054  # the normal quantile for a two-sided 95% interval
REASON_FIELDS = tuple(choice.value for choice in HelpfulVote.Reason)
# Characters a reader's text may not carry: C0/C1 controls except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson(yes: int, n: int, z: float = Z) -> Interval | None:
    """Wilson's score interval for ``yes`` successes in ``n`` trials (None without votes)."""
    if n <= 0:
        return None
    p = yes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def plain_text(value: str, *, max_length: int = HelpfulVote.COMMENT_MAX_LENGTH) -> str:
    """A reader's free text as plain text: no markup, no control characters, bounded.

    Stored as text and escaped by the templates that show it; markup is removed rather
    than kept escaped so that editors read what the reader meant, not ``&lt;b&gt;``.
    """
    text = unescape(nh3.clean(value or "", tags=set(), strip_comments=True))
    text = _CONTROL.sub("", text).replace("\r\n", "\n")
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines())[:max_length]


# --- writes ----------------------------------------------------------------------------


def _count_on_day(article_id: int, day: dt.date, **increments: int) -> None:
    # The day's row and the month's row. get_or_create takes care of two first votes
    # racing (the unique constraint, then a re-read); the increment is one UPDATE ...
    # SET n = n + 1 for both rows.
    rows = [
        HelpfulDaily.objects.get_or_create(article_id=article_id, day=d, monthly=m)[0].pk
        for d, m in ((day, False), (day.replace(day=1), True))
    ]
    HelpfulDaily.objects.filter(pk__in=rows).update(
        **{name: F(name) + amount for name, amount in increments.items()}
    )


def _dimensions(article: Article) -> list[tuple[str, int]]:
    """The rollup rows a vote on ``article`` counts in: the site, its section, each author,
    country and group (one query)."""
    kind = lambda name: Value(name, output_field=CharField())  # noqa: E731
    refs = (
        Byline.objects.filter(article_id=article.pk)
        .order_by()
        .annotate(k=kind("author"))
        .values_list("k", "author_id")
        .union(
            TaggedCountry.objects.filter(content_object_id=article.pk)
            .order_by()
            .annotate(k=kind("country"))
            .values_list("k", "tag_id"),
            TaggedGroup.objects.filter(content_object_id=article.pk)
            .order_by()
            .annotate(k=kind("group"))
            .values_list("k", "tag_id"),
            all=True,
        )
        .order_by()
    )
    return [("site", 0), ("section", article.section_id), *refs]


def _rollup_add(day: dt.date, dimensions: list[tuple[str, int]], yes: int, no: int) -> None:
    # One INSERT ... ON CONFLICT DO UPDATE for all rows (PostgreSQL and SQLite 3.24+):
    # atomic per row, so concurrent votes never lose a count.
    table = connection.ops.quote_name(HelpfulRollup._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(dimensions))
    params: list = []
    for kind, ref in dimensions:
        params += [kind, ref, day, yes, no]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, ref, day, yes, no) VALUES {values} "
            f"ON CONFLICT (kind, ref, day) DO UPDATE "
            f"SET yes = {table}.yes + excluded.yes, no = {table}.no + excluded.no",
            params,
        )


def _total_add(article_id: int, yes: int, no: int) -> None:
    table = connection.ops.quote_name(HelpfulTotal._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (article_id, yes, no) VALUES (%s, %s, %s) "
            f"ON CONFLICT (article_id) DO UPDATE "
            f"SET yes = {table}.yes + excluded.yes, no = {table}.no + excluded.no",
            [article_id, yes, no],
        )


def _with_votes(min_votes: int):
    """Articles with at least ``min_votes`` of all time: only they can have that many in a
    period, so the per-article sums skip the long tail of stories with a vote or two."""
    return (
        HelpfulTotal.objects.annotate(votes=F("yes") + F("no"))
        .filter(votes__gte=max(min_votes, 1))
        .values("article_id")
    )


@transaction.atomic
def helpful_vote_record(*, article: Article, session_key: str, helpful: bool) -> bool:
    """Store one vote per reader session, and count it in the day's aggregate.

    Returns False when this session had voted already (nothing is counted twice).
    """
    try:
        with transaction.atomic():
            vote = HelpfulVote.objects.create(
                article=article, session_key=session_key, helpful=helpful
            )
    except IntegrityError:
        return False
    day = timezone.localdate(vote.created_at)
    _count_on_day(article.pk, day, **{"yes" if helpful else "no": 1})
    _rollup_add(day, _dimensions(article), int(helpful), int(not helpful))
    _total_add(article.pk, int(helpful), int(not helpful))
    return True


@transaction.atomic
def helpful_followup_record(*, vote: HelpfulVote, reason: str, comment: str) -> bool:
    """The reader's "why not" / "what helped", once per vote. False if already given."""
    if reason and (vote.helpful or reason not in REASON_FIELDS):
        raise ValueError(f"Invalid reason {reason!r} for this vote")
    updated = HelpfulVote.objects.filter(pk=vote.pk, followed_up_at__isnull=True).update(
        reason=reason, comment=plain_text(comment), followed_up_at=timezone.now()
    )
    if not updated:
        return False
    if reason:
        _count_on_day(vote.article_id, timezone.localdate(vote.created_at), **{reason: 1})
    return True


# --- the dashboard's reads -------------------------------------------------------------


@dataclass
class Row:
    """One line of the dashboard: a group (or an article) and its votes."""

    key: object
    label: str
    yes: int
    no: int
    url: str = ""
    reasons: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    @property
    def votes(self) -> int:
        return self.yes + self.no

    @property
    def rate(self) -> float | None:
        return self.yes / self.votes if self.votes else None

    @property
    def interval(self) -> Interval | None:
        return wilson(self.yes, self.votes)


# The per-article table reads HelpfulDaily; the others read HelpfulRollup, with the name.
LABELS = {
    "section": ("articles", "Section", "name"),
    "author": ("articles", "Author", "name"),
    "country": ("articles", "Country", "name"),
    "group": ("articles", "CriminalGroup", "name"),
}
GROUPINGS = ("article", *LABELS)


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def period_rows(start: dt.date, end: dt.date) -> Q:
    """Which HelpfulDaily rows make up [start, end]: the months it covers whole, and
    the days before and after them (or only days, for a period within one month)."""
    first_month = start if start.day == 1 else _month_after(start)
    after_months = end.replace(day=1)
    if _month_after(end) - dt.timedelta(days=1) == end:
        after_months = _month_after(end)
    if first_month >= after_months:
        return Q(monthly=False, day__gte=start, day__lte=end)
    return (
        Q(monthly=True, day__gte=first_month, day__lt=after_months)
        | Q(monthly=False, day__gte=start, day__lt=first_month)
        | Q(monthly=False, day__gte=after_months, day__lte=end)
    )


def _in_period(start: dt.date, end: dt.date):
    return HelpfulDaily.objects.filter(period_rows(start, end))


def _rollup(kind: str, start: dt.date, end: dt.date):
    return HelpfulRollup.objects.filter(kind=kind, day__gte=start, day__lte=end)


def totals(start: dt.date, end: dt.date) -> Row:
    sums = _rollup("site", start, end).aggregate(yes=Sum("yes"), no=Sum("no"))
    return Row(key=None, label="", yes=sums["yes"] or 0, no=sums["no"] or 0)


def by_group(
    grouping: str, start: dt.date, end: dt.date, *, limit: int = 50, min_votes: int = 1
) -> list[Row]:
    """The ``limit`` groups with most votes in the period, with their counts; articles
    only with at least ``min_votes`` votes in the period."""
    if grouping == "article":
        rows = (
            _in_period(start, end)
            .filter(article_id__in=_with_votes(min_votes))
            .values("article_id")
            .annotate(y=Sum("yes"), n=Sum("no"), votes=F("y") + F("n"))
            .filter(votes__gte=max(min_votes, 1))
            .order_by((F("y") + F("n")).desc(), "article_id")
            .values_list("article_id", "article__title", "y", "n")[:limit]
        )
    else:
        from django.apps import apps

        app_label, model_name, field = LABELS[grouping]
        names = apps.get_model(app_label, model_name).objects.filter(pk=OuterRef("ref"))
        rows = (
            _rollup(grouping, start, end)
            .values("ref")
            .annotate(y=Sum("yes"), n=Sum("no"))
            .annotate(name=Subquery(names.values(field)[:1]))
            .order_by((F("y") + F("n")).desc(), "name")
            .values_list("ref", "name", "y", "n")[:limit]
        )
    # A group deleted since has no name: nothing to show.
    return [Row(key=pk, label=name, yes=y, no=n) for pk, name, y, n in rows if name is not None]


def _lower_bound(yes, votes):
    """Wilson's lower bound as a SQL expression of two aggregated counts."""
    y = Cast(yes, FloatField())
    n = Cast(votes, FloatField())
    z = Value(Z, output_field=FloatField())
    z2 = Value(Z * Z, output_field=FloatField())
    p = y / n
    return (p + z2 / (2 * n) - z * Sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n)


def least_helpful(
    start: dt.date, end: dt.date, *, min_votes: int = 10, limit: int = 10
) -> list[Row]:
    """Stories with at least ``min_votes`` in the period, lowest Wilson lower bound first,
    with the reasons readers gave and what some of them wrote (two queries)."""
    rows = list(
        _in_period(start, end)
        .filter(article_id__in=_with_votes(min_votes))
        .values("article_id")
        .annotate(
            y=Sum("yes"),
            n=Sum("no"),
            **{f"r_{name}": Sum(name) for name in REASON_FIELDS},
        )
        .annotate(votes=F("y") + F("n"))
        .filter(votes__gte=max(min_votes, 1))
        .annotate(lower=_lower_bound(F("y"), F("votes")))
        .order_by("lower", "-votes", "article_id")
        .values(
            "article_id",
            "article__title",
            "article__slug",
            "y",
            "n",
            *(f"r_{name}" for name in REASON_FIELDS),
        )[:limit]
    )
    result = [
        Row(
            key=row["article_id"],
            label=row["article__title"],
            yes=row["y"],
            no=row["n"],
            url=Article(slug=row["article__slug"]).get_absolute_url(),
            reasons={name: row[f"r_{name}"] for name in REASON_FIELDS if row[f"r_{name}"]},
        )
        for row in rows
    ]
    by_id = {row.key: row for row in result}
    if by_id:
        said = (
            HelpfulVote.objects.filter(
                article_id__in=list(by_id),
                helpful=False,
                created_at__date__gte=start,
                created_at__date__lte=end,
            )
            .exclude(comment="")
            .order_by("-created_at")
            .values_list("article_id", "comment")[: limit * 5]
        )
        for article_id, comment in said:
            if len(by_id[article_id].comments) < 3:
                by_id[article_id].comments.append(comment)
    return result


def weekly(start: dt.date, end: dt.date) -> list[Row]:
    """Votes per week (weeks start on Monday) in the period."""
    rows = (
        _rollup("site", start, end)
        .annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(y=Sum("yes"), n=Sum("no"))
        .order_by("week")
        .values_list("week", "y", "n")
    )
    return [Row(key=week, label=week.isoformat(), yes=y, no=n) for week, y, n in rows]


# --- repair ----------------------------------------------------------------------------


def _months_from_days() -> None:
    """The monthly rows, summed from the daily ones."""
    from django.db.models.functions import TruncMonth

    sums = {name: Sum(name) for name in ("yes", "no", *REASON_FIELDS)}
    rows = (
        HelpfulDaily.objects.filter(monthly=False)
        .annotate(month=TruncMonth("day"))
        .values("article_id", "month")
        .annotate(**{f"s_{name}": agg for name, agg in sums.items()})
        .order_by()
    )
    batch: list[HelpfulDaily] = []
    for row in rows.iterator(chunk_size=5000):
        batch.append(
            HelpfulDaily(
                article_id=row["article_id"],
                day=row["month"],
                monthly=True,
                **{name: row[f"s_{name}"] for name in sums},
            )
        )
        if len(batch) >= 5000:
            HelpfulDaily.objects.bulk_create(batch)
            batch = []
    HelpfulDaily.objects.bulk_create(batch)


@transaction.atomic
def aggregates_rebuild(*, daily: bool = True) -> tuple[int, int]:
    """Recount ``HelpfulDaily`` from the votes (when ``daily``) and ``HelpfulRollup`` from
    ``HelpfulDaily`` with today's sections, bylines and tags. Returns both row counts."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncDate

    if daily:
        HelpfulDaily.objects.all().delete()
        reason_counts = {
            name: Count("pk", filter=Q(reason=name, helpful=False)) for name in REASON_FIELDS
        }
        rows = (
            HelpfulVote.objects.annotate(d=TruncDate("created_at"))
            .values("article_id", "d")
            .annotate(
                y=Count("pk", filter=Q(helpful=True)),
                n=Count("pk", filter=Q(helpful=False)),
                **reason_counts,
            )
            .order_by()
        )
        batch: list[HelpfulDaily] = []
        for row in rows.iterator(chunk_size=5000):
            batch.append(
                HelpfulDaily(
                    article_id=row["article_id"],
                    day=row["d"],
                    yes=row["y"],
                    no=row["n"],
                    **{name: row[name] for name in REASON_FIELDS},
                )
            )
            if len(batch) >= 5000:
                HelpfulDaily.objects.bulk_create(batch)
                batch = []
        HelpfulDaily.objects.bulk_create(batch)
        _months_from_days()
    HelpfulRollup.objects.all().delete()
    HelpfulTotal.objects.all().delete()
    q = connection.ops.quote_name
    daily_table, rollup = q(HelpfulDaily._meta.db_table), q(HelpfulRollup._meta.db_table)
    joins = {
        "site": ("0", ""),
        "section": ("a.section_id", f"JOIN {q(Article._meta.db_table)} a ON a.id = d.article_id"),
        "author": (
            "x.author_id",
            f"JOIN {q(Byline._meta.db_table)} x ON x.article_id = d.article_id",
        ),
        "country": (
            "x.tag_id",
            f"JOIN {q(TaggedCountry._meta.db_table)} x ON x.content_object_id = d.article_id",
        ),
        "group": (
            "x.tag_id",
            f"JOIN {q(TaggedGroup._meta.db_table)} x ON x.content_object_id = d.article_id",
        ),
    }
    with connection.cursor() as cursor:
        for kind, (ref, join) in joins.items():
            cursor.execute(
                f"INSERT INTO {rollup} (kind, ref, day, yes, no) "
                f"SELECT %s, {ref}, d.day, SUM(d.yes), SUM(d.no) FROM {daily_table} d {join} "
                f"WHERE NOT d.monthly "
                f"GROUP BY {ref + ', ' if ref != '0' else ''}d.day",
                [kind],
            )
        cursor.execute(
            f"INSERT INTO {q(HelpfulTotal._meta.db_table)} (article_id, yes, no) "
            f"SELECT article_id, SUM(yes), SUM(no) FROM {daily_table} WHERE NOT monthly "
            f"GROUP BY article_id"
        )
    return HelpfulDaily.objects.count(), HelpfulRollup.objects.count()
