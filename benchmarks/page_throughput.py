"""Page cost on the demo corpus: queries and latency per public page, through Django's stack.

Run:  DEBUG=1 .venv/bin/python benchmarks/page_throughput.py [--requests 200]
Uses DATABASE_URL (default: the embedded SQLite file); seeds the demo corpus if it is empty.
Prints, per page: queries per request, p50/p95 latency in ms, and requests per second
(single process, Django test client: no network, so this is the application's own cost).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from articles.models import Article  # noqa: E402


def measure(client: Client, url: str, requests: int) -> tuple[int, float, float, float]:
    # Django clears its query log at each request start; start from an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    return len(ctx.captured_queries), p50, p95, 1000 / statistics.mean(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    if not Article.objects.published().exists():
        call_command("seed_demo", verbosity=0)
    article = Article.objects.published().exclude(section__slug="the-organization").first()
    country = article.countries.first()
    pages = {
        "home": "/",
        "article": article.get_absolute_url(),
        "country hub": country.get_absolute_url(),
        "section": "/section/news/",
        "feed": "/feed/",
    }
    client = Client()
    print(
        f"database: {connection.vendor}; {Article.objects.count()} articles; "
        f"{args.requests} requests per page"
    )
    print(f"{'page':<12} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8}")
    for name, url in pages.items():
        queries, p50, p95, rps = measure(client, url, args.requests)
        print(f"{name:<12} {queries:>7} {p50:>8.1f} {p95:>8.1f} {rps:>8.0f}")


if __name__ == "__main__":
    main()
