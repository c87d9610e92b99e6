"""Related-content quality on several corpora: the engine before/after, baselines, P@3, nDCG@3.

    .venv/bin/python benchmarks/related_quality.py [--corpora tune sagas briefs held-out]
        [--queries 400] [--database-url URL] [--ablations] [--dump FILE] [--compare FILE]

For each corpus (``benchmarks/corpora.py``: ``tune`` is the one the weights were tuned on,
``held-out`` is drawn from a seed that was not run while tuning), in a throwaway database
(default PostgreSQL ``newsroom_bench_quality``; a ``sqlite:///...`` URL works too): load the
articles and tags into the real models, run the full rebuild with each engine variant, and read
the related block the way the article page does (``related_for_page``: stored lists, published
only). Query articles: published, in a story thread with at least three published siblings in
the same language, so that a perfect list exists (up to ``--queries``, sampled with a fixed
seed). For the three items shown:

- P@3: share from the same story thread (the ground truth; fewer than 3 items count as misses);
- nDCG@3, graded: 2 = same thread; 1 = same group and country within a year;
- errors by kind (decoy: same group, topics and period but another event; other story; noise),
  rule breaks (wrong language, not public, the article itself, fewer than 3 shown);
- for engine variants, "demoted": queries where a shown wrong item scored lower than a
  same-story item stored below the shown three (what diversity can do).

Baselines: django-taggit's ``similar_objects()`` summed over the three tag managers, filtered
to public same-language items (the best one can do with taggit plus filtering), and a simple
reference ranker (IDF-weighted shared tags + TF-IDF cosine of the text, times recency to the
query's date; no diversity), computed in memory from the same corpus.

``--dump`` writes the lists shown (by corpus key) to a JSON file; ``--compare`` reads such a
file and prints how many lists differ (PostgreSQL against SQLite, for example).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _bench
from benchmarks.corpora import HELDOUT_SEED, PROFILES, describe, generate, heldout

SEEDS = {"tune": 7, "sagas": 1, "briefs": 2, "held-out": HELDOUT_SEED}
# The engine as shipped before the second round (its weights then, spelled out so that later
# changes of the defaults do not move this row).
BEFORE = {
    "group": 3.0,
    "country": 1.2,
    "topic": 0.8,
    "text": 3.0,
    "entity": 0.0,
    "term_weighting": "tfidf",
    "half_life_days": 365.0,
    "recency_floor": 0.3,
    "diversity": 0.2,
    "max_terms": 24,
    "title_boost": 3,
    "dek_boost": 2,
}


def variants(ablations: bool) -> dict[str, dict]:
    from related.engine import Weights

    shipped = Weights()
    other_diversity = 0.2 if shipped.diversity == 0 else 0.0
    out = {
        "engine before (as shipped)": BEFORE,
        "engine after": {},
        f"engine after, diversity {other_diversity:g}": {"diversity": other_diversity},
    }
    if ablations:
        other_weighting = "tfidf" if shipped.term_weighting == "bm25" else "bm25"
        out |= {
            "before, diversity 0": {**BEFORE, "diversity": 0.0},
            "after without names": {"entity": 0.0},
            f"after with {other_weighting}": {"term_weighting": other_weighting},
            "after, half-life 60 d": {"half_life_days": 60.0},
            "after, no recency": {"recency_floor": 1.0},
            "after, tags halved": {
                "group": shipped.group / 2,
                "country": shipped.country / 2,
                "topic": shipped.topic / 2,
            },
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", default=[*PROFILES, "held-out"])
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument(
        "--database-url",
        default=_bench.DEFAULT_URL.replace("newsroom_bench", "newsroom_bench_quality"),
    )
    parser.add_argument("--ablations", action="store_true", help="Measure each signal too.")
    parser.add_argument("--only", nargs="*", help="Run only these system names.")
    parser.add_argument(
        "--try", dest="tries", nargs="*", default=[], help="Extra engine variants (JSON weights)."
    )
    parser.add_argument("--dump", help="Write the lists shown to this JSON file.")
    parser.add_argument("--compare", help="Compare the lists shown with this JSON dump.")
    args = parser.parse_args()

    first = True
    tables: dict[str, list[tuple]] = {}
    dump: dict = {}
    for name in args.corpora:
        profile = heldout() if name == "held-out" else PROFILES[name]
        mark = {"tune": " [tuned on]", "held-out": " [held out]"}.get(name, "")
        print(f"\n=== {describe(profile)}; seed {SEEDS[name]}{mark}", flush=True)
        if first:
            _bench.setup_django(args.database_url)
            first = False
        else:
            from django.core.management import call_command
            from django.db import connections

            connections.close_all()
            _bench.recreate_database(args.database_url)
            call_command("migrate", verbosity=0)
        tables[name + mark], dump[name] = run(profile, SEEDS[name], args)
    _bench.drop_database(args.database_url)

    print("\n=== Summary: P@3 / nDCG@3 per corpus")
    systems = list(next(iter(tables.values())))
    names = list(tables)
    width = max(len(s) for s in systems) + 2
    print(f"{'system':<{width}}" + "".join(f"{n:>24}" for n in names))
    for system in systems:
        cells = "".join(
            f"{tables[n][system][0]:>13.3f} / {tables[n][system][1]:.3f}" for n in names
        )
        print(f"{system:<{width}}{cells}")
    if args.dump:
        Path(args.dump).write_text(json.dumps(dump))
    if args.compare:
        other = json.loads(Path(args.compare).read_text())
        for corpus, by_system in dump.items():
            for system, lists in by_system.items():
                theirs = other.get(corpus, {}).get(system)
                if theirs is None:
                    continue
                differ = sum(1 for key, shown in lists.items() if theirs.get(key) != shown)
                print(f"compare {corpus} / {system}: {differ} of {len(lists)} lists differ")


def run(profile, seed: int, args) -> tuple[dict[str, tuple[float, float]], dict]:
    from django.utils import timezone

    from articles.models import Article
    from related.engine import weights_from
    from related.models import RelatedItem
    from related.rebuild import rebuild
    from related.services import related_for_page

    corpus = generate(profile, seed=seed)
    with _bench.timed("load corpus"):
        ids = _bench.load(corpus)
    key_of = {pk: key for key, pk in ids.items()}
    specs = corpus.articles
    now = timezone.now()

    def public(spec) -> bool:
        return spec.status == "published" and spec.publish_at <= now

    def gain(source, other) -> int:
        if other.language != source.language or not public(other) or other.key == source.key:
            return 0
        if other.thread is not None and other.thread == source.thread:
            return 2
        close = abs((other.publish_at - source.publish_at).days) <= 365
        shares = set(source.groups) & set(other.groups) and set(source.countries) & set(
            other.countries
        )
        return 1 if close and shares else 0

    members: dict[int, list] = defaultdict(list)
    by_group: dict[int, list] = defaultdict(list)
    for spec in specs:
        if spec.thread is not None:
            members[spec.thread].append(spec)
        for group in spec.groups:
            by_group[group].append(spec)
    queries = [
        spec
        for spec in specs
        if spec.thread is not None
        and public(spec)
        and sum(gain(spec, other) == 2 for other in members[spec.thread]) >= 3
    ]
    rng = random.Random(seed)
    if len(queries) > args.queries:
        queries = rng.sample(queries, args.queries)
    kinds = Counter(spec.kind for spec in specs)
    print(
        f"  {len(specs)} articles ({kinds['story']} in {len(members)} threads, "
        f"{kinds['decoy']} decoys, {kinds['noise']} noise), {len(queries)} query articles",
        flush=True,
    )

    def ideal(spec) -> list[int]:
        others = {o.key: o for o in members[spec.thread]}
        for group in spec.groups:
            others.update({o.key: o for o in by_group[group]})
        return sorted((gain(spec, o) for o in others.values()), reverse=True)[:3]

    articles = {a.pk: a for a in Article.objects.filter(pk__in=[ids[q.key] for q in queries])}
    results: dict[str, tuple[float, float]] = {}
    shown_lists: dict[str, dict[str, list[int]]] = {}

    header = (
        f"  {'system':<44} {'P@3':>6} {'nDCG@3':>7} {'decoy':>6} {'other':>6} {'noise':>6} "
        f"{'rules':>6} {'<3':>4} {'demoted':>7}"
    )

    def judge(name: str, lists: dict[int, list[int]], demoted: int | None) -> None:
        precision = ndcg = 0.0
        wrong: Counter[str] = Counter()
        broken = short = 0
        for spec in queries:
            shown = [specs[key] for key in lists[spec.key]]
            gains = [gain(spec, other) for other in shown]
            for other in shown:
                broken += (
                    other.language != spec.language or not public(other) or other.key == spec.key
                )
                if other.thread is None or other.thread != spec.thread:
                    wrong["other" if other.kind == "story" else other.kind] += 1
            short += len(shown) < 3
            precision += sum(1 for g in gains if g == 2) / 3
            dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
            best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal(spec)))
            ndcg += dcg / best if best else 0.0
        n = len(queries)
        results[name] = (precision / n, ndcg / n)
        shown_lists[name] = {str(k): v for k, v in lists.items()}
        print(
            f"  {name:<44} {precision / n:6.3f} {ndcg / n:7.3f} {wrong['decoy']:6} "
            f"{wrong['other']:6} {wrong['noise']:6} {broken:6} {short:4} "
            f"{'' if demoted is None else demoted:>7}",
            flush=True,
        )

    print(header)
    systems = variants(args.ablations) | {f"try {t}": json.loads(t) for t in args.tries}
    for name, overrides in systems.items():
        if args.only and name not in args.only and not name.startswith("try "):
            continue
        weights = weights_from(overrides)
        started = time.perf_counter()
        rebuild(weights=weights)
        elapsed = time.perf_counter() - started
        lists = {
            spec.key: [key_of[a.pk] for a in related_for_page(articles[ids[spec.key]])]
            for spec in queries
        }
        demoted = 0
        for spec in queries:
            stored = list(
                RelatedItem.objects.filter(article_id=ids[spec.key], pinned=False)
                .order_by("rank")
                .values_list("target_id", "score")
            )
            thread = spec.thread
            wrong_shown = [s for pk, s in stored[:3] if specs[key_of[pk]].thread != thread]
            right_below = [s for pk, s in stored[3:] if specs[key_of[pk]].thread == thread]
            demoted += bool(wrong_shown and right_below and min(wrong_shown) < max(right_below))
        judge(name, lists, demoted)
        print(f"    (rebuild {elapsed:.1f}s)", flush=True)

    if not args.only or "taggit, filtered" in args.only:
        judge(
            "taggit, filtered", {s.key: taggit(articles[ids[s.key]], key_of) for s in queries}, None
        )
    if not args.only or "reference ranker" in args.only:
        judge("reference ranker", reference(specs, queries, public), None)
    return results, shown_lists


def taggit(article, key_of) -> list[int]:
    """django-taggit's similar_objects() over the three managers, summed, public same-language."""
    counts: Counter[int] = Counter()
    objects = {}
    for manager in ("groups", "countries", "topics"):
        for obj in getattr(article, manager).similar_objects():
            counts[obj.pk] += obj.similar_tags
            objects[obj.pk] = obj
    ranked = sorted(counts, key=lambda pk: -counts[pk])  # stable: ties keep taggit's order
    ranked = [
        pk for pk in ranked if objects[pk].language == article.language and objects[pk].is_public
    ]
    return [key_of[pk] for pk in ranked[:3]]


