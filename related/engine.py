"""The related-content ranking engine: pure scoring, no database.

How a candidate ``c`` scores for a source article ``a`` (all weights live in ``Weights``)::

    relevance = group   * Σ idf(g)  over shared criminal groups
              + country * Σ idf(k)  over shared countries
              + topic   * Σ idf(t)  over shared topics
              + text    * cosine(words(a), words(c))
              + entity  * cosine(names(a), names(c))
    score     = relevance * (floor + (1 - floor) * 0.5 ** (|days between a and c| / half_life))

``idf`` is normalised to 0..1 (``log(1 + N/df) / log(1 + N)``): a tag on 40% of the corpus adds
little, a tag on one article in a thousand adds nearly its full weight. ``words`` is the
article's top ``max_terms`` terms of title (boosted), dek (boosted) and body, weighted by TF-IDF
(or BM25) and L2-normalised, so their dot product is a cosine; ``names`` is the same for
capitalised names (people, places, operations: ``names_in``), normalised on its own. Names and
words outweigh tags: a decoy shares a story's group, topic and period, not its people. The
recency factor, relative to the source's own date, never falls below ``recency_floor``.

The final list is the best-scored candidates; an optional diversity step (off by default:
it cost precision in ``benchmarks/related_quality.py``) spreads primary tags but never moves
a candidate that names the source's people or places below one that does not.

Candidates come from an index (``CandidateIndex``): the database (``related.services``) or
memory (``related.rebuild``); both run this same code, so a rebuild equals per-article refreshes.
"""

from __future__ import annotations

import heapq
import html
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Protocol

# --- Weights: the one place to tune the ranking ----------------------------------------------


@dataclass(frozen=True)
class Weights:
    """Every knob of the ranking. Override any of them with ``settings.RELATED_WEIGHTS``."""

    # Signal strengths (multiply a normalised 0..1 idf, or a 0..1 cosine).
    # Measured on the "tune" corpus of benchmarks/related_quality.py (see docs in its table):
    # text and names outweigh tags, because decoys share a story's tags but not its words.
    group: float = 1.5  # a shared criminal group is the strongest editorial tag
    country: float = 0.6
    topic: float = 0.4
    text: float = 6.0
    # Names (people, places, operations: capitalised phrases), their own cosine. Names tell one
    # event from another where tags cannot: a decoy shares the group, topic and period.
    entity: float = 3.0
    max_entities: int = 12
    # "tfidf" (sublinear tf, smooth idf) or "bm25" (saturating tf, Robertson idf). BM25 measured
    # better (P@3 +0.01 on 3 of 4 corpora) but breaks "a refresh stores what a rebuild would"
    # (tests/related/test_freshness_paths.py): its idf is not smooth where df nears N.
    term_weighting: str = "tfidf"
    bm25_k1: float = 1.2
    # Recency relative to the source article: half the decaying share is lost every half-life.
    half_life_days: float = 365.0
    recency_floor: float = 0.3  # the share of relevance that never decays
    # Diversity: 0 = pure relevance. How much a candidate loses for repeating the primary tag of
    # an item already chosen; only among candidates of the same story evidence (see diversify).
    diversity: float = 0.0  # 0.2 measured: it cost precision on every corpus (see the table)
    # Two candidates "tell the same story" from this name cosine with the source.
    story_entity: float = 0.35
    # Text vectors.
    max_terms: int = 24
    title_boost: int = 3
    dek_boost: int = 2
    # Output.
    automatic: int = 6  # automatic items stored per article (3 shown; the rest absorb changes)
    min_score: float = 0.05  # below this a "suggestion" is noise
    similar_text: float = 0.12  # cosine from which the reason says "similar text"
    # Candidate retrieval bounds (the cost of one article's computation).
    posting_budget: int = 4000  # index rows read through rare features
    window: int = 60  # nearest-in-time articles taken from each over-long posting list
    common_keys: int = 3  # how many over-long tag postings get such a window
    shortlist: int = 100  # candidates scored exactly (200 measured no better)


def weights_from(overrides: Mapping[str, float] | None) -> Weights:
    if not overrides:
        return Weights()
    known = {f.name for f in fields(Weights)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"RELATED_WEIGHTS has unknown keys: {', '.join(sorted(unknown))}")
    return replace(Weights(), **overrides)


