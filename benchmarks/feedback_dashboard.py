"""The editors' feedback dashboard at scale: timings per grouping at 100k articles / 1M votes.

    .venv/bin/python benchmarks/feedback_dashboard.py [--articles 100000] [--votes 1000000]
        [--repeats 20] [--database-url postgres://postgres@127.0.0.1:5432/newsroom_h8_bench]

In a throwaway PostgreSQL database (created and dropped here): 12 sections, 300 authors,
20 countries, 60 groups, ``--articles`` articles (bulk_create in batches of 5,000, each
with a byline, 1-2 countries and 0-2 groups), then ``--votes`` votes over the last 365
days loaded with COPY (popularity skewed: a few stories get most votes; a quarter of the
No's give a reason). The per-article day rows are then filled from the votes in one
INSERT ... SELECT ... GROUP BY, the month rows from the day rows in another, and the
per-group rollups and per-article totals by
``feedback.aggregates_rebuild`` (the same rows ``feedback.helpful_vote_record`` keeps vote
by vote; tests/articles/test_helpful_dashboard.py checks both agree), then VACUUM ANALYZE.

Then, for each grouping (article, section, author, country, group) and two periods (the
default 90 days and a full year), the dashboard page is requested ``--repeats`` times
through Django's test client as a signed-in superuser; printed: queries per request and
p50 / p95 of the whole request (view, five queries, template).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _bench

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/newsroom_h8_bench"
REASONS = ["outdated", "inaccurate", "unclear", "missing_context", "other"]


def recreate(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    if not (name.startswith("newsroom_bench") or "_bench" in name):
        raise SystemExit(f"Refusing to recreate {name!r}: use a *_bench database")
    with _bench._admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def load(n_articles: int, n_votes: int, seed: int = 12) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from articles.models import (
        Article,
        Author,
        Byline,
        Country,
        CriminalGroup,
        Section,
        TaggedCountry,
        TaggedGroup,
    )

    rng = random.Random(seed)
    User.objects.create_superuser("bench", "bench@example.org", "bench-password")
    sections = Section.objects.bulk_create(
        [Section(name=f"Section {i}", slug=f"s{i}") for i in range(12)]
    )
    authors = Author.objects.bulk_create(
        [Author(name=f"Author {i}", slug=f"a{i}") for i in range(300)]
    )
    countries = Country.objects.bulk_create(
        [Country(name=f"Country {i}", slug=f"c{i}") for i in range(20)]
    )
    groups = CriminalGroup.objects.bulk_create(
        [CriminalGroup(name=f"Group {i}", slug=f"g{i}") for i in range(60)]
    )
    now = timezone.now()
    started = time.perf_counter()
    ids: list[int] = []
    for start in range(0, n_articles, 5000):
        batch = Article.objects.bulk_create(
            [
                Article(
                    title=f"Story {n}",
                    slug=f"story-{n}",
                    dek="Bench story.",
                    body="<p>Bench.</p>",
                    section=sections[n % len(sections)],
                    status="published",
                    publish_at=now - dt.timedelta(minutes=n),
                )
                for n in range(start, min(start + 5000, n_articles))
            ]
        )
        ids += [a.pk for a in batch]
        Byline.objects.bulk_create(
            [Byline(article=a, author=rng.choice(authors), position=0) for a in batch]
        )
        TaggedCountry.objects.bulk_create(
            [
                TaggedCountry(content_object=a, tag=c)
                for a in batch
                for c in rng.sample(countries, rng.choice((1, 1, 2)))
            ]
        )
        TaggedGroup.objects.bulk_create(
            [
                TaggedGroup(content_object=a, tag=g)
                for a in batch
                for g in rng.sample(groups, rng.choice((0, 1, 1, 2)))
            ]
        )
    print(f"  {n_articles} articles: {time.perf_counter() - started:.1f}s", flush=True)

    started = time.perf_counter()
    # Each article's own helpful rate, so the least-helpful list has something to find.
    quality = {pk: rng.uniform(0.3, 0.95) for pk in ids}
    with connection.cursor() as cursor:
        raw = cursor.connection
        columns = "article_id, session_key, helpful, created_at, reason, comment, followed_up_at"
        with raw.cursor().copy(f"COPY articles_helpfulvote ({columns}) FROM STDIN") as copy:
            for i in range(n_votes):
                # Skewed popularity: u**4 puts most votes on the first few thousand stories.
                pk = ids[int(len(ids) * rng.random() ** 4)]
                helpful = rng.random() < quality[pk]
                at = now - dt.timedelta(seconds=rng.randrange(365 * 86400))
                reason = "" if helpful or rng.random() > 0.25 else rng.choice(REASONS)
                comment = "Needs the 2025 figures." if reason == "outdated" else ""
                copy.write_row(
                    (pk, f"bench-{i}", helpful, at, reason, comment, at if reason else None)
                )
        print(f"  {n_votes} votes (COPY): {time.perf_counter() - started:.1f}s", flush=True)
        started = time.perf_counter()
        reason_sums = ", ".join(f"COUNT(*) FILTER (WHERE reason = '{r}')" for r in REASONS)
        cursor.execute(
            f"""
            INSERT INTO articles_helpfuldaily
                (article_id, day, monthly, yes, no, {", ".join(REASONS)})
            SELECT article_id, (created_at AT TIME ZONE 'UTC')::date, false,
                   COUNT(*) FILTER (WHERE helpful), COUNT(*) FILTER (WHERE NOT helpful),
                   {reason_sums}
            FROM articles_helpfulvote GROUP BY 1, 2
            """
        )
        sums = ", ".join(f"SUM({name})" for name in ("yes", "no", *REASONS))
        cursor.execute(
            f"""
            INSERT INTO articles_helpfuldaily
                (article_id, day, monthly, yes, no, {", ".join(REASONS)})
            SELECT article_id, date_trunc('month', day)::date, true, {sums}
            FROM articles_helpfuldaily WHERE NOT monthly GROUP BY 1, 2
            """
        )
        cursor.execute("SELECT COUNT(*) FROM articles_helpfuldaily")
        days = cursor.fetchone()[0]
    print(
        f"  per-article day and month rows: {days} in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    rollups()


def rollups() -> None:
    """The per-group rollups from the daily rows (the repair command's path), then ANALYZE."""
    from django.db import connection

    from articles.feedback import aggregates_rebuild
    from articles.models import HelpfulRollup, HelpfulTotal

    started = time.perf_counter()
    for model in (HelpfulRollup, HelpfulTotal):
        if model._meta.db_table not in connection.introspection.table_names():
            # A database kept by an earlier version of this script (--reuse).
            with connection.schema_editor() as editor:
                editor.create_model(model)
    _, rows = aggregates_rebuild(daily=False)
    with connection.cursor() as cursor:
        # What autovacuum does in production: statistics, and the visibility map that
        # lets PostgreSQL answer from the covering indexes alone.
        cursor.execute("VACUUM ANALYZE")
    print(f"  rollups: {rows} rows in {time.perf_counter() - started:.1f}s", flush=True)


def measure(repeats: int) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    client = Client()
    client.force_login(User.objects.get(username="bench"))
    today = timezone.localdate()
    periods = {
        "90 days": (today - dt.timedelta(days=89), today),
        "365 days": (today - dt.timedelta(days=364), today),
    }
    print(f"\n{'grouping':<10} {'period':<9} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for label, (start, end) in periods.items():
        for by in ("article", "section", "author", "country", "group"):
            params = {"start": start, "end": end, "by": by, "min_votes": 20}
            url = "/admin/articles/helpfulvote/dashboard/"
            queries: list[str] = []

            def count(execute, sql, *rest, queries=queries):
                queries.append(sql)
                return execute(sql, *rest)

            with connection.execute_wrapper(count):
                response = client.get(url, params)  # warm-up, and the query count
            assert response.status_code == 200, response.status_code
            html = response.content.decode()
            assert "No votes in this period." not in html, "the dataset did not load"
            assert "No story has enough votes" not in html, "no least helpful stories"
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                client.get(url, params)
                timings.append(time.perf_counter() - started)
            print(
                f"{by:<10} {label:<9} {len(queries):>7} "
                f"{_bench.percentile(timings, 50) * 1000:>8.1f} "
                f"{_bench.percentile(timings, 95) * 1000:>8.1f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="Do not drop the database.")
    parser.add_argument("--reuse", action="store_true", help="Measure a kept database.")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The dashboard benchmark runs on PostgreSQL.")
    if not args.reuse:
        recreate(args.database_url)
    _bench.setup_django(args.database_url, fresh=False)
    from django.core.management import call_command

    if not args.reuse:
        call_command("migrate", verbosity=0)
        print(f"Loading {args.articles} articles and {args.votes} votes", flush=True)
        load(args.articles, args.votes)
    else:
        rollups()
    measure(args.repeats)
    if not args.keep:
        _bench.drop_database(args.database_url)


if __name__ == "__main__":
    main()