_WORDS = re.compile(r"[^\W\d_]{3,}")


def reference(specs, queries, public) -> dict[int, list[int]]:
    """IDF tags + TF-IDF text (cosine) + recency to the query's date; ~30 lines, no tuning."""
    docs = [s for s in specs if public(s)]
    lists: dict[int, list[int]] = {}
    for language in {q.language for q in queries}:
        pool = [d for d in docs if d.language == language]
        n = len(pool)
        features = []  # per doc: {feature: weight}; tags as ("g", id), words as str
        for d in pool:
            text = " ".join([d.title] * 3 + [d.dek] * 2 + [re.sub("<[^>]+>", " ", d.body)])
            tf = Counter(w.lower() for w in _WORDS.findall(text))
            tags = [("g", g) for g in d.groups] + [("c", c) for c in d.countries]
            features.append((tf, tags + [("t", t) for t in d.topics]))
        df = Counter(f for tf, tags in features for f in [*tf, *tags])
        idf = {f: math.log(n / c) for f, c in df.items()}
        postings: dict = defaultdict(list)
        for i, (tf, tags) in enumerate(features):
            vec = {w: (1 + math.log(c)) * idf[w] for w, c in tf.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for w, v in vec.items():
                postings[w].append((i, v / norm))
            for t in tags:
                postings[t].append((i, idf[t] / math.log(n)))
        arrays = {
            f: (np.array([i for i, _ in p]), np.array([v for _, v in p]))
            for f, p in postings.items()
        }
        days = np.array([d.publish_at.timestamp() / 86400 for d in pool])
        where = {d.key: i for i, d in enumerate(pool)}
        for q in (q for q in queries if q.language == language):
            i = where[q.key]
            score = np.zeros(n)
            tf, tags = features[i]
            for f in [*tf, *tags]:
                idx, val = arrays[f]
                own = val[np.searchsorted(idx, i)]
                np.add.at(score, idx, own * val * (2.0 if isinstance(f, str) else 1.0))
            score *= 0.3 + 0.7 * 0.5 ** (np.abs(days - days[i]) / 365)
            score[i] = -1
            lists[q.key] = [pool[j].key for j in np.argsort(-score, kind="stable")[:3]]
    return lists


if __name__ == "__main__":
    main()
