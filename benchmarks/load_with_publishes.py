"""Load with publishing: 60 s at 64 connections on the production config while articles go out.

    .venv/bin/python benchmarks/load_with_publishes.py [--duration 60] [--connections 64]
        [--every 5] [--front]

Starts granian with the shipped configuration and the page cache in Redis (db 3), optionally
behind Varnish (``--front``), on the 10k-article corpus of ``newsroom_prod_bench``. wrk drives
the home page and an article page (half the connections each) for the whole run; meanwhile
this process publishes a new article every ``--every`` seconds, as the admin does (one
transaction; the page cache and the front cache are retired when it commits, the related
lists refreshed), and polls the home page every 20 ms until the new headline is there.

Prints, for the wrk runs, req/s, p50, p99, non-2xx answers and socket errors, and for the
publishes how long after each commit the home page first showed it (max, p50), and whether
any was seen later than 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.http_throughput import REDIS_URL, production_env, start_app, stop  # noqa: E402
from benchmarks.server_compare import (  # noqa: E402
    DATABASE_URL,
    free_port,
    machine_state,
    run_wrk,
    seed,
)


def publish_one(n: int) -> tuple[str, float]:
    """A new article, published through the service the admin's "publish now" calls."""
    from django.utils import timezone

    from articles import services
    from articles.models import Article, Section

    title = f"Load test story {n} at {time.time():.3f}"
    article = Article(
        title=title,
        slug=f"load-test-{n}-{int(time.time() * 1000)}",
        dek="Published while the site was under load.",
        body="<p>Published while the site was under load.</p>",
        section=Section.objects.exclude(slug="the-organization").order_by("pk").first(),
    )
    services.article_publish(article=article, at=timezone.now() - dt.timedelta(seconds=1))
    return title, time.monotonic()  # after the commit and its on-commit work


def seen_after(url: str, title: str, committed: float, give_up: float = 10.0) -> float:
    while time.monotonic() - committed < give_up:
        with urllib.request.urlopen(url, timeout=5) as response:
            if title.encode() in response.read():
                return time.monotonic() - committed
        time.sleep(0.02)
    return float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--front", action="store_true", help="drive Varnish in front of the app")
    parser.add_argument("--database-url", default=DATABASE_URL)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    app_port, front_port = free_port(), free_port()
    # This process publishes: its invalidations must reach the same Redis and Varnish.
    os.environ.update(REDIS_URL=REDIS_URL, PAGE_CACHE="1", TASKS_BACKEND="immediate")
    if args.front:
        os.environ["FRONT_CACHE_PURGE_URLS"] = f"http://127.0.0.1:{front_port}/"
    article_path = seed(args.database_url, 10_000)
    subprocess.run(["redis-cli", "-n", "3", "FLUSHDB"], check=True, capture_output=True)
    env, static_root = production_env(args.database_url, args.workers)
    print(f"before: {machine_state()}", flush=True)
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = start_app(env, app_port, log)
        base = f"http://127.0.0.1:{app_port}"
        try:
            if args.front:
                subprocess.run(
                    [
                        ROOT / "scripts" / "front-cache.sh",
                        "start",
                        str(front_port),
                        "127.0.0.1",
                        str(app_port),
                    ],
                    check=True,
                    capture_output=True,
                )
                base = f"http://127.0.0.1:{front_port}"
            results: dict[str, dict] = {}
            half = max(1, args.connections // 2)

            def drive(name: str, path: str) -> None:
                results[name] = run_wrk(base + path, args.threads // 2 or 1, half, args.duration)

            drivers = [
                threading.Thread(target=drive, args=("home", "/")),
                threading.Thread(target=drive, args=("article", article_path)),
            ]
            for thread in drivers:
                thread.start()
            delays = []
            started = time.monotonic()
            n = 0
            time.sleep(args.every)
            while time.monotonic() - started < args.duration - args.every:
                n += 1
                title, committed = publish_one(n)
                delays.append(seen_after(base + "/", title, committed))
                time.sleep(max(0.0, args.every - delays[-1]))
            for thread in drivers:
                thread.join()
        finally:
            if args.front:
                subprocess.run(
                    [ROOT / "scripts" / "front-cache.sh", "stop", str(front_port)], check=False
                )
            stop(proc)
    print(
        f"{'Varnish -> ' if args.front else ''}granian {args.workers} workers, page cache in "
        f"Redis; wrk -c{args.connections} over {args.duration}s (home and an article), "
        f"{len(delays)} publishes, one every {args.every}s"
    )
    for name, f in results.items():
        print(
            f"{name:<8} {f['rps']:>8.0f} req/s  p50 {f['p50']:.2f} ms  p99 {f['p99']:.2f} ms  "
            f"non-2xx {f['non2xx']:.0f}  socket errors: {f['socket_errors'] or 'none'}"
        )
    if delays:
        print(
            f"home page shows a new article {statistics.median(delays) * 1000:.0f} ms (p50), "
            f"{max(delays) * 1000:.0f} ms (max) after its commit; "
            f"later than 1 s: {sum(d > 1 for d in delays)} of {len(delays)}"
        )
    print(f"after: {machine_state()}")
    from articles.models import Article

    Article.objects.filter(slug__startswith="load-test-").delete()  # leave the corpus as it was
    shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
