"""Related-content scale on PostgreSQL: compute, publish, rebuild and page-read figures.

    .venv/bin/python benchmarks/related_scale.py [--sizes 10000 100000] [--samples 200]

For each size, in a throwaway database (default ``newsroom_bench``, created and dropped here):
bulk-load a synthetic corpus (benchmarks/corpus.py), run the full rebuild (as
``manage.py rebuild_related`` does), then measure on the live database path:

- one article's list computation (p50/p95), and computation + atomic store;
- publishing one new, strongly related article: ``related_refresh`` (re-index it, its own
  list, and the other lists it enters), p50/p95 and how many lists were recomputed;
- the article page's related read: queries and time (p50/p95), and the whole page.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _bench
from benchmarks.corpus import generate


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--database-url", default=_bench.DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="Do not drop the last database.")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The scale benchmark runs on PostgreSQL.")
    first = True
    for size in args.sizes:
        print(f"\n=== {size} articles ===", flush=True)
        if first:
            _bench.setup_django(args.database_url)
            first = False
        else:
            from django.core.management import call_command
            from django.db import connections

            connections.close_all()
            _bench.recreate_database(args.database_url)
            call_command("migrate", verbosity=0)
        run(size, args)
    if not args.keep:
        _bench.drop_database(args.database_url)


def run(size: int, args) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from articles.models import Article, TaggedCountry, TaggedGroup, TaggedTopic
    from related.models import RelatedFeature, RelatedItem
    from related.rebuild import rebuild
    from related.services import compute_list, related_for_page, related_refresh, store_list

    corpus = generate(size, seed=11)
    with _bench.timed("generate + load corpus"):
        _bench.load(corpus)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    phases: dict[str, float] = {}
    last = {"phase": None, "at": time.perf_counter()}

    def progress(phase: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if phase != last["phase"]:
            if last["phase"] is not None:
                phases[last["phase"]] = now - last["at"]
            last["phase"], last["at"] = phase, now

    started = time.perf_counter()
    rebuild(progress=progress)
    total = time.perf_counter() - started
    phases[last["phase"]] = time.perf_counter() - last["at"]
    detail = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in phases.items())
    print(f"  full rebuild: {total:.1f}s ({detail})", flush=True)
    print(
        f"  index rows: {RelatedFeature.objects.count()}, "
        f"stored list rows: {RelatedItem.objects.count()}",
        flush=True,
    )
    # Steady state of a live site: autovacuum has run (index-only scans need the visibility map).
    with connection.cursor() as cursor:  # Django runs in autocommit mode here
        cursor.execute("VACUUM ANALYZE")

    rng = random.Random(5)
    public_ids = list(Article.objects.published().values_list("pk", flat=True))
    sample = [
        Article.objects.get(pk=pk)
        for pk in rng.sample(public_ids, min(args.samples, len(public_ids)))
    ]

    compute_times, store_times, query_counts = [], [], []
    for article in sample:
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            pins, chosen, _ = compute_list(article)
            t1 = time.perf_counter()
            store_list(article.pk, pins, chosen)
            t2 = time.perf_counter()
        compute_times.append(t1 - t0)
        store_times.append(t2 - t0)
        query_counts.append(len(queries))
    print(
        f"  one article's list: compute p50 {ms(_bench.percentile(compute_times, 50))}, "
        f"p95 {ms(_bench.percentile(compute_times, 95))}; compute + store p50 "
        f"{ms(_bench.percentile(store_times, 50))}, p95 {ms(_bench.percentile(store_times, 95))}"
        f" ({max(query_counts)} queries at most)",
        flush=True,
    )

    # Publishing: a new article continuing an existing story (copy its tags and most words).
    publish_times, recomputed = [], []
    for article in rng.sample(sample, min(args.publishes, len(sample))):
        new = Article.objects.create(
            title=f"Update: {article.title}"[:250],
            slug=f"bench-update-{article.pk}",
            dek=article.dek,
            body=article.body,
            section_id=article.section_id,
            language=article.language,
            status=Article.Status.DRAFT,
        )
        for model in (TaggedGroup, TaggedCountry, TaggedTopic):
            model.objects.bulk_create(
                [
                    model(content_object_id=new.pk, tag_id=tag_id)
                    for tag_id in model.objects.filter(content_object_id=article.pk).values_list(
                        "tag_id", flat=True
                    )
                ]
            )
        new.status = Article.Status.PUBLISHED
        new.publish_at = timezone.now()
        new.save()
        t0 = time.perf_counter()
        outcome = related_refresh(new.pk)
        publish_times.append(time.perf_counter() - t0)
        recomputed.append(outcome["recomputed"])
    print(
        f"  publish one article (its list + lists it enters): p50 "
        f"{ms(_bench.percentile(publish_times, 50))}, p95 "
        f"{ms(_bench.percentile(publish_times, 95))}; lists recomputed per publish: "
        f"median {_bench.percentile(recomputed, 50):.0f}, max {max(recomputed)}",
        flush=True,
    )

    read_times, read_queries = [], []
    for article in sample:
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            items = related_for_page(article)
            for item in items:  # what the template touches
                _ = (item.primary_tag, item.publish_at, item.title, item.get_absolute_url())
                _ = item.excerpt()
            read_times.append(time.perf_counter() - t0)
        read_queries.append(len(queries))
    print(
        f"  page's related read: {max(read_queries)} query (max over {len(sample)}), p50 "
        f"{ms(_bench.percentile(read_times, 50))}, p95 {ms(_bench.percentile(read_times, 95))}",
        flush=True,
    )

    client = Client()
    page_times, page_queries = [], set()
    for article in sample[:50]:
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(article.get_absolute_url())
            page_times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
        page_queries.add(len(queries))
    print(
        f"  whole article page: queries {sorted(page_queries)}, p50 "
        f"{ms(_bench.percentile(page_times, 50))}, p95 {ms(_bench.percentile(page_times, 95))}",
        flush=True,
    )


if __name__ == "__main__":
    main()
