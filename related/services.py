"""Related content on the database: the index, one article's list, freshness, the page read.

Entry points:
- ``related_for_page(article)``: the page's read, one query.
- ``related_refresh(article_id)``: after a publish, edit, unpublish (called by the task).
- ``lists_to_refresh_for_deletion(article)``: before a deletion, the lists it affects.
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
from django.db.models import F, Max, QuerySet, Value
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
PIN_REASON = "pinned by an editor"
# A list is refreshed when a changed article scores within reach of its ``entry_score``:
# the last chosen item's score without diversity, else the last of the ``automatic * 4``
# candidates ``engine.choose`` picks among (its "head"; the depth must follow
# ``engine.choose``: the tests that compare every path with a full rebuild fail if it does
# not). The 1% margin only adds lists (ties, float order).
HEAD_DEPTH_FACTOR = 4
ENTRY_MARGIN = 0.01
# Every posting of the changed article's keys is summed (no shortlist cut).
REACH_ALL = 10_000_000


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
# --- The database index -------------------------------------------------------------------


def _days_of(article_ids: Iterable[int]) -> dict[int, float]:
    ids = list(article_ids)
    rows = Article.objects.filter(pk__in=ids).values_list("pk", "publish_at")
    return {pk: to_day(at) for pk, at in rows if at is not None}


def _recency(day: float, around: engine.Around) -> float:
    decay = 0.5 ** (abs(day - around.day) / around.half_life_days)
    return around.floor + (1.0 - around.floor) * decay


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
        return snapshot_lengths(keys, language)

    def shortlist(self, contribution, language, exclude, size, around=None):
        if not contribution:
            return [], {}
        if connection.vendor == "postgresql":
            return self._shortlist_sql(contribution, language, exclude, size, around)
        partial: dict[int, float] = {}
        rows = (
            RelatedFeature.objects.filter(key__in=list(contribution), language=language)
            .exclude(article_id=exclude)
            .values_list("article_id", "key", "weight")
        )
        get = partial.get
        for article_id, key, weight in rows:
            partial[article_id] = get(article_id, 0.0) + contribution[key] * weight
        days: dict[int, float] = {}
        rank = partial
        if around is not None:
            # Every candidate's date, to rank by sum times recency (as engine.score asks).
            days = _days_of(partial)
            rank = {pk: value * _recency(days[pk], around) for pk, value in partial.items()}
        top = heapq.nlargest(size, rank, key=lambda pk: (rank[pk], pk))
        if around is None:
            # Dates only for the shortlist: converting thousands of timestamps costs more.
            days = _days_of(top)
        return [(pk, partial[pk]) for pk in top], days

    def _shortlist_sql(self, contribution, language, exclude, size, around):
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
        params = [value for key in keys for value in (key, contribution[key])]
        params += [*keys, language, exclude]
        rank = "sums.total"
        if around is not None:
            rank = (
                "sums.total * (%s + (1 - %s) * power(0.5, "
                "abs(EXTRACT(EPOCH FROM a.publish_at)::float8 / 86400.0 - %s) / %s))"
            )
            params += [around.floor, around.floor, around.day, around.half_life_days]
        sql = (
            f"WITH sums AS (SELECT article_id, SUM(weight * CASE key {whens} END) AS total "
            f"FROM {feature} WHERE key IN ({marks}) AND language = %s "
            f"AND article_id IS DISTINCT FROM %s GROUP BY article_id) "
            f"SELECT sums.article_id, sums.total, a.publish_at FROM sums "
            f"JOIN {article} a ON a.id = sums.article_id "
            f"ORDER BY {rank} DESC NULLS LAST, sums.article_id DESC LIMIT %s"
        )
        params.append(size)
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


def snapshot_lengths(keys: Iterable[str], language: str) -> dict[str, int]:
    """Posting lengths of ``keys`` as of the last refit (``FeatureCount``); at least 1.

    A key the snapshot has not seen (a name or tag new since) counts as 1: read in full by
    the shortlist, weighed as a rare tag. See "The statistics snapshot" below.
    """
    keys = list(keys)
    known = dict(
        FeatureCount.objects.filter(key__in=keys, language=language).values_list("key", "n")
    )
    return {key: max(known.get(key, 1), 1) for key in keys}


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
    rows = list(
        RelatedFeature.objects.filter(article_id=article.pk).values_list(
            "key", "weight", "language", "published_at"
        )
    )
    if not rows:
        return None
    # Language and time as indexed: before a refresh they may differ from the row's new ones.
    _, _, language, published_at = rows[0]
    return Source(
        article_id=article.pk,
        language=language,
        day=to_day(published_at),
        keys={key: weight for key, weight, _, _ in rows},
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


# The statistics snapshot
# -----------------------
# Every weight the engine derives from the corpus (the text vectors' document frequencies and
# N, the tags' idf, the posting lengths that split rare keys from common ones) comes from a
# snapshot: ``TermStat`` and ``FeatureCount``, written by a refit (``rebuild(refit=True)``,
# what ``manage.py rebuild_related`` does) and by nothing else. A publish, edit, unpublish or
# deletion changes the index rows of one article and never the snapshot, so a refresh can
# store exactly what a rebuild would: a list depends only on the snapshot and on the index
# rows, and the refresh recomputes every list the changed rows can reach. Counting each
# publish into live statistics (what this did before) moved every other article's vector a
# little (N, df) and sometimes a lot (a word tied at another article's 24-term cut drops out
# when its df grows), which no refresh short of re-indexing everything can follow.
# The snapshot is refit nightly (``rebuild_related``) and whenever the number of candidate
# articles has drifted by more than ``REFIT_DRIFT`` from it (``statistics_drifted``: the
# task ``related.tasks.refit_related``); a word or tag the snapshot has not seen weighs as
# the rarest (df 0, posting length 1) until then.
REFIT_DRIFT = 0.05


def statistics_drifted() -> bool:
    """Whether the candidate articles now differ in number from the snapshot's N by more
    than ``REFIT_DRIFT`` (always, when there is no snapshot and there are candidates)."""
    snapshot = TermStat.objects.filter(term=TermStat.DOCS).values_list("df", flat=True).first()
    live = candidate_articles().count()
    return abs(live - (snapshot or 0)) > REFIT_DRIFT * (snapshot or 0)


def index_article(article: Article, weights: Weights) -> tuple[bool, Source]:
    """Replace the article's rows in the inverted index; returns whether it is a candidate,
    and its source (features) as indexed.

    The vector is built against the statistics snapshot, as a rebuild builds it; the
    snapshot itself does not move (see above).
    """
    eligible = candidate_articles().filter(pk=article.pk).exists()
    source, _ = source_for(article, weights)
    with transaction.atomic():
        # Two refreshes of one article serialise here (no duplicate rows).
        list(Article.objects.select_for_update().filter(pk=article.pk).values_list("pk"))
        RelatedFeature.objects.filter(article_id=article.pk).delete()
        if eligible:
            RelatedFeature.objects.bulk_create(feature_rows(article, source))
    return eligible, source


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


def entry_score(
    scored: list[Suggestion],
    chosen: list[Suggestion],
    *,
    excluded: Iterable[int],
    pins: list[tuple[int, str | None]],
    weights: Weights,
) -> float:
    """The lowest score with which a newcomer could still change this list.

    Without diversity (the default) the list is its best ``automatic`` candidates: one that
    scores below the last of them is not chosen and moves nothing. With diversity,
    ``engine.choose`` may pick anywhere in the best ``automatic * 4`` (not excluded, not
    pinned), so the bar is the last of those. With fewer candidates than that, any candidate
    above ``min_score`` can change the list.
    """
    if weights.diversity == 0:
        return chosen[-1].score if len(chosen) >= weights.automatic else weights.min_score
    blocked = set(excluded) | {target for target, _ in pins}
    head = [s.score for s in scored if s.article_id not in blocked]
    depth = weights.automatic * HEAD_DEPTH_FACTOR
    return head[depth - 1] if len(head) >= depth else weights.min_score


def list_rows(
    article_id: int,
    pins: list[tuple[int, str | None]],
    suggestions: list[Suggestion],
    *,
    now: dt.datetime,
) -> list[RelatedItem]:
    """The stored lines of one list: pins in order, then the automatic items."""
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
    return rows


def store_list(
    article_id: int,
    pins: list[tuple[int, str | None]],
    suggestions: list[Suggestion],
    *,
    now: dt.datetime | None = None,
    entry: float | None = None,
) -> None:
    """Atomically replace the stored list: readers see the old list or the new, never half.

    ``entry`` is the list's ``entry_score`` (None: unknown, every change refreshes it).
    """
    now = now or timezone.now()
    rows = list_rows(article_id, pins, suggestions, now=now)
    with transaction.atomic():
        # Serialise writers of one list (a live refresh and a running rebuild) on the article
        # row, so that neither deletes the other's fresh rows halfway.
        list(Article.objects.select_for_update().filter(pk=article_id).values_list("pk"))
        RelatedItem.objects.filter(article_id=article_id).delete()
        RelatedItem.objects.bulk_create(rows)
        RelatedState.objects.bulk_create(
            [RelatedState(article_id=article_id, entry_score=entry, computed_at=now)],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["entry_score", "computed_at"],
        )
        # Bulk writes send no signals: the article's page shows this list.
        invalidate_on_commit(reason="related list stored")


def compute_list(
    article: Article, weights: Weights | None = None, *, source: Source | None = None
) -> tuple[list[tuple[int, str | None]], list[Suggestion], float]:
    """Pins, chosen automatic items and the list's ``entry_score`` for one article."""
    weights = weights or get_weights()
    if source is None:
        # An indexed article's features are stored; a draft's come from its text.
        source = stored_source(article) or source_for(article, weights)[0]
    index = DbIndex()
    pins = pins_of(article.pk)
    excluded = exclusions_of(article.pk)
    scored = engine.score(source, index, weights)
    chosen = engine.choose(
        source,
        scored,
        index,
        excluded=excluded,
        pinned=pins,
        weights=weights,
    )
    entry = entry_score(scored, chosen, excluded=excluded, pins=pins, weights=weights)
    return pins, chosen, entry


