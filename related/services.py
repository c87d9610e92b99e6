"""Related content on the database: the index, one article's list, freshness, the page read.

Entry points:
- ``related_for_page(article)``: the page's read, one query.
- ``related_refresh(article_id)``: after a publish, edit, unpublish (called by the task).
- ``related_lists_refresh(article_ids)``: recompute given lists (after a deletion).
- ``related_pin_add`` / ``related_exclude_add``: the admin's one-click buttons.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, QuerySet, Value
from django.utils import timezone

from articles.models import Article, TaggedCountry, TaggedGroup, TaggedTopic
from newsroom.pagecache import invalidate_on_commit
from related import engine
from related.engine import Source, Suggestion, Weights
from related.models import (
    MAX_PINS,
    FeatureCount,
    RelatedExclusion,
    RelatedFeature,
    RelatedItem,
    RelatedPin,
    RelatedState,
    TermStat,
)

logger = logging.getLogger(__name__)

PAGE_COUNT = 3
# How many other lists one refresh may recompute; the rest catch up at the next rebuild.
REFRESH_LIMIT = 60
# Of the refreshed article's own candidates, how many are checked for "it now belongs in
# their list" (the score is symmetric, so its best candidates are the lists it can enter).
REVERSE_CANDIDATES = 40
PIN_REASON = "pinned by an editor"


def get_weights() -> Weights:
    return engine.weights_from(getattr(settings, "RELATED_WEIGHTS", None))


def to_day(moment: dt.datetime) -> float:
    return moment.timestamp() / 86400.0


def from_day(day: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(day * 86400.0, tz=dt.UTC)


def candidate_articles() -> QuerySet[Article]:
    """Articles that may appear in a list: published, or scheduled.

    Scheduled stories are stored so that they appear under related coverage at their time with
    no job running; the page read filters with ``published()``, so none shows early.
    """
    return Article.objects.published() | Article.objects.scheduled()


# --- Reading -----------------------------------------------------------------------------


def related_for_page(article: Article, *, count: int = PAGE_COUNT) -> list[Article]:
    """The related block: pins in order, then automatic items; visible ones only. One query.

    Each item is an ``Article`` loaded as a teaser (``for_teaser()``: primary tag, date,
    title, excerpt), carrying ``related_reason`` and ``related_pinned``.
    """
    return list(
        Article.objects.published()
        .for_teaser()
        .filter(related_in__article=article)
        .annotate(
            related_rank=F("related_in__rank"),
            related_reason=F("related_in__reason"),
            related_pinned=F("related_in__pinned"),
        )
        .order_by("related_rank")[:count]
    )


# --- The database index -------------------------------------------------------------------


class DbIndex:
    """``engine.CandidateIndex`` over ``RelatedFeature`` (a handful of indexed queries)."""

    def n_docs(self, language: str) -> int:
        return (
            TermStat.objects.filter(term=f"{TermStat.DOCS}:{language}")
            .values_list("df", flat=True)
            .first()
            or 0
        )

    def posting_lengths(self, keys: Iterable[str], language: str) -> dict[str, int]:
        rows = FeatureCount.objects.filter(key__in=list(keys), language=language, n__gt=0)
        return dict(rows.values_list("key", "n"))

    def shortlist(self, contribution, language, exclude, size):
        if not contribution:
            return [], {}
        if connection.vendor == "postgresql":
            return self._shortlist_sql(contribution, language, exclude, size)
        partial: dict[int, float] = {}
        rows = (
            RelatedFeature.objects.filter(key__in=list(contribution), language=language)
            .exclude(article_id=exclude)
            .values_list("article_id", "key", "weight")
        )
        get = partial.get
        for article_id, key, weight in rows:
            partial[article_id] = get(article_id, 0.0) + contribution[key] * weight
        top = heapq.nlargest(size, partial.items(), key=lambda item: (item[1], item[0]))
        # Dates only for the shortlist: converting thousands of timestamps costs more.
        days = {
            pk: to_day(at)
            for pk, at in Article.objects.filter(pk__in=[pk for pk, _ in top]).values_list(
                "pk", "publish_at"
            )
        }
        return top, days

    def _shortlist_sql(self, contribution, language, exclude, size):
        """The same sums and order, computed by PostgreSQL in one query (dates joined).

        The weighted sum is taken over the same index-only scan the Python loop reads (rows in
        key order), with the same float8 products and additions; only the best ``size`` rows
        and their dates cross the wire instead of up to ``posting_budget`` index rows.
        """
        keys = list(contribution)
        feature = connection.ops.quote_name(RelatedFeature._meta.db_table)
        article = connection.ops.quote_name(Article._meta.db_table)
        whens = " ".join(["WHEN %s THEN %s::float8"] * len(keys))
        marks = ", ".join(["%s"] * len(keys))
        sql = (
            f"WITH sums AS (SELECT article_id, SUM(weight * CASE key {whens} END) AS total "
            f"FROM {feature} WHERE key IN ({marks}) AND language = %s "
            f"AND article_id IS DISTINCT FROM %s "
            f"GROUP BY article_id ORDER BY total DESC, article_id DESC LIMIT %s) "
            f"SELECT sums.article_id, sums.total, a.publish_at FROM sums "
            f"LEFT JOIN {article} a ON a.id = sums.article_id "
            f"ORDER BY sums.total DESC, sums.article_id DESC"
        )
        params = [value for key in keys for value in (key, contribution[key])]
        params += [*keys, language, exclude, size]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        top = [(article_id, total) for article_id, total, _ in rows]
        days = {article_id: to_day(at) for article_id, _, at in rows if at is not None}
        return top, days

    def nearest(self, key, language, day, limit, exclude):
        base = RelatedFeature.objects.filter(key=key, language=language).exclude(article_id=exclude)
        moment = from_day(day)
        before = base.filter(published_at__lte=moment).order_by("-published_at")
        after = base.filter(published_at__gt=moment).order_by("published_at")
        rows = list(before.values_list("article_id", "published_at")[:limit])
        rows += after.values_list("article_id", "published_at")[:limit]
        return [(aid, to_day(at)) for aid, at in rows]

    def memberships(self, article_ids, keys):
        return RelatedFeature.objects.filter(
            article_id__in=list(article_ids), key__in=list(keys)
        ).values_list("article_id", "key", "weight")

    def eligible(self, article_ids, language):
        ids = list(article_ids)
        if not ids:
            return {}
        rows = (
            candidate_articles()
            .filter(pk__in=ids, language=language)
            .values_list("pk", "primary_country_id", "primary_group_id")
        )
        return {pk: engine.primary_key(country, group) for pk, country, group in rows}


# --- Sources and the index rows ----------------------------------------------------------


def tag_keys(article_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Feature keys and display names of the articles' tags, in one query."""
    ids = list(article_ids)
    queries = [
        model.objects.filter(content_object_id__in=ids)
        .annotate(kind=Value(kind))
        .values_list("content_object_id", "kind", "tag_id", "tag__name")
        for model, kind in ((TaggedGroup, "g"), (TaggedCountry, "c"), (TaggedTopic, "t"))
    ]
    result: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    for article_id, kind, tag_id, name in queries[0].union(*queries[1:], all=True):
        result[article_id][f"{kind}:{tag_id}"] = name
    return result