# --- Text ------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W\d_]{3,40}")
# Function words in our two languages, plus newsroom boilerplate that every story contains.
_STOPWORD_TEXT = """
    the and for that with this from have has had was were are been not but they their them
    his her its our you your who whom which what when where why how all any both each few more
    most other some such only own same than too very can will just should now also into over
    after before about against between through during under again further then once here there
    said says say one two three four five new year years would could may might must did does
    doing being out off own per via while because until upon within without among across
    according told reported report reports reporting news according officials official
    los las del por para con una uno unos unas que como más pero sus sin sobre este esta estos
    estas ese esa esos esas entre desde hasta según también fue han hay ser son está están
    había tiene tienen dijo donde cuando muy ya porque sido otro otra otros otras todo todos
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


# Names: capitalised words inside a sentence (its first word is capitalised anyway), joined
# into phrases across connectors ("Cártel de Sinaloa"). Stored as terms marked with ``~``.
ENTITY = "~"
_SENTENCE = re.compile(r"[.!?;:\n\"“”«»()\[\]]+")
_NAME_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CONNECTOR_TEXT = "de del la las los el y of the da do dos di van von"
_CONNECTORS = frozenset(_CONNECTOR_TEXT.split())
_NOT_NAMES_TEXT = """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday enero febrero marzo abril mayo
    junio julio agosto septiembre octubre noviembre diciembre lunes martes miércoles jueves
    viernes sábado domingo"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())


def names_in(text: str) -> list[str]:
    """Capitalised names of a plain text: every name word, and each adjacent pair of them.

    A sentence's first word is skipped (it is capitalised whatever it is), so "Juan Pérez
    said" at the start of a sentence yields "pérez" only; a pair still matches mid-sentence.
    """
    found: list[str] = []
    for sentence in _SENTENCE.split(text):
        run: list[str] = []
        for position, token in enumerate(_NAME_TOKEN.findall(sentence)):
            lower = token.lower()
            if lower in _CONNECTORS and run:
                continue  # "Cártel de Sinaloa": the pair skips the connector
            is_name = (
                position > 0
                and token[0].isupper()
                and len(lower) >= 3
                and lower not in STOPWORDS
                and lower not in _NOT_NAMES
            )
            if not is_name:
                run = []
                continue
            found.append(lower)
            if run:
                found.append(f"{run[-1]} {lower}")
            run.append(lower)
    return [name[:40] for name in found]


def _headline_case(title: str) -> bool:
    """No ordinary word in lower case: a Title Case Headline (or names only), whose capitals
    say nothing about names."""
    words = _NAME_TOKEN.findall(title)[1:]
    return not any(
        w[0].islower() and len(w) >= 4 and w not in _CONNECTORS and w not in STOPWORDS
        for w in words
    )


def term_counts(title: str, dek: str, body: str, weights: Weights) -> Counter[str]:
    """Term frequencies of an article, headline and dek counted several times.

    With the ``entity`` signal on, names are counted too, as ``~name`` terms.
    """
    plain = html.unescape(_TAG.sub(" ", body or ""))
    counts: Counter[str] = Counter(tokens(plain))
    for word in tokens(title or ""):
        counts[word] += weights.title_boost
    for word in tokens(dek or ""):
        counts[word] += weights.dek_boost
    if weights.entity:
        # Paragraph ends are sentence ends for names.
        sentences = html.unescape(_TAG.sub(". ", body or ""))
        counts.update(ENTITY + name for name in names_in(sentences))
        if title and not _headline_case(title):
            for name in names_in(title):
                counts[ENTITY + name] += weights.title_boost
        for name in names_in(dek or ""):
            counts[ENTITY + name] += weights.dek_boost
    return counts


def term_vector(
    counts: Mapping[str, int],
    df: Mapping[str, int],
    n_docs: int,
    max_terms: int,
    *,
    weighting: str = "tfidf",
    k1: float = 1.2,
) -> dict[str, float]:
    """Top ``max_terms`` term weights, L2-normalised.

    ``tfidf``: sublinear tf and smooth idf; ``bm25``: saturating tf (k1, no length
    normalisation: the vector is normalised anyway) and Robertson's idf.
    """
    if weighting == "bm25":
        # Frequencies are counted over both languages and N over one: a term more frequent than
        # N would get a negative idf, so it is floored at 0 (it then weighs nothing).
        scored = [
            (
                count
                * (k1 + 1)
                / (count + k1)
                * max(
                    0.0,
                    math.log(1 + (n_docs - df.get(term, 0) + 0.5) / (df.get(term, 0) + 0.5)),
                ),
                term,
            )
            for term, count in counts.items()
        ]
    elif weighting == "tfidf":
        scored = [
            (
                (1.0 + math.log(count)) * (math.log((1 + n_docs) / (1 + df.get(term, 0))) + 1.0),
                term,
            )
            for term, count in counts.items()
        ]
    else:
        raise ValueError(f"unknown term weighting {weighting!r}")
    top = heapq.nlargest(max_terms, scored)  # ties broken by term: deterministic
    norm = math.sqrt(sum(w * w for w, _ in top)) or 1.0
    return {term: w / norm for w, term in top}


