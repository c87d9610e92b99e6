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
import functools
import math
import operator
import re
from dataclasses import dataclass, field
from html import unescape

import nh3
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import TruncWeek
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


def period_ranges(start: dt.date, end: dt.date) -> list[tuple[bool, dt.date, dt.date]]:
    """Which HelpfulDaily rows make up [start, end], as (monthly, first day, last day):
    the months it covers whole, and the days before and after them (or only days, for a
    period within one month). Each vote falls in exactly one of the ranges."""
    first_month = start if start.day == 1 else _month_after(start)
    after_months = end.replace(day=1)
    if _month_after(end) - dt.timedelta(days=1) == end:
        after_months = _month_after(end)
    if first_month >= after_months:
        return [(False, start, end)]
    ranges = [(True, first_month, after_months - dt.timedelta(days=1))]
    if start < first_month:
        ranges.append((False, start, first_month - dt.timedelta(days=1)))
    if after_months <= end:
        ranges.append((False, after_months, end))
    return ranges


def period_rows(start: dt.date, end: dt.date) -> Q:
    """``period_ranges`` as a filter on HelpfulDaily."""
    parts = [
        Q(monthly=monthly, day__gte=first, day__lte=last)
        for monthly, first, last in period_ranges(start, end)
    ]
    return functools.reduce(operator.or_, parts)


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
        rows = _most_voted(start, end, min_votes=min_votes, limit=limit)
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


def _counts_sql(start: dt.date, end: dt.date, min_votes: int) -> tuple[str, list]:
    """SQL for each story's ``y``, ``n`` and ``lower`` (Wilson's lower bound) in the period,
    for stories with at least ``min_votes`` votes in it.

    One ``UNION ALL`` branch per range of ``period_ranges``, each joined to the stories
    with at least ``min_votes`` of all time (``HelpfulTotal``; the others cannot reach it
    in a period). Every branch is answered from a covering index: a range of
    ``helpful_day_idx`` for the edge days, or, for the months of the stories that qualify,
    ``helpful_article_period_idx`` (PostgreSQL picks; ``helpful_total_votes_idx`` gives
    it the statistics). The same ranges as one ``OR`` became a bitmap scan that read ~13k
    table pages at 100k stories / 1M votes: most of the old dashboard's time.
    """
    q = connection.ops.quote_name
    daily, total = q(HelpfulDaily._meta.db_table), q(HelpfulTotal._meta.db_table)
    threshold = max(min_votes, 1)
    branches, params = [], []
    for monthly, first, last in period_ranges(start, end):
        branches.append(
            f"SELECT d.article_id, d.yes, d.no FROM {total} t "
            f"JOIN {daily} d ON d.article_id = t.article_id "
            f"WHERE t.yes + t.no >= %s AND d.monthly = %s AND d.day >= %s AND d.day <= %s"
        )
        params += [threshold, monthly, first, last]
    # Wilson's lower bound at 95% (the same formula as ``wilson``) of y yes in y + n votes.
    y, n = (
        "CAST(SUM(d.yes) AS DOUBLE PRECISION)",
        "CAST(SUM(d.yes) + SUM(d.no) AS DOUBLE PRECISION)",
    )
    z, z2 = repr(Z), repr(Z * Z)
    p = f"({y} / {n})"
    lower = (
        f"(({p} + {z2} / (2 * {n}) - {z} * SQRT({p} * (1 - {p}) / {n} + {z2} / (4 * {n} * {n})))"
        f" / (1 + {z2} / {n}))"
    )
    sql = (
        f"SELECT d.article_id, SUM(d.yes) AS y, SUM(d.no) AS n, {lower} AS lower "
        f"FROM ({' UNION ALL '.join(branches)}) d "
        f"GROUP BY d.article_id HAVING SUM(d.yes) + SUM(d.no) >= %s"
    )
    return sql, [*params, threshold]


def _most_voted(start: dt.date, end: dt.date, *, min_votes: int, limit: int) -> list[tuple]:
    """(article id, title, yes, no) of the ``limit`` stories with most votes in the period
    (at least ``min_votes``); titles are joined for the rows kept only."""
    counts, params = _counts_sql(start, end, min_votes)
    article = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.article_id, a.title, t.y, t.n "
            f"FROM (SELECT article_id, y, n FROM ({counts}) c "
            f"ORDER BY y + n DESC, article_id LIMIT %s) t "
            f"JOIN {article} a ON a.id = t.article_id ORDER BY t.y + t.n DESC, t.article_id",
            [*params, limit],
        )
        return cursor.fetchall()


def least_helpful(
    start: dt.date, end: dt.date, *, min_votes: int = 10, limit: int = 10
) -> list[Row]:
    """Stories with at least ``min_votes`` in the period, lowest Wilson lower bound first,
    with the reasons readers gave and what some of them wrote (two queries)."""
    # Two steps in one query. The inner one ranks every story with enough votes from the
    # yes/no counts alone (index-only, ``_counts_sql``); the outer one sums the reasons for
    # the ``limit`` stories it keeps, over the same period ranges (by article: a few rows
    # each). Same counts and same order as ranking on everything at once: exact, but the
    # reason columns are read for a handful of stories instead of thousands.
    counts, params = _counts_sql(start, end, min_votes)
    q = connection.ops.quote_name
    daily, article = q(HelpfulDaily._meta.db_table), q(Article._meta.db_table)
    ranges, range_params = [], []
    for monthly, first, last in period_ranges(start, end):
        ranges.append("(r.monthly = %s AND r.day >= %s AND r.day <= %s)")
        range_params += [monthly, first, last]
    reasons = ", ".join(f"SUM(r.{q(name)})" for name in REASON_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.article_id, a.title, a.slug, t.y, t.n, {reasons} "
            f"FROM (SELECT article_id, y, n, lower FROM ({counts}) c "
            f"ORDER BY lower, y + n DESC, article_id LIMIT %s) t "
            f"JOIN {article} a ON a.id = t.article_id "
            f"JOIN {daily} r ON r.article_id = t.article_id AND ({' OR '.join(ranges)}) "
            f"GROUP BY t.article_id, a.title, a.slug, t.y, t.n, t.lower "
            f"ORDER BY t.lower, t.y + t.n DESC, t.article_id",
            [*params, limit, *range_params],
        )
        names = ["article_id", "article__title", "article__slug", "y", "n"]
        names += [f"r_{name}" for name in REASON_FIELDS]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
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