def term_stats(terms: Iterable[str]) -> dict[str, int]:
    return dict(TermStat.objects.filter(term__in=list(terms)).values_list("term", "df"))


def build_source(
    article: Article,
    names: dict[str, str],
    counts: dict[str, int],
    df: dict[str, int],
    n_docs: int,
    weights: Weights,
) -> Source:
    vector = engine.text_vector(counts, df, n_docs, weights)
    keys = dict.fromkeys(names, 1.0)
    keys.update({f"w:{term}": weight for term, weight in vector.items()})
    moment = article.publish_at or timezone.now()
    return Source(
        article_id=article.pk,
        language=article.language,
        day=to_day(moment),
        keys=keys,
        names=names,
    )


def source_for(article: Article, weights: Weights) -> tuple[Source, dict[str, int]]:
    counts = engine.term_counts(article.title, article.dek, article.body, weights)
    df = term_stats(counts)
    n_docs = DbIndex().n_docs(article.language)
    names = tag_keys([article.pk])[article.pk]
    return build_source(article, names, counts, df, n_docs, weights), counts


def stored_source(article: Article) -> Source | None:
    """The source as indexed (no tokenising, no statistics lookup); None if not indexed."""
    keys = dict(RelatedFeature.objects.filter(article_id=article.pk).values_list("key", "weight"))
    if not keys:
        return None
    return Source(
        article_id=article.pk,
        language=article.language,
        day=to_day(article.publish_at or timezone.now()),
        keys=keys,
        names=tag_keys([article.pk])[article.pk],
    )


def feature_rows(article: Article, source: Source) -> list[RelatedFeature]:
    return [
        RelatedFeature(
            article_id=article.pk,
            key=key,
            weight=weight,
            language=article.language,
            published_at=article.publish_at,
        )
        for key, weight in source.keys.items()
    ]