def text_vector(
    counts: Mapping[str, int], df: Mapping[str, int], n_docs: int, weights: Weights
) -> dict[str, float]:
    """Words and names of an article as two vectors, each normalised on its own.

    Both live in the ``w:`` key space (names as ``w:~name``), so that the index, the term
    statistics and the shortlist treat them alike; the engine weighs them apart.
    """
    words = {t: c for t, c in counts.items() if not t.startswith(ENTITY)}
    vector = term_vector(
        words, df, n_docs, weights.max_terms, weighting=weights.term_weighting, k1=weights.bm25_k1
    )
    if weights.entity:
        names = {t: c for t, c in counts.items() if t.startswith(ENTITY)}
        vector.update(
            term_vector(
                names,
                df,
                n_docs,
                weights.max_entities,
                weighting=weights.term_weighting,
                k1=weights.bm25_k1,
            )
        )
    return vector


def tag_idf(df: int, n_docs: int) -> float:
    """0..1: 1 for a tag on one article, close to 0 for a tag on every article."""
    if n_docs <= 1:
        return 1.0
    return min(1.0, math.log(1 + n_docs / max(df, 1)) / math.log(1 + n_docs))


# --- Sources, candidates and the index protocol -------------------------------------------

TAG_KINDS = ("g", "c", "t")  # group, country, topic; "w" marks a text term, "e" a name
NAME_PREFIX = "w:" + ENTITY


def kind_of(key: str) -> str:
    return "e" if key.startswith(NAME_PREFIX) else key[0]


@dataclass
class Source:
    """What the engine needs to know about the article whose list is computed."""

    article_id: int
    language: str
    day: float  # days since the epoch of its publish time (or now, for a draft)
    keys: dict[str, float]  # feature key -> weight (1.0 for tags, TF-IDF for terms)
    names: dict[str, str] = field(default_factory=dict)  # tag key -> display name


@dataclass
class Suggestion:
    article_id: int
    score: float
    relevance: float = 0.0
    text: float = 0.0  # cosine of the words with the source's
    entity: float = 0.0  # cosine of the names with the source's
    day: float = 0.0
    primary: str | None = None
    shared: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass(frozen=True)
class Around:
    """Rank a shortlist by its sums times the recency factor to ``day`` (``recency``)."""

    day: float
    half_life_days: float
    floor: float

    @classmethod
    def of(cls, source: Source, weights: Weights) -> Around:
        return cls(source.day, weights.half_life_days, weights.recency_floor)


class CandidateIndex(Protocol):
    def n_docs(self, language: str) -> int: ...

    def posting_lengths(self, keys: Iterable[str], language: str) -> dict[str, int]: ...

    def shortlist(
        self,
        contribution: Mapping[str, float],
        language: str,
        exclude: int,
        size: int,
        around: Around | None = None,
    ) -> tuple[list[tuple[int, float]], Mapping[int, float]]:
        """Articles by Σ contribution[key] * weight over the given keys' postings.

        The ``size`` best as (article id, sum), best first, ties by higher id; and a mapping
        of article id -> day (days since the epoch of publication) covering them. With
        ``around``, "best" is the sum times its recency (``Around``), as the final score.
        """
        ...

    def nearest(
        self, key: str, language: str, day: float, limit: int, exclude: int
    ) -> Iterable[tuple[int, float]]: ...

    def memberships(
        self, article_ids: Iterable[int], keys: Iterable[str]
    ) -> Iterable[tuple[int, str, float]]: ...

    def eligible(self, article_ids: Iterable[int], language: str) -> dict[int, str | None]:
        """The ids that may be suggested (visibility re-checked), mapped to their primary tag."""
        ...


def primary_key(country_id: int | None, group_id: int | None) -> str | None:
    if group_id:
        return f"g:{group_id}"
    if country_id:
        return f"c:{country_id}"
    return None


def recency(days_apart: float, weights: Weights) -> float:
    decay = 0.5 ** (abs(days_apart) / weights.half_life_days)
    return weights.recency_floor + (1.0 - weights.recency_floor) * decay


