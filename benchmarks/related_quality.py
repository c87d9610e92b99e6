"""Related-content quality: our engine against django-taggit's similar_objects().

    .venv/bin/python benchmarks/related_quality.py [--articles 3000] [--database-url URL]

Generates a corpus with known story threads plus noise (benchmarks/corpus.py) in a throwaway
database (default: PostgreSQL ``newsroom_bench_quality``, created and dropped here; a
``sqlite:///...`` URL works too), rebuilds the related lists, then, for every published article
that belongs to a thread, judges the three items a reader would see:

- precision@3: share of the three that belong to the same thread (same language, public);
- nDCG@3 with graded relevance: 2 = same thread; 1 = same group and country within a year;
- the rate of suggestions in the wrong language or not public (must be 0 for us).

Baselines from django-taggit, whose ``similar_objects()`` works per TaggableManager and
ranks by the number of shared tags only (no weighting, recency, language or status filter):
``taggit groups`` and ``taggit countries`` use one manager each; ``taggit all tags`` adds up the
shared-tag counts of the three managers; ``taggit all tags, filtered`` additionally drops
non-public and other-language items before taking the top 3 (the best one can do with
taggit plus hand-written filtering). Ties keep the order similar_objects() returns.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _bench
from benchmarks.corpus import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=600, help="Query articles sampled.")
    parser.add_argument(
        "--database-url",
        default=_bench.DEFAULT_URL.replace("newsroom_bench", "newsroom_bench_quality"),
    )
    parser.add_argument("--keep", action="store_true", help="Do not drop the database.")
    parser.add_argument(
        "--weights", default="", help="Engine overrides as JSON, e.g. '{\"diversity\": 0}'."
    )
    parser.add_argument("--skip-taggit", action="store_true", help="Only measure our engine.")
    args = parser.parse_args()

    print(f"Related-content quality, {args.articles} articles, seed {args.seed}")
    _bench.setup_django(args.database_url)
    try:
        run(args)
    finally:
        if not args.keep:
            _bench.drop_database(args.database_url)


def run(args) -> None:
    from django.utils import timezone

    from articles.models import Article
    from related.rebuild import rebuild
    from related.services import related_for_page

    if args.weights:
        from django.conf import settings

        settings.RELATED_WEIGHTS = json.loads(args.weights)
        print(f"  weights: {settings.RELATED_WEIGHTS}")
    corpus = generate(args.articles, seed=args.seed)
    with _bench.timed("load corpus"):
        ids = _bench.load(corpus)
    with _bench.timed("rebuild related lists"):
        rebuild()

    spec_of = {ids[s.key]: s for s in corpus.articles}
    now = timezone.now()

    def public(spec) -> bool:
        return spec.status == "published" and spec.publish_at <= now

    def gain(source, other) -> int:
        if other.language != source.language or not public(other):
            return 0
        if source.thread is not None and other.thread == source.thread:
            return 2
        close = abs((other.publish_at - source.publish_at).days) <= 365
        shares = set(source.groups) & set(other.groups) and set(source.countries) & set(
            other.countries
        )
        return 1 if close and shares else 0

    # The ideal list for each query: best available gains among public same-language articles.
    thread_members: dict[int, list] = defaultdict(list)
    by_group: dict[int, list] = defaultdict(list)
    for spec in corpus.articles:
        if spec.thread is not None:
            thread_members[spec.thread].append(spec)
        for group in spec.groups:
            by_group[group].append(spec)
    queries = [
        spec
        for spec in corpus.articles
        if spec.thread is not None
        and public(spec)
        and sum(
            1
            for other in thread_members[spec.thread]
            if other.key != spec.key and gain(spec, other) == 2
        )
        >= 1
    ]
    rng = random.Random(args.seed)
    if len(queries) > args.queries:
        queries = rng.sample(queries, args.queries)
    print(f"  {len(queries)} query articles (public, in a thread with a public sibling)")

    articles = {a.pk: a for a in Article.objects.filter(pk__in=[ids[q.key] for q in queries])}

    def ideal(spec) -> list[int]:
        # Any article with a gain is in the same thread or shares a group.
        others = {o.key: o for o in thread_members[spec.thread]}
        for group in spec.groups:
            others.update({o.key: o for o in by_group[group]})
        others.pop(spec.key, None)
        return sorted((gain(spec, other) for other in others.values()), reverse=True)[:3]

    systems: dict[str, callable] = {
        "our engine (page read)": lambda article: [a.pk for a in related_for_page(article)],
    }

    def by_shared(article, managers, filtered: bool) -> list[int]:
        counts: Counter[int] = Counter()
        objects = {}
        for name in managers:
            for obj in getattr(article, name).similar_objects():
                counts[obj.pk] += obj.similar_tags
                objects[obj.pk] = obj
        # Stable sort: among equal counts, keep the order similar_objects() returned.
        ranked = sorted(counts, key=lambda pk: -counts[pk])
        if filtered:
            ranked = [
                pk
                for pk in ranked
                if objects[pk].language == article.language and objects[pk].is_public
            ]
        return ranked[:3]

    if args.skip_taggit:
        systems_to_run = {"our engine (page read)": systems["our engine (page read)"]}
    systems["taggit groups"] = lambda a: by_shared(a, ["groups"], False)
    systems["taggit countries"] = lambda a: by_shared(a, ["countries"], False)
    systems["taggit all tags"] = lambda a: by_shared(a, ["groups", "countries", "topics"], False)
    systems["taggit all tags, filtered"] = lambda a: by_shared(
        a, ["groups", "countries", "topics"], True
    )

    print()
    header = (
        f"{'system':<28} {'P@3':>6} {'nDCG@3':>7} {'wrong lang':>10} {'not public':>10} {'ms/q':>6}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    if args.skip_taggit:
        systems = systems_to_run
    for name, system in systems.items():
        precision = ndcg = 0.0
        wrong_language = not_public = shown = 0
        started = time.perf_counter()
        for spec in queries:
            article = articles[ids[spec.key]]
            suggested = system(article)
            gains = []
            for pk in suggested:
                other = spec_of[pk]
                shown += 1
                wrong_language += other.language != spec.language
                not_public += not public(other)
                gains.append(gain(spec, other))
            precision += sum(1 for g in gains if g == 2) / 3
            dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
            best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal(spec)))
            ndcg += dcg / best if best else 0.0
        elapsed = (time.perf_counter() - started) * 1000 / len(queries)
        n = len(queries)
        results[name] = (precision / n, ndcg / n)
        print(
            f"{name:<28} {precision / n:6.3f} {ndcg / n:7.3f} "
            f"{wrong_language / max(shown, 1):10.1%} {not_public / max(shown, 1):10.1%} "
            f"{elapsed:6.1f}"
        )
    print()
    print(
        "P@3: share of the 3 shown items from the same story thread; nDCG@3: graded "
        "(thread 2, same group+country within a year 1); ms/q: read time per article "
        "(ours reads the stored list; taggit computes on the fly)."
    )


if __name__ == "__main__":
    main()