def _count_terms(terms: Iterable[str], language: str) -> None:
    """Add one document to the frequencies of ``terms`` (an upsert; same SQL on both DBs)."""
    words = sorted({*terms, TermStat.DOCS, f"{TermStat.DOCS}:{language}"})
    table = connection.ops.quote_name(TermStat._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(words), 500):
            chunk = words[start : start + 500]
            values = ", ".join(["(%s, 1)"] * len(chunk))
            # Sorted keys: concurrent upserts lock rows in the same order, so no deadlock.
            cursor.execute(
                f"INSERT INTO {table} (term, df) VALUES {values} "
                f"ON CONFLICT (term) DO UPDATE SET df = {table}.df + 1",
                chunk,
            )


def _add_counts(deltas: dict[tuple[str, str], int]) -> None:
    """Apply +n/-n to feature counts (an upsert; same SQL on PostgreSQL and SQLite)."""
    changes = sorted((key, lang, n) for (key, lang), n in deltas.items() if n)
    if not changes:
        return
    table = connection.ops.quote_name(FeatureCount._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(changes), 300):
            chunk = changes[start : start + 300]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (key, language, n) VALUES {values} "
                f"ON CONFLICT (key, language) DO UPDATE SET n = {table}.n + excluded.n",
                [value for change in chunk for value in change],
            )


def index_article(article: Article, source: Source, counts: dict[str, int]) -> bool:
    """Replace the article's rows in the inverted index; returns whether it is a candidate.

    Term frequencies are counted once per article, when it first becomes a candidate; they are
    not decremented on unpublish (a small drift that ``rebuild_related`` recomputes exactly).
    """
    eligible = candidate_articles().filter(pk=article.pk).exists()
    with transaction.atomic():
        old = RelatedFeature.objects.select_for_update().filter(article_id=article.pk)
        deltas: dict[tuple[str, str], int] = {}
        for key, language in old.values_list("key", "language"):
            deltas[(key, language)] = deltas.get((key, language), 0) - 1
        old.delete()
        if eligible:
            rows = feature_rows(article, source)
            RelatedFeature.objects.bulk_create(rows)
            for row in rows:
                deltas[(row.key, row.language)] = deltas.get((row.key, row.language), 0) + 1
        _add_counts(deltas)
        if not eligible:
            return False
        state, _ = RelatedState.objects.select_for_update().get_or_create(article_id=article.pk)
        if not state.counted_in_stats:
            _count_terms(counts, article.language)
            state.counted_in_stats = True
            state.save(update_fields=["counted_in_stats"])
    return True


# --- One article's list ------------------------------------------------------------------


def pins_of(article_id: int) -> list[tuple[int, str | None]]:
    rows = (
        RelatedPin.objects.filter(article_id=article_id)
        .order_by("position", "pk")
        .values_list("target_id", "target__primary_country_id", "target__primary_group_id")
    )
    return [(target, engine.primary_key(country, group)) for target, country, group in rows]


def exclusions_of(article_id: int) -> set[int]:
    return set(
        RelatedExclusion.objects.filter(article_id=article_id).values_list("target_id", flat=True)
    )


def store_list(
    article_id: int,
    pins: list[tuple[int, str | None]],
    suggestions: list[Suggestion],
    *,
    now: dt.datetime | None = None,
) -> None:
    """Atomically replace the stored list: readers see the old list or the new, never half."""
    now = now or timezone.now()
    rows = [
        RelatedItem(
            article_id=article_id,
            target_id=target,
            rank=rank,
            score=0.0,
            reason=PIN_REASON,
            pinned=True,
            computed_at=now,
        )
        for rank, (target, _) in enumerate(pins)
    ]
    rows += [
        RelatedItem(
            article_id=article_id,
            target_id=s.article_id,
            rank=len(pins) + position,
            score=round(s.score, 6),
            reason=s.reason[:200],
            computed_at=now,
        )
        for position, s in enumerate(suggestions)
    ]
    with transaction.atomic():
        # Serialise writers of one list (a live refresh and a running rebuild) on the article
        # row, so that neither deletes the other's fresh rows halfway.
        list(Article.objects.select_for_update().filter(pk=article_id).values_list("pk"))
        RelatedItem.objects.filter(article_id=article_id).delete()
        RelatedItem.objects.bulk_create(rows)
        # Bulk writes send no signals: the article's page shows this list.
        invalidate_on_commit(reason="related list stored")


def compute_list(
    article: Article, weights: Weights | None = None, *, source: Source | None = None
) -> tuple[list[tuple[int, str | None]], list[Suggestion], list[Suggestion]]:
    """Pins, chosen automatic items and every scored candidate for one article."""
    weights = weights or get_weights()
    if source is None:
        # An indexed article's features are stored; a draft's come from its text.
        source = stored_source(article) or source_for(article, weights)[0]
    index = DbIndex()
    pins = pins_of(article.pk)
    scored = engine.score(source, index, weights)
    chosen = engine.choose(
        source,
        scored,
        index,
        excluded=exclusions_of(article.pk),
        pinned=pins,
        weights=weights,
    )
    return pins, chosen, scored