def _kind_weight(kind: str, weights: Weights) -> float:
    return {
        "g": weights.group,
        "c": weights.country,
        "t": weights.topic,
        "w": weights.text,
        "e": weights.entity,
    }[kind]


def score(source: Source, index: CandidateIndex, weights: Weights) -> list[Suggestion]:
    """Every shortlisted candidate with its exact score, best first (not yet filtered)."""
    if not source.keys:
        return []
    language = source.language
    n_docs = max(index.n_docs(language), 1)
    lengths = index.posting_lengths(source.keys, language)
    contribution = _contributions(source, lengths, n_docs, weights)

    # Rare keys (short postings) are read in full: they carry the strongest evidence, and
    # their total is bounded by the budget. Long postings (a big country, a generic word) are
    # only checked for the shortlisted candidates, plus a window of stories near the source's
    # date so that an article tagged with nothing but "Mexico" still finds neighbours.
    rare: dict[str, float] = {}
    common: list[str] = []
    spent = 0
    for key in sorted(contribution, key=lambda k: (lengths[k], k)):
        if spent + lengths[key] <= weights.posting_budget:
            rare[key] = contribution[key]
            spent += lengths[key]
        else:
            common.append(key)

    # Ranked as the final score ranks (sum times recency), not by the sum alone: with the
    # sum alone, a strong match years away from the source could push out of the shortlist
    # a weaker one from its own week that would have made the list, and each publish (new
    # articles are far from old sources) moved old lists that the article itself never
    # entered, which a refresh cannot see (docs/related.md, Freshness).
    top, days = index.shortlist(
        rare, language, source.article_id, weights.shortlist, Around.of(source, weights)
    )
    partial = dict(top)
    shortlist = [article_id for article_id, _ in top]
    extra_days: dict[int, float] = {}
    if len(shortlist) < weights.shortlist:
        # Few candidates through rare keys: add stories near the source's date that share one
        # of its common tags (an article tagged only "Mexico" still finds its neighbours).
        window_keys = sorted(
            (k for k in common if kind_of(k) in TAG_KINDS), key=lambda k: (-contribution[k], k)
        )[: weights.common_keys]
        for key in window_keys:
            for article_id, day in index.nearest(
                key, language, source.day, weights.window, source.article_id
            ):
                if article_id not in partial:
                    extra_days[article_id] = day
        for article_id in sorted(extra_days, reverse=True)[: weights.shortlist - len(shortlist)]:
            partial[article_id] = 0.0
            shortlist.append(article_id)
    if common and shortlist:
        for article_id, key, weight in index.memberships(shortlist, common):
            partial[article_id] += contribution[key] * weight

    scored: list[Suggestion] = []
    for article_id in shortlist:
        relevance = partial[article_id]
        day = days[article_id] if article_id in days else extra_days[article_id]
        value = relevance * recency(day - source.day, weights)
        if value >= weights.min_score:
            scored.append(
                Suggestion(article_id=article_id, score=value, relevance=relevance, day=day)
            )
    scored.sort(key=lambda s: (-s.score, -s.day, s.article_id))
    return scored


def _contributions(
    source: Source, lengths: Mapping[str, int], n_docs: int, weights: Weights
) -> dict[str, float]:
    """What one shared key is worth for this source (the candidate's side is its weight)."""
    contribution: dict[str, float] = {}
    for key, own in source.keys.items():
        if not lengths.get(key):
            continue
        kind = kind_of(key)
        if kind in ("w", "e"):
            contribution[key] = _kind_weight(kind, weights) * own
        else:
            contribution[key] = _kind_weight(kind, weights) * tag_idf(lengths[key], n_docs)
    return contribution


def choose(
    source: Source,
    scored: list[Suggestion],
    index: CandidateIndex,
    *,
    excluded: Iterable[int] = (),
    pinned: Iterable[tuple[int, str | None]] = (),
    weights: Weights,
) -> list[Suggestion]:
    """The automatic items to store: not excluded or pinned, visible, diversified, explained."""
    pins = list(pinned)
    blocked = set(excluded) | {source.article_id} | {article_id for article_id, _ in pins}
    head = [s for s in scored if s.article_id not in blocked][: weights.automatic * 4]
    # Visibility and language are re-checked here (the index may lag behind an edit).
    allowed = index.eligible([s.article_id for s in head], source.language)
    head = [s for s in head if s.article_id in allowed]
    for suggestion in head:
        suggestion.primary = allowed[suggestion.article_id]
    # What each candidate shares with the source: diversity reads the name cosine (story
    # evidence), reasons read all of it. One read for the short head, not the hot loop.
    by_id = {s.article_id: s for s in head}
    shared: dict[int, list[str]] = defaultdict(list)
    for article_id, key, weight in index.memberships(list(by_id), list(source.keys)):
        shared[article_id].append(key)
        kind = kind_of(key)
        if kind == "w":
            by_id[article_id].text += source.keys[key] * weight
        elif kind == "e":
            by_id[article_id].entity += source.keys[key] * weight
    for suggestion in head:
        suggestion.shared = sorted(shared[suggestion.article_id], key=lambda k: (kind_rank(k), k))
    chosen = diversify(head, [primary for _, primary in pins], weights)
    for suggestion in chosen:
        suggestion.reason = explain(suggestion, source.names, weights)
    return chosen