def related_list_recompute(article: Article) -> list[Suggestion]:
    """Recompute and store one article's list (pins + automatic); returns the automatic part."""
    pins, chosen, entry = compute_list(article)
    store_list(article.pk, pins, chosen, entry=entry)
    return chosen


# --- Freshness -----------------------------------------------------------------------------
#
# Which lists can a change to article A alter? A list of article L is chosen from L's best
# candidates; A changes it only by entering or leaving that head, or by being in it while its
# score changes. The score is symmetric (shared tags weigh idf(tag) on both sides, the text
# part is a dot product, recency depends on |days apart|), so A's score in L's list is the
# sum over A's own features' postings, computed once from A's side for every L at a time.
# A refresh therefore recomputes: A's list; every list that shows A now; and every list L
# whose head A reaches (score >= L's stored ``entry_score``) with its features before the
# change and after it. Nothing is cut off at a count: the earlier "A's 40 best candidates,
# at most 60 lists, in id order" missed lists that A's own top 40 did not name (an older
# story's list is not ranked from A's side) and dropped the newest lists past 60.


def lists_within_reach(source: Source, weights: Weights) -> set[int]:
    """Lists (of indexed articles) whose head ``source``'s article reaches."""
    index = DbIndex()
    lengths = index.posting_lengths(source.keys, source.language)
    n_docs = max(index.n_docs(source.language), 1)
    # The engine's own per-key worth (engine.score uses the same), as it is.
    contribution = engine._contributions(source, lengths, n_docs, weights)
    floor = weights.min_score * (1 - ENTRY_MARGIN)
    reached = set()
    for article_id, relevance, day, entry in _reach_rows(
        contribution, source.language, source.article_id
    ):
        value = relevance * engine.recency(day - source.day, weights)
        if value >= floor and (entry is None or value >= entry * (1 - ENTRY_MARGIN)):
            reached.add(article_id)
    return reached