def related_list_recompute(article: Article) -> list[Suggestion]:
    """Recompute and store one article's list (pins + automatic); returns the automatic part."""
    pins, chosen, _ = compute_list(article)
    store_list(article.pk, pins, chosen)
    return chosen


# --- Freshness -----------------------------------------------------------------------------


def _lists_it_now_belongs_in(
    article_id: int, scored: list[Suggestion], weights: Weights
) -> set[int]:
    """Candidates whose stored list the article would now enter (beats its weakest item)."""
    best = {s.article_id: s.score for s in scored[:REVERSE_CANDIDATES]}
    if not best:
        return set()
    lows = {
        row["article_id"]: row
        for row in RelatedItem.objects.filter(article_id__in=best, pinned=False)
        .values("article_id")
        .annotate(low=Min("score"), n=Count("pk"))
    }
    joined = set()
    for candidate, value in best.items():
        row = lows.get(candidate)
        if row is None or row["n"] < weights.automatic or value > row["low"]:
            joined.add(candidate)
    return joined


def related_refresh(article_id: int) -> dict[str, int]:
    """After a save: re-index the article, recompute its list and the lists it enters or leaves.

    Returns counts for logging and benchmarks.
    """
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return {"recomputed": 0}
    weights = get_weights()
    source, counts = source_for(article, weights)
    eligible = index_article(article, source, counts)
    pins, chosen, scored = compute_list(article, weights, source=source)
    store_list(article.pk, pins, chosen)

    # Lists that show it now: its score there changed, or it must leave them.
    affected = set(
        RelatedItem.objects.filter(target_id=article.pk, pinned=False)
        .exclude(article_id=article.pk)
        .values_list("article_id", flat=True)
    )
    if not eligible:
        # Gone from every list at once; the recomputation below refills them.
        RelatedItem.objects.filter(target_id=article.pk, pinned=False).delete()
        invalidate_on_commit(reason="article left related lists")
    else:
        affected |= _lists_it_now_belongs_in(article.pk, scored, weights)
    recomputed = related_lists_refresh(sorted(affected)[:REFRESH_LIMIT], weights=weights)
    if len(affected) > REFRESH_LIMIT:
        logger.info("related: %s lists left for the next rebuild", len(affected) - REFRESH_LIMIT)
    return {"recomputed": 1 + recomputed, "affected": len(affected)}


def related_lists_refresh(article_ids: Iterable[int], *, weights: Weights | None = None) -> int:
    """Recompute the stored lists of the given articles (those that still exist)."""
    weights = weights or get_weights()
    count = 0
    for other in Article.objects.filter(pk__in=list(article_ids)).order_by("pk"):
        pins, chosen, _ = compute_list(other, weights)
        store_list(other.pk, pins, chosen)
        count += 1
    return count


def lists_showing(article_ids: Iterable[int]) -> list[int]:
    """The articles whose stored list contains any of ``article_ids`` (before a deletion)."""
    ids = list(article_ids)
    return sorted(
        set(
            RelatedItem.objects.filter(target_id__in=ids)
            .exclude(article_id__in=ids)
            .values_list("article_id", flat=True)
        )
    )


# --- Editors' one-click controls ----------------------------------------------------------


class RelatedControlError(ValueError):
    """A pin or exclusion that cannot be made; the message is safe to show to editors."""


@transaction.atomic
def related_pin_add(*, article: Article, target: Article) -> RelatedPin:
    if target.pk == article.pk:
        raise RelatedControlError("An article cannot be related to itself.")
    pins = RelatedPin.objects.filter(article=article)
    if pins.filter(target=target).exists():
        raise RelatedControlError(f"“{target}” is already pinned.")
    if pins.count() >= MAX_PINS:
        raise RelatedControlError(f"At most {MAX_PINS} related articles can be pinned.")
    position = (pins.aggregate(top=Max("position"))["top"] or 0) + 1
    pin = RelatedPin.objects.create(article=article, target=target, position=position)
    RelatedExclusion.objects.filter(article=article, target=target).delete()
    related_list_recompute(article)
    return pin


@transaction.atomic
def related_exclude_add(*, article: Article, target: Article) -> RelatedExclusion:
    if target.pk == article.pk:
        raise RelatedControlError("An article cannot be related to itself.")
    exclusion, _ = RelatedExclusion.objects.get_or_create(article=article, target=target)
    RelatedPin.objects.filter(article=article, target=target).delete()
    related_list_recompute(article)
    return exclusion
