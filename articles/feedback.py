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
from django.db import IntegrityError, transaction
from django.db.models import F, FloatField, Sum, Value
from django.db.models.functions import Cast, Sqrt, TruncWeek
from django.utils import timezone

from articles.models import Article, HelpfulDaily, HelpfulVote

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
    # get_or_create takes care of two first votes of the day racing (the unique
    # constraint, then a re-read); the increment is one UPDATE ... SET n = n + 1.
    row, _ = HelpfulDaily.objects.get_or_create(article_id=article_id, day=day)
    HelpfulDaily.objects.filter(pk=row.pk).update(
        **{name: F(name) + amount for name, amount in increments.items()}
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


# Each grouping: the path from HelpfulDaily to the group's id and name.
GROUPINGS = {
    "article": ("article_id", "article__title"),
    "section": ("article__section_id", "article__section__name"),
    "author": ("article__bylines__author_id", "article__bylines__author__name"),
    "country": ("article__countries__id", "article__countries__name"),
    "group": ("article__groups__id", "article__groups__name"),
}


def _in_period(start: dt.date, end: dt.date):
    return HelpfulDaily.objects.filter(day__gte=start, day__lte=end)


def totals(start: dt.date, end: dt.date) -> Row:
    sums = _in_period(start, end).aggregate(yes=Sum("yes"), no=Sum("no"))
    return Row(key=None, label="", yes=sums["yes"] or 0, no=sums["no"] or 0)


def by_group(grouping: str, start: dt.date, end: dt.date, *, limit: int = 50) -> list[Row]:
    """The ``limit`` groups with most votes in the period, with their counts."""
    key, label = GROUPINGS[grouping]
    rows = (
        _in_period(start, end)
        .filter(**{f"{key}__isnull": False})
        .values(key, label)
        .annotate(y=Sum("yes"), n=Sum("no"))
        .order_by((F("y") + F("n")).desc(), label)
        .values_list(key, label, "y", "n")[:limit]
    )
    return [Row(key=pk, label=name, yes=y, no=n) for pk, name, y, n in rows]


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
        _in_period(start, end)
        .annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(y=Sum("yes"), n=Sum("no"))
        .order_by("week")
        .values_list("week", "y", "n")
    )
    return [Row(key=week, label=week.isoformat(), yes=y, no=n) for week, y, n in rows]
