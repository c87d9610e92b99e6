"""Recompute every related list: the engine of ``manage.py rebuild_related``.

Three phases, each resumable from a checkpoint row (``RebuildCheckpoint``):

1. ``stats`` (a refit only): the statistics snapshot, exact term document frequencies and N
   over all candidate articles (``TermStat``).
2. ``index``: every article's ``RelatedFeature`` rows, replaced batch by batch, built against
   the snapshot; a refit then recounts the posting lengths (``FeatureCount``). Without a
   refit (checkpoint phase ``reindex``) the snapshot is left as it is.
3. ``rank``: every article's list, ranked against an in-memory copy of the index (the same
   ``engine`` code as a live refresh, with no query per article), replaced batch by batch.

Without a refit the result is what live refreshes store (services: "The statistics
snapshot"); a refit moves every weight a little.

Safe while the site serves: each batch replaces its articles' rows in one transaction, so a
reader sees an article's old list or its new one, never a mix; live refreshes keep running and
are serialised with the rebuild on the article row (see ``services.store_list``).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article
from newsroom.pagecache import invalidate_on_commit
from related import engine
from related.engine import Source, Weights
from related.models import (
    FeatureCount,
    RebuildCheckpoint,
    RelatedExclusion,
    RelatedFeature,
    RelatedItem,
    RelatedPin,
    RelatedState,
    TermStat,
)
from related.services import (
    PIN_REASON,
    build_source,
    candidate_articles,
    entry_score,
    get_weights,
    tag_keys,
    to_day,
)

CHECKPOINT = "rebuild_related"
PHASES = ("stats", "index", "reindex", "rank")
Progress = Callable[[str, int, int], None]


class MemoryIndex:
    """``engine.CandidateIndex`` over an in-memory copy of ``RelatedFeature``."""

    def __init__(
        self,
        n_docs: dict[str, int],
        meta: dict[int, tuple[str, str | None]],
        lengths: dict[tuple[str, str], int],
    ):
        self._n_docs = n_docs
        self.meta = meta  # candidate id -> (language, primary tag key)
        self.lengths = lengths  # (language, key) -> posting length in the snapshot
        self.features: dict[int, dict[str, float]] = defaultdict(dict)
        self.day_of: dict[int, float] = {}
        self._postings: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
        self._days: dict[tuple[str, str], list[float]] = {}
        self._arrays: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    @classmethod
    def load(cls) -> MemoryIndex:
        n_docs = {
            term.split(":", 1)[1]: df
            for term, df in TermStat.objects.filter(
                term__startswith=f"{TermStat.DOCS}:"
            ).values_list("term", "df")
        }
        meta = {
            pk: (language, engine.primary_key(country, group))
            for pk, language, country, group in candidate_articles().values_list(
                "pk", "language", "primary_country_id", "primary_group_id"
            )
        }
        lengths = {
            (language, key): n
            for key, language, n in FeatureCount.objects.values_list("key", "language", "n")
        }
        index = cls(n_docs, meta, lengths)
        index.add_rows(index_rows())
        index.freeze()
        return index

    def add_rows(self, rows: Iterable[tuple[int, str, float, str, float]]) -> None:
        """Add index rows as ``index_rows`` yields them (the day already converted)."""
        features, day_of, postings = self.features, self.day_of, self._postings
        for article_id, key, weight, language, day in rows:
            features[article_id][key] = weight
            day_of[article_id] = day
            postings[(language, key)].append((article_id, weight))

    def freeze(self) -> None:
        """Sort each posting list by date so ``nearest`` can bisect it."""
        day_of = self.day_of
        for key, postings in self._postings.items():
            postings.sort(key=lambda p: (day_of[p[0]], p[0]))
            self._days[key] = [day_of[aid] for aid, _ in postings]
            self._arrays[key] = (
                np.fromiter((aid for aid, _ in postings), dtype=np.int64, count=len(postings)),
                np.fromiter((w for _, w in postings), dtype=np.float64, count=len(postings)),
                np.array(self._days[key], dtype=np.float64),
            )

    # engine.CandidateIndex
    def n_docs(self, language: str) -> int:
        return self._n_docs.get(language, 0)

    def posting_lengths(self, keys, language):
        # The snapshot's, as ``services.snapshot_lengths`` reads them (unseen keys count 1).
        lengths = self.lengths
        return {key: max(lengths.get((language, key), 1), 1) for key in keys}

    def shortlist(self, contribution, language, exclude, size, around=None):
        # The hot path of a rebuild, in numpy: one concatenation, one grouped sum, one sort.
        id_parts = []
        weight_parts = []
        day_parts = []
        for key, worth in contribution.items():
            arrays = self._arrays.get((language, key))
            if arrays is not None:
                id_parts.append(arrays[0])
                weight_parts.append(arrays[1] * worth)
                day_parts.append(arrays[2])
        if not id_parts:
            return [], self.day_of
        ids, first, inverse = np.unique(
            np.concatenate(id_parts), return_index=True, return_inverse=True
        )
        sums = np.bincount(inverse, weights=np.concatenate(weight_parts))
        keep = ids != exclude
        ids, sums = ids[keep], sums[keep]
        rank = sums
        if around is not None:
            days = np.concatenate(day_parts)[first][keep]
            decay = np.power(0.5, np.abs(days - around.day) / around.half_life_days)
            rank = sums * (around.floor + (1.0 - around.floor) * decay)
        order = np.lexsort((ids, rank))[::-1][:size]  # by rank, then id, both descending
        return list(zip(ids[order].tolist(), sums[order].tolist(), strict=True)), self.day_of

    def nearest(self, key, language, day, limit, exclude):
        postings = self._postings.get((language, key), [])
        days = self._days.get((language, key), [])
        split = bisect.bisect_right(days, day)
        # Same halves as the database: up to ``limit`` on or before the day, ``limit`` after.
        before = [p for p in reversed(postings[max(0, split - limit - 1) : split])]
        before = [p for p in before if p[0] != exclude][:limit]
        after = [p for p in postings[split : split + limit + 1] if p[0] != exclude][:limit]
        return [(aid, self.day_of[aid]) for aid, _ in before + after]

    def memberships(self, article_ids, keys):
        keys = list(keys)
        for article_id in article_ids:
            features = self.features.get(article_id, {})
            for key in keys:
                if key in features:
                    yield article_id, key, features[key]

    def eligible(self, article_ids, language):
        result = {}
        for article_id in article_ids:
            meta = self.meta.get(article_id)
            if meta is not None and meta[0] == language:
                result[article_id] = meta[1]
        return result


def index_rows(
    *,
    article_ids: list[int] | None = None,
    keys: list[str] | None = None,
    language: str | None = None,
) -> Iterator[tuple[int, str, float, str, float]]:
    """``RelatedFeature`` rows as (article id, key, weight, language, day), all of them or
    those of some articles, or of some keys in one language.

    On PostgreSQL one plain query whose day comes out of the database as a float (epoch
    seconds, exact to the microsecond, divided here as ``to_day`` divides): a refresh reads
    tens of thousands of rows, and building a ``datetime`` for each cost more than the
    ranking. Elsewhere the ORM and ``to_day``; both give the same days.
    """
    if connection.vendor != "postgresql":
        rows = RelatedFeature.objects.order_by()
        if article_ids is not None:
            rows = rows.filter(article_id__in=article_ids)
        if keys is not None:
            rows = rows.filter(key__in=keys, language=language)
        for article_id, key, weight, lang, published_at in rows.values_list(
            "article_id", "key", "weight", "language", "published_at"
        ).iterator(chunk_size=20_000):
            yield article_id, key, weight, lang, to_day(published_at)
        return
    table = connection.ops.quote_name(RelatedFeature._meta.db_table)
    sql = (
        f"SELECT article_id, key, weight, language, "
        f"EXTRACT(EPOCH FROM published_at)::float8 FROM {table}"
    )
    params: list = []
    if article_ids is not None:
        sql += " WHERE article_id = ANY(%s)"
        params = [list(article_ids)]
    elif keys is not None:
        sql += " WHERE key = ANY(%s) AND language = %s"
        params = [list(keys), language]
    # The whole index (a rebuild) through a server-side cursor: never all in memory at once.
    everything = article_ids is None and keys is None
    with connection.chunked_cursor() if everything else connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20_000):
            for article_id, key, weight, lang, seconds in batch:
                yield article_id, key, weight, lang, seconds / 86400.0


def bulk_insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert plain tuples fast: COPY on PostgreSQL (no model instances), bulk_create elsewhere.

    A rebuild writes tens of rows per article; building Django model instances for them
    cost more than the ranking itself.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        opts = model._meta
        columns = ", ".join(
            connection.ops.quote_name(opts.get_field(name).column) for name in fields
        )
        table = connection.ops.quote_name(opts.db_table)
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    attnames = [model._meta.get_field(name).attname for name in fields]
    model.objects.bulk_create(
        [model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=2000
    )


FEATURE_FIELDS = ["article", "key", "weight", "language", "published_at"]
ITEM_FIELDS = ["article", "target", "rank", "score", "reason", "pinned", "computed_at"]


def _checkpoint(phase: str, last_id: int) -> None:
    RebuildCheckpoint.objects.update_or_create(
        name=CHECKPOINT, defaults={"phase": phase, "last_id": last_id}
    )


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def phase_stats(weights: Weights, progress: Progress) -> None:
    df: Counter[str] = Counter()
    n_docs: Counter[str] = Counter()
    rows = candidate_articles().order_by().values_list("language", "title", "dek", "body")
    total = candidate_articles().count()
    done = 0
    for language, title, dek, body in rows.iterator(chunk_size=2000):
        df.update(engine.term_counts(title, dek, body, weights).keys())
        n_docs[language] += 1
        done += 1
        if done % 1000 == 0:
            progress("stats", done, total)
    progress("stats", done, total)
    stats = [TermStat(term=term, df=count) for term, count in df.items()]
    stats.append(TermStat(term=TermStat.DOCS, df=sum(n_docs.values())))
    stats += [TermStat(term=f"{TermStat.DOCS}:{lang}", df=n) for lang, n in n_docs.items()]
    eligible = list(candidate_articles().values_list("pk", flat=True))
    with transaction.atomic():
        TermStat.objects.all().delete()
        TermStat.objects.bulk_create(stats, batch_size=5000)
        RelatedState.objects.all().delete()
        RelatedState.objects.bulk_create(
            [RelatedState(article_id=pk) for pk in eligible],
            batch_size=5000,
        )
        _checkpoint("index", 0)


def phase_index(
    weights: Weights, progress: Progress, *, after: int, batch: int, refit: bool
) -> None:
    df = dict(TermStat.objects.values_list("term", "df"))
    ids = list(Article.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True))
    done = 0
    total = len(ids)
    for chunk in _batches(ids, batch):
        eligible = set(candidate_articles().filter(pk__in=chunk).values_list("pk", flat=True))
        names = tag_keys(eligible)
        rows: list[tuple] = []
        articles = Article.objects.filter(pk__in=eligible).only(
            "pk", "language", "publish_at", "title", "dek", "body"
        )
        for article in articles:
            counts = engine.term_counts(article.title, article.dek, article.body, weights)
            n_docs = df.get(f"{TermStat.DOCS}:{article.language}", 0)
            source = build_source(article, names[article.pk], counts, df, n_docs, weights)
            rows += [
                (article.pk, key, weight, article.language, article.publish_at)
                for key, weight in source.keys.items()
            ]
        with transaction.atomic():
            RelatedFeature.objects.filter(article_id__in=chunk).delete()
            bulk_insert(RelatedFeature, FEATURE_FIELDS, rows)
            _checkpoint("index" if refit else "reindex", chunk[-1])
        done += len(chunk)
        progress("index", done, total)
    if refit:
        _recount_features()  # the posting lengths of the snapshot
    _checkpoint("rank", 0)


def _recount_features() -> None:
    """Exact posting lengths from the index, in one statement."""
    counts = connection.ops.quote_name(FeatureCount._meta.db_table)
    features = connection.ops.quote_name(RelatedFeature._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {counts}")
        cursor.execute(
            f"INSERT INTO {counts} (key, language, n) "
            f"SELECT key, language, COUNT(*) FROM {features} GROUP BY key, language"
        )


def phase_rank(weights: Weights, progress: Progress, *, after: int, batch: int) -> None:
    progress("loading index", 0, 0)
    index = MemoryIndex.load()
    df = dict(TermStat.objects.values_list("term", "df"))
    pins: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for article_id, target, country, group in RelatedPin.objects.order_by(
        "article_id", "position", "pk"
    ).values_list(
        "article_id", "target_id", "target__primary_country_id", "target__primary_group_id"
    ):
        pins[article_id].append((target, engine.primary_key(country, group)))
    excluded: dict[int, set[int]] = defaultdict(set)
    for article_id, target in RelatedExclusion.objects.values_list("article_id", "target_id"):
        excluded[article_id].add(target)

    rows = list(
        Article.objects.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "language", "publish_at")
    )
    total = len(rows)
    done = 0
    now = timezone.now()
    for chunk in _batches(rows, batch):
        ids = [pk for pk, _, _ in chunk]
        names = tag_keys(ids)
        # Sources of candidates come from the index itself; others (drafts) from their text.
        others = {
            article.pk: article
            for article in Article.objects.filter(
                pk__in=[i for i in ids if i not in index.meta]
            ).only("pk", "language", "publish_at", "title", "dek", "body")
        }
        planned: list[tuple[int, list[tuple[int, float, str, bool]]]] = []
        entries: list[tuple[int, float]] = []  # each list's entry score (freshness)
        for pk, language, publish_at in chunk:
            if pk in others:
                article = others[pk]
                counts = engine.term_counts(article.title, article.dek, article.body, weights)
                n_docs = index.n_docs(language)
                source = build_source(article, names[pk], counts, df, n_docs, weights)
            else:
                source = Source(
                    article_id=pk,
                    language=language,
                    day=to_day(publish_at or now),
                    # Sorted, as a refresh sorts them: the sums then add up in one order.
                    keys=dict(sorted(index.features.get(pk, {}).items())),
                    names=names[pk],
                )
            scored = engine.score(source, index, weights)
            chosen = engine.choose(
                source,
                scored,
                index,
                excluded=excluded.get(pk, ()),
                pinned=pins.get(pk, []),
                weights=weights,
            )
            entry = entry_score(
                scored,
                chosen,
                excluded=excluded.get(pk, ()),
                pins=pins.get(pk, []),
                weights=weights,
            )
            entries.append((pk, entry))
            lines = [(target, 0.0, PIN_REASON, True) for target, _ in pins.get(pk, [])]
            lines += [(c.article_id, round(c.score, 6), c.reason[:200], False) for c in chosen]
            planned.append((pk, lines))
        # The in-memory index is a snapshot: drop targets that stopped being candidates (or
        # were deleted) while we ranked, so the rebuild never re-adds an unpublished story.
        targets = {target for _, lines in planned for target, _, _, pinned in lines if not pinned}
        still = set(candidate_articles().filter(pk__in=targets).values_list("pk", flat=True))
        items = [
            (pk, target, rank, value, reason, pinned, now)
            for pk, lines in planned
            for rank, (target, value, reason, pinned) in enumerate(
                line for line in lines if line[3] or line[0] in still
            )
        ]
        with transaction.atomic():
            list(Article.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
            RelatedItem.objects.filter(article_id__in=ids).delete()
            bulk_insert(RelatedItem, ITEM_FIELDS, items)
            RelatedState.objects.bulk_create(
                [RelatedState(article_id=pk, entry_score=e, computed_at=now) for pk, e in entries],
                update_conflicts=True,
                unique_fields=["article"],
                update_fields=["entry_score", "computed_at"],
            )
            invalidate_on_commit(reason="related lists rebuilt")
            _checkpoint("rank", ids[-1])
        done += len(chunk)
        progress("rank", done, total)


def rebuild(
    *,
    resume: bool = False,
    batch: int = 500,
    progress: Progress | None = None,
    weights: Weights | None = None,
    refit: bool | None = None,
) -> None:
    """Recompute the index and every list; ``resume`` continues an interrupted run.

    ``refit=True`` first recomputes the statistics snapshot from the corpus, which moves
    every weight a little (the nightly ``rebuild_related --refit``); ``False`` recomputes
    the index and every list against the snapshot as it is, which is what each live refresh
    does (``services``: "The statistics snapshot"), so the two store the same lists. The
    default (``None``, plain ``rebuild_related``) refits only when the snapshot is missing
    or has drifted (``statistics_drifted``): a rebuild then gives exactly the lists that
    publishing kept, and a new corpus gets its statistics.
    """
    if refit is None:
        from related.services import statistics_drifted

        refit = statistics_drifted()
    weights = weights or get_weights()
    report = progress or (lambda phase, done, total: None)
    state = RebuildCheckpoint.objects.filter(name=CHECKPOINT).first() if resume else None
    if state is not None:
        phase, last_id = state.phase, state.last_id
    else:
        phase, last_id = ("stats" if refit else "reindex"), 0
    if phase == "stats":
        phase_stats(weights, report)
        phase, last_id = "index", 0
    if phase in ("index", "reindex"):
        phase_index(weights, report, after=last_id, batch=batch, refit=phase == "index")
        phase, last_id = "rank", 0
    if phase == "rank":
        phase_rank(weights, report, after=last_id, batch=batch)
    RebuildCheckpoint.objects.filter(name=CHECKPOINT).delete()