def kind_rank(key: str) -> int:
    """Reasons name groups first, then countries, then topics."""
    return {"g": 0, "c": 1, "t": 2}.get(kind_of(key), 3)


def rank(
    source: Source,
    index: CandidateIndex,
    *,
    excluded: Iterable[int] = (),
    pinned: Iterable[tuple[int, str | None]] = (),
    weights: Weights,
) -> list[Suggestion]:
    """The automatic suggestions for ``source``, best first, diversified, with reasons."""
    scored = score(source, index, weights)
    return choose(source, scored, index, excluded=excluded, pinned=pinned, weights=weights)


def story_evidence(suggestion: Suggestion, weights: Weights) -> bool:
    """The candidate names the source's people, places or operation: likely the same story."""
    return weights.entity > 0 and suggestion.entity >= weights.story_entity


def diversify(
    ranked: list[Suggestion], chosen_primaries: list[str | None], weights: Weights
) -> list[Suggestion]:
    """Maximal marginal relevance on the primary tag, never across story evidence.

    ``(1 - diversity) * score/best - diversity * [primary tag already chosen]``: a story whose
    primary tag is already on the list must be clearly better than an alternative to stay
    ahead of it. But a candidate may only move ahead of better-scored ones that have no more
    story evidence than itself (``story_evidence``): diversity never pushes an item that names
    the source's people or places below one that does not.
    """
    if not ranked:
        return []
    best = max(s.score for s in ranked) or 1.0
    seen = {p for p in chosen_primaries if p}
    pool = sorted(ranked, key=lambda s: (-s.score, -s.day, s.article_id))
    picked: list[Suggestion] = []
    while pool and len(picked) < weights.automatic:

        def marginal(s: Suggestion) -> float:
            repeat = 1.0 if s.primary is not None and s.primary in seen else 0.0
            return (1 - weights.diversity) * s.score / best - weights.diversity * repeat

        # Who may be picked now: no better-scored candidate left has stronger evidence.
        allowed: list[Suggestion] = []
        strongest = False
        for s in pool:
            evidence = story_evidence(s, weights)
            if evidence or not strongest:
                allowed.append(s)
            strongest = strongest or evidence
        top = max(allowed, key=lambda s: (marginal(s), s.score, -s.article_id))
        pool.remove(top)
        picked.append(top)
        if top.primary:
            seen.add(top.primary)
    return picked


def display_name(key: str) -> str:
    """``w:~juan pérez`` -> ``Juan Pérez`` (connectors stay lower case)."""
    words = key[len(NAME_PREFIX) :].split()
    return " ".join(w if w in _CONNECTORS else w[:1].upper() + w[1:] for w in words)


def explain(suggestion: Suggestion, names: Mapping[str, str], weights: Weights) -> str:
    """A short human reason built from the signals that scored: "names Juan Pérez; shares
    Zetas, Guatemala; similar text". A signal whose weight is 0 is never named.
    """
    parts = []
    people = [
        display_name(k)
        for k in suggestion.shared
        if kind_of(k) == "e" and weights.entity > 0 and " " in k[len(NAME_PREFIX) :]
    ] or [display_name(k) for k in suggestion.shared if kind_of(k) == "e" and weights.entity > 0]
    if people:
        parts.append("names " + ", ".join(people[:3]) + (" and more" if len(people) > 3 else ""))
    tags = [
        names[k]
        for k in suggestion.shared
        if kind_of(k) in TAG_KINDS and k in names and _kind_weight(kind_of(k), weights) > 0
    ]
    if tags:
        parts.append("shares " + ", ".join(tags[:3]) + (" and more" if len(tags) > 3 else ""))
    if weights.text > 0 and suggestion.text >= weights.similar_text:
        parts.append("similar text")
    if not parts:
        parts.append("related words")
    return "; ".join(parts)