def _reach_rows(
    contribution: dict[str, float], language: str, exclude: int
) -> list[tuple[int, float, float, float | None]]:
    """Every article sharing a key: (id, Σ contribution * weight, day, its list's entry
    score). On PostgreSQL one query (sums, days and entry scores joined there)."""
    if not contribution:
        return []
    if connection.vendor != "postgresql":
        sums, days = DbIndex().shortlist(contribution, language, exclude, REACH_ALL)
        ids = [article_id for article_id, _ in sums]
        entries = {}
        for start in range(0, len(ids), 5000):
            entries.update(
                RelatedState.objects.filter(article_id__in=ids[start : start + 5000]).values_list(
                    "article_id", "entry_score"
                )
            )
        return [(pk, total, days[pk], entries.get(pk)) for pk, total in sums]
    keys = list(contribution)
    feature = connection.ops.quote_name(RelatedFeature._meta.db_table)
    article = connection.ops.quote_name(Article._meta.db_table)
    state = connection.ops.quote_name(RelatedState._meta.db_table)
    whens = " ".join(["WHEN %s THEN %s::float8"] * len(keys))
    sql = (
        f"WITH sums AS (SELECT article_id, SUM(weight * CASE key {whens} END) AS total "
        f"FROM {feature} WHERE key = ANY(%s) AND language = %s "
        f"AND article_id IS DISTINCT FROM %s GROUP BY article_id) "
        f"SELECT sums.article_id, sums.total, EXTRACT(EPOCH FROM a.publish_at)::float8, "
        f"s.entry_score FROM sums JOIN {article} a ON a.id = sums.article_id "
        f"LEFT JOIN {state} s ON s.article_id = sums.article_id"
    )
    params = [value for key in keys for value in (key, contribution[key])]
    params += [keys, language, exclude]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (pk, total, seconds / 86400.0, entry)
            for pk, total, seconds, entry in cursor.fetchall()
            if seconds is not None
        ]


