"""Freshness of related lists after a publish, on a 10k-article corpus (PostgreSQL).

    .venv/bin/python benchmarks/related_freshness.py [--size 10000] [--publishes 20]

Loads the benchmark corpus (benchmarks/corpus.py: story threads, decoys, drafts inside
threads), rebuilds every list, then publishes ``--publishes`` unpublished thread articles one
after another through the real admin (an editor's "Publish now" action, Django's test client)
twice:

- **immediate**: the immediate task backend (``make run``, tests): the refresh runs after the
  commit inside the editor's request, so the request time is also the time to fresh lists.
- **worker**: the database queue (production) and a real ``manage.py db_worker`` process:
  the request only enqueues; fresh = the refresh task's ``finished_at`` - the request start.

After each round it compares every stored list of a published or scheduled article with a
full rebuild of the same rows against the same statistics snapshot (``rebuild(refit=False)``,
see docs/related.md "Freshness"): the lists each published article is in (must be the same
set) and every list exactly (items, order, scores). ``--refit`` also compares with a refit
rebuild (``rebuild_related``'s default), which moves the statistics. Prints p50/p95 of both
times and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _bench
from benchmarks.corpus import generate

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench_freshness"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The production worker's polling interval (README "Background tasks", docs/deploy.md).
WORKER_INTERVAL = "0.1"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def stored_lists() -> dict[int, list[tuple[int, bool, float]]]:
    from articles.models import Article
    from related.models import RelatedItem

    visible = Article.objects.published() | Article.objects.scheduled()
    lists: dict[int, list] = {pk: [] for pk in visible.values_list("pk", flat=True)}
    rows = RelatedItem.objects.filter(article_id__in=list(lists)).order_by("article_id", "rank")
    for article_id, *line in rows.values_list("article_id", "target_id", "pinned", "score"):
        lists[article_id].append(tuple(line))
    return lists


def compare_with_rebuild(published: list[int], *, refit: bool) -> dict[str, int]:
    from related.rebuild import rebuild

    before = stored_lists()
    started = time.perf_counter()
    if "refit" in inspect.signature(rebuild).parameters:
        rebuild(refit=refit)
    else:
        rebuild()  # code before the statistics snapshot (a before/after run): always a refit
    seconds = time.perf_counter() - started
    after = stored_lists()
    counts = {
        "belongs": 0,  # (list, article) pairs a rebuild fills
        "had": 0,  # of those, filled by the refresh
        "extra": 0,  # pairs the refresh filled and a rebuild does not
        "equal": 0,
        "same_items": 0,  # same targets in the same order, some score off by > 1e-6
        "other": 0,
        "lists": len(after),
        "rebuild_s": round(seconds),
    }
    targets = set(published)
    for pk in after:
        stored, rebuilt = before.get(pk, []), after[pk]
        shown = {t for t, _, _ in stored} & targets
        rebuilt_shown = {t for t, _, _ in rebuilt} & targets
        counts["belongs"] += len(rebuilt_shown)
        counts["had"] += len(rebuilt_shown & shown)
        for missed in sorted(rebuilt_shown - shown):
            rank = [t for t, _, _ in rebuilt].index(missed)
            print(
                f"    missed: list {pk} lacks {missed} (rebuild: rank {rank}, score "
                f"{rebuilt[rank][2]}); stored {stored}; rebuilt {rebuilt}",
                flush=True,
            )
        counts["extra"] += len(shown - rebuilt_shown)
        if [line[:2] for line in stored] != [line[:2] for line in rebuilt]:
            counts["other"] += 1
        elif all(abs(a[2] - b[2]) <= 1e-6 for a, b in zip(stored, rebuilt, strict=True)):
            counts["equal"] += 1
        else:
            counts["same_items"] += 1
    return counts


def pick_articles(corpus, ids: dict[int, int], count: int) -> list[int]:
    """Unpublished thread articles whose thread has published siblings."""
    published_in = {}
    for spec in corpus.articles:
        if spec.thread is not None and spec.status == "published":
            published_in[spec.thread] = published_in.get(spec.thread, 0) + 1
    chosen = [
        ids[spec.key]
        for spec in corpus.articles
        if spec.thread is not None
        and spec.status != "published"
        and published_in.get(spec.thread, 0) >= 2
    ]
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} unpublished thread articles; ask for fewer")
    return chosen[:count]


def start_worker(url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "database", "DEBUG": "0"}
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--interval",
            WORKER_INTERVAL,
        ],
        cwd=_bench.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def publish_round(client, articles: list[int], *, worker: bool) -> tuple[list, list, list]:
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from related.models import RelatedState

    request_times, fresh_times, recomputed = [], [], []
    with override_settings(TASKS=DATABASE_QUEUE if worker else IMMEDIATE):
        for pk in articles:
            started_at = timezone.now()
            t0 = time.perf_counter()
            response = client.post(
                reverse("admin:articles_article_changelist"),
                {"action": "publish_now", "_selected_action": [pk]},
            )
            request_times.append(time.perf_counter() - t0)
            assert response.status_code == 302, response.status_code
            if not worker:
                fresh_times.append(request_times[-1])
            else:
                deadline = time.perf_counter() + 60
                while True:
                    row = (
                        DBTaskResult.objects.filter(
                            task_path="related.tasks.refresh_related", enqueued_at__gte=started_at
                        )
                        .order_by("-enqueued_at")
                        .first()
                    )
                    if row is not None and row.finished_at is not None:
                        assert row.status == "SUCCESSFUL", row.status
                        fresh_times.append((row.finished_at - started_at).total_seconds())
                        break
                    if time.perf_counter() > deadline:
                        raise SystemExit("the worker did not finish the refresh within 60 s")
                    time.sleep(0.01)
            recomputed.append(RelatedState.objects.filter(computed_at__gte=started_at).count())
    return request_times, fresh_times, recomputed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="Do not drop the database.")
    parser.add_argument(
        "--refit",
        action="store_true",
        help="Also compare with a rebuild that refits the statistics (after the others).",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("This benchmark runs on PostgreSQL (the worker opens it by name).")

    _bench.setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from related.rebuild import rebuild

    corpus = generate(args.size, seed=11)
    with _bench.timed("generate + load corpus"):
        ids = _bench.load(corpus)
    with _bench.timed("full rebuild"):
        rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    chosen = pick_articles(corpus, ids, 2 * args.publishes)
    editor = get_user_model().objects.create_superuser("bench-editor", "e@example.org", "x")
    client = Client()
    client.force_login(editor)
    client.get("/admin/")  # warm: URL resolvers, templates, compiled queries

    rounds = [("immediate", chosen[: args.publishes], False)]
    rounds.append(("worker", chosen[args.publishes :], True))
    print(f"\n{args.size} articles, {args.publishes} publishes per round (admin 'Publish now')")
    for name, articles, worker in rounds:
        process = start_worker(args.database_url) if worker else None
        try:
            if process is not None:
                time.sleep(3)  # the worker process imports Django and connects
                if process.poll() is not None:
                    raise SystemExit(f"the worker exited: {process.stderr.read()}")
            request_times, fresh_times, recomputed = publish_round(client, articles, worker=worker)
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        counts = compare_with_rebuild(articles, refit=False)
        p = _bench.percentile
        print(
            f"  {name:9}: editor request p50 {ms(p(request_times, 50))}, p95 "
            f"{ms(p(request_times, 95))}; lists fresh after p50 {ms(p(fresh_times, 50))}, "
            f"p95 {ms(p(fresh_times, 95))}, max {ms(max(fresh_times))}; lists recomputed "
            f"per publish median {p(recomputed, 50):.0f}, max {max(recomputed)} "
            f"(load average {load})",
            flush=True,
        )
        targets = [("rebuild, same statistics", False)]
        if args.refit:
            targets.append(("rebuild with a refit", True))
        for label, refit in targets:
            if refit:
                counts = compare_with_rebuild(articles, refit=True)
            print(
                f"             vs a {label} ({counts['rebuild_s']} s): published articles in "
                f"{counts['had']} of the {counts['belongs']} lists the rebuild puts them in, "
                f"{counts['extra']} extra; lists equal {counts['equal']} of "
                f"{counts['lists']}, same items with other scores {counts['same_items']}, "
                f"otherwise {counts['other']}",
                flush=True,
            )
    if not args.keep:
        _bench.drop_database(args.database_url)


if __name__ == "__main__":
    started = dt.datetime.now(dt.UTC)
    main()
    print(f"(ran {started:%Y-%m-%d %H:%M} UTC)")