def related_refresh(article_id: int) -> dict[str, int]:
    """After a publish, edit or unpublish: re-index the article, recompute its list and every
    list it enters, leaves or moves in (see above). Returns counts for logs and benchmarks."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return {"recomputed": 0}
    weights = get_weights()
    before = stored_source(article)
    affected = lists_within_reach(before, weights) if before is not None else set()
    eligible, source = index_article(article, weights)
    # Lists that show it now: its score there changed, or it must leave them (it has no
    # index rows any more if it is no longer a candidate, so the recomputation drops it).
    affected |= set(
        RelatedItem.objects.filter(target_id=article.pk, pinned=False).values_list(
            "article_id", flat=True
        )
    )
    if eligible:
        affected |= lists_within_reach(source, weights)
    affected.discard(article.pk)
    # Its own list with the others: one read of the postings, one transaction.
    recomputed = related_lists_refresh([article.pk, *affected], weights=weights)
    return {"recomputed": recomputed, "affected": len(affected)}


def lists_to_refresh_for_deletion(article: Article) -> list[int]:
    """Before ``article`` is deleted: the lists that show it or whose head it reaches."""
    affected = set(lists_showing([article.pk]))
    source = stored_source(article)
    if source is not None:
        affected |= lists_within_reach(source, get_weights())
    affected.discard(article.pk)
    return sorted(affected)


def related_lists_refresh(article_ids: Iterable[int], *, weights: Weights | None = None) -> int:
    """Recompute the stored lists of the given articles (those that still exist).

    Indexed articles' lists are ranked together against an in-memory copy of just the
    postings their features name (``rebuild.MemoryIndex``, the rebuild's own index, so the
    result is the rebuild's): a fixed handful of queries instead of ~15 per list (65 lists
    took 9.6 s one by one on the loaded benchmark machine). Others (drafts) one by one.
    """
    weights = weights or get_weights()
    ids = sorted(set(article_ids))
    indexed = _recompute_indexed(ids, weights)
    count = len(indexed)
    for other in Article.objects.filter(pk__in=[pk for pk in ids if pk not in indexed]):
        pins, chosen, entry = compute_list(other, weights)
        store_list(other.pk, pins, chosen, entry=entry)
        count += 1
    return count


def _recompute_indexed(ids: list[int], weights: Weights) -> set[int]:
    # Imported here: the rebuild module builds on this one.
    from related.rebuild import MemoryIndex, index_rows

    if not ids:
        return set()
    features: dict[int, dict[str, float]] = {}
    where: dict[int, tuple[str, float]] = {}  # article -> (language, day) as indexed
    for article_id, key, weight, language, day in index_rows(article_ids=ids):
        features.setdefault(article_id, {})[key] = weight
        where[article_id] = (language, day)
    if not features:
        return set()
    n_docs = {
        term.split(":", 1)[1]: df
        for term, df in TermStat.objects.filter(term__startswith=f"{TermStat.DOCS}:").values_list(
            "term", "df"
        )
    }
    keys_of: dict[str, set[str]] = {}
    for pk, keys in features.items():
        keys_of.setdefault(where[pk][0], set()).update(keys)
    lengths = {
        (language, key): n
        for language, keys in keys_of.items()
        for key, n in FeatureCount.objects.filter(key__in=keys, language=language).values_list(
            "key", "n"
        )
    }
    index = MemoryIndex(n_docs, {}, lengths)
    for language in sorted(keys_of):
        index.add_rows(index_rows(keys=sorted(keys_of[language]), language=language))
    index.freeze()
    pins: dict[int, list[tuple[int, str | None]]] = {}
    for article_id, target, country, group in (
        RelatedPin.objects.filter(article_id__in=list(features))
        .order_by("article_id", "position", "pk")
        .values_list(
            "article_id", "target_id", "target__primary_country_id", "target__primary_group_id"
        )
    ):
        pins.setdefault(article_id, []).append((target, engine.primary_key(country, group)))
    excluded: dict[int, set[int]] = {}
    for article_id, target in RelatedExclusion.objects.filter(
        article_id__in=list(features)
    ).values_list("article_id", "target_id"):
        excluded.setdefault(article_id, set()).add(target)
    names = tag_keys(list(features))
    now = timezone.now()
    scored_by: dict[int, tuple[Source, list[Suggestion]]] = {}
    for pk in sorted(features):
        language, day = where[pk]
        # Keys sorted, as the rebuild sorts them: the sums then add up in the same order.
        source = Source(
            article_id=pk,
            language=language,
            day=day,
            keys=dict(sorted(features[pk].items())),
            names=names[pk],
        )
        scored_by[pk] = (source, engine.score(source, index, weights))
    # Visibility and primary tags for the heads ``engine.choose`` will look at, in one
    # query (not for every article the postings name).
    heads: set[int] = set()
    for pk, (_, scored) in scored_by.items():
        blocked = excluded.get(pk, set()) | {pk} | {target for target, _ in pins.get(pk, [])}
        head = [s.article_id for s in scored if s.article_id not in blocked]
        heads.update(head[: weights.automatic * HEAD_DEPTH_FACTOR])
    index.meta.update(
        {
            pk: (language, engine.primary_key(country, group))
            for pk, language, country, group in candidate_articles()
            .filter(pk__in=sorted(heads))
            .values_list("pk", "language", "primary_country_id", "primary_group_id")
        }
    )
    planned = []
    for pk, (source, scored) in scored_by.items():
        chosen = engine.choose(
            source,
            scored,
            index,
            excluded=excluded.get(pk, ()),
            pinned=pins.get(pk, []),
            weights=weights,
        )
        entry = entry_score(
            scored, chosen, excluded=excluded.get(pk, ()), pins=pins.get(pk, []), weights=weights
        )
        planned.append((pk, pins.get(pk, []), chosen, entry))
    items = [
        item
        for pk, article_pins, chosen, _ in planned
        for item in list_rows(pk, article_pins, chosen, now=now)
    ]
    with transaction.atomic():
        # As store_list, for all of them in one transaction: readers see each list old or
        # new; the row locks serialise with a running rebuild (ids in order: no deadlock).
        ids = [pk for pk, *_ in planned]
        list(
            Article.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk")
        )
        RelatedItem.objects.filter(article_id__in=ids).delete()
        RelatedItem.objects.bulk_create(items)
        RelatedState.objects.bulk_create(
            [
                RelatedState(article_id=pk, entry_score=entry, computed_at=now)
                for pk, _, _, entry in planned
            ],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["entry_score", "computed_at"],
        )
        invalidate_on_commit(reason="related lists refreshed")
    return set(features)


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
