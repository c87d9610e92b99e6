"""Render speed of the public pages, in-process, page cache off: p50/p95 ms and queries.

    .venv/bin/python benchmarks/render_speed.py [--size 10000] [--requests 200] [--repeat 3]
    .venv/bin/python benchmarks/render_speed.py --profile article   # cProfile, one page

Uses PostgreSQL database ``newsroom_render_bench`` (``--database-url`` to change it): the
first run seeds a corpus of ``--size`` articles (benchmarks/corpus.py, plus a section tree,
authors and bylines, and the related lists from a full rebuild) and later runs reuse it
(``--reseed`` starts over). DEBUG is off, so templates come from Django's cached loader, as
in production. Each request goes through the whole middleware stack with
``django.test.Client`` (no network, no server: the application's own cost). Pages are
measured one after the other, each with a warm-up; the query count comes from one extra
request (capturing queries slows a request down, so timed requests capture nothing).

"cpu p50" is this process's CPU time per request (``time.process_time``): the Python side
only (PostgreSQL's own work is in another process), but far less disturbed than wall time
when other jobs share the machine.

Hubs count their stories for "Page 1 of N" on every request unless ``--keep-hub-counts``
(``HUB_COUNT_CACHE``, on in production with Redis): then once per page-cache generation.

With ``--repeat N`` the table is measured N times and the median of each figure is printed,
with the machine's load average before and after (other processes share the CPUs).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _bench

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/newsroom_render_bench"
SEED = 11
N_AUTHORS = 60
ARTICLE_SAMPLE = 50  # distinct article pages, visited in turn
N_PICTURES = 24  # library images shared by the corpus's stories


def ensure_database(url: str, *, reseed: bool) -> None:
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to use {name!r}: benchmark databases have 'bench' in the name")
    with _bench._admin_connection(url) as conn:
        if reseed:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(size: int) -> None:
    """The related-scale corpus plus what a real site's pages show: sections, authors, bylines."""
    from django.db import connection

    from articles.models import Article, Author, Byline, Country, CriminalGroup, Section
    from benchmarks.corpus import generate
    from related.rebuild import rebuild

    with _bench.timed("generate + load corpus"):
        ids = _bench.load(generate(size, seed=SEED))
    with _bench.timed("sections, authors, bylines"):
        news = Section.objects.create(name="News", slug="news", position=1)
        brief = Section.objects.create(name="Brief", slug="brief", parent=news, position=1)
        investigations = Section.objects.create(
            name="Investigations", slug="investigations", position=2
        )
        bench = Section.objects.get(slug="bench")
        profile = "A profile paragraph.\n\nAnother one, with more words about the subject."
        Section.objects.filter(pk__in=[news.pk, investigations.pk]).update(description=profile)
        Country.objects.update(description=profile)
        CriminalGroup.objects.update(description=profile)
        targets = [news, brief, investigations, bench]
        pks = sorted(ids.values())
        for index, section in enumerate(targets):
            Article.objects.filter(pk__in=pks[index :: len(targets)]).update(section=section)
        authors = Author.objects.bulk_create(
            [
                Author(name=f"Reporter {n}", slug=f"reporter-{n}", bio=profile)
                for n in range(N_AUTHORS)
            ]
        )
        rng = random.Random(SEED)
        bylines = []
        for pk in pks:
            for position, author in enumerate(rng.sample(authors, rng.choice((1, 1, 2, 3)))):
                bylines.append(Byline(article_id=pk, author=author, position=position))
        Byline.objects.bulk_create(bylines, batch_size=5000)
    with _bench.timed("pictures: featured on every article, inline in one in four"):
        add_pictures(pks)
    with _bench.timed("full related rebuild"):
        rebuild()
    with connection.cursor() as cursor:  # a live site's steady state: vacuumed and analysed
        cursor.execute("VACUUM ANALYZE")


def add_pictures(pks: list[int]) -> None:
    """What pages show since the image library: a featured image on every story (cards,
    lead, article, og:image) and an inline one in a quarter of the bodies, with renditions
    at the default widths (drawn by demo/pictures.py, 1600 px wide)."""
    from django.core.files.base import ContentFile

    from articles.models import Article
    from demo import pictures
    from images.markup import expand
    from images.models import Image
    from images.renditions import generate

    pictures.SIZE = (1600, 1067)
    images = []
    for n in range(N_PICTURES):
        data, palette = pictures.draw(f"bench-{n}")
        image = Image(
            file=ContentFile(data, name="bench.jpg"),
            alt_text=pictures.alt_text("en", palette),
            credit="Illustration: benchmark",
            caption=f"Picture {n}",
        )
        image.save()
        generate(image, fast=True, notify=False)
        images.append(image)
    displays = {image.pk: image.display for image in images}
    for index, pk in enumerate(pks):
        image = images[index % len(images)]
        Article.objects.filter(pk=pk).update(featured_image=image)
    for pk, body in Article.objects.filter(pk__in=pks[::4]).values_list("pk", "body"):
        inline = images[(pk * 7) % len(images)].pk
        body = body.replace("</p>", f'</p><figure data-image="{inline}"></figure>', 1)
        Article.objects.filter(pk=pk).update(body=body, body_html=expand(body, displays))


def ensure_small_hubs() -> None:
    """An author and a country with only the three oldest stories: a hub's worst case for
    a plan that walks the public stories newest first (the corpus's own hubs all have 140
    or more). Added once to a seeded database; nothing else on the pages changes."""
    from articles.models import Article, Author, Byline, Country

    author, made = Author.objects.get_or_create(
        slug="rare-writer", defaults={"name": "Rare Writer"}
    )
    country, _ = Country.objects.get_or_create(slug="rare-land", defaults={"name": "Rare Land"})
    if made:
        oldest = list(Article.objects.published().order_by("publish_at")[:3])
        for article in oldest:
            Byline.objects.create(article=article, author=author, position=9)
            article.countries.add(country)


def page_urls() -> dict[str, list[str]]:
    from django.db.models import Count

    from articles.models import Article, Author, Country, CriminalGroup, Topic

    public = Article.objects.published().exclude(section__slug="the-organization")
    rng = random.Random(5)
    pks = list(public.values_list("pk", flat=True))
    articles = [
        a.get_absolute_url()
        for a in Article.objects.filter(pk__in=rng.sample(pks, min(ARTICLE_SAMPLE, len(pks))))
    ]

    def biggest(model):  # the busiest hub: the slowest list to page through
        return model.objects.annotate(n=Count("articles")).order_by("-n").first()

    # A word from a headline, so the search page lists results.
    word = max(Article.objects.get(pk=pks[0]).title.split(), key=len)
    author = Author.objects.annotate(n=Count("articles")).order_by("-n").first()
    return {
        "article": articles,
        "home": ["/"],
        "section": ["/section/news/"],
        "country hub": [biggest(Country).get_absolute_url()],
        "group hub": [biggest(CriminalGroup).get_absolute_url()],
        "topic hub": [biggest(Topic).get_absolute_url()],
        "author hub": [author.get_absolute_url()],
        # Hubs of three old stories (ensure_small_hubs): the slowest first page to find.
        "small author hub": ["/author/rare-writer/"],
        "small country hub": ["/country/rare-land/"],
        "search": [f"/search/?q={word}"],
        "feed": ["/feed/"],
        "sitemap": ["/sitemap-articles-en.xml"],
        # The same pages in Spanish (/es/): translated chrome, Spanish vocabulary names.
        "home es": ["/es/"],
        "section es": ["/es/section/news/"],
        "group hub es": [f"/es{biggest(CriminalGroup).get_absolute_url()}"],
    }


def measure(client, urls: list[str], requests: int, warmup: int) -> dict[str, float]:
    from django.db import connection

    for n in range(warmup):
        client.get(urls[n % len(urls)])
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # An execute wrapper counts every query without Django's debug cursor or query log.
    with connection.execute_wrapper(count):
        response = client.get(urls[0])
    assert response.status_code == 200, (urls[0], response.status_code)
    size = len(response.content)
    timings, cpu = [], []
    for n in range(requests):
        url = urls[n % len(urls)]
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "queries": len(queries),
        "p50": _bench.percentile(timings, 50),
        "p95": _bench.percentile(timings, 95),
        "cpu": _bench.percentile(cpu, 50),
        "kb": size / 1024,
    }


def profile(client, urls: list[str], requests: int) -> None:
    """cProfile (the standard library's; no extra dependency) over ``requests`` pages:
    the functions with the most time of their own, then by cumulative time."""
    import cProfile
    import pstats

    for url in urls[:10]:
        client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(requests):
        client.get(urls[n % len(urls)])
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--pages", nargs="*", help="Only these pages (names as printed).")
    parser.add_argument("--profile", metavar="PAGE", help="Profile one page with cProfile.")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reseed", action="store_true", help="Drop and seed the corpus again.")
    parser.add_argument(
        "--keep-hub-counts",
        action="store_true",
        help="HUB_COUNT_CACHE on: hubs count their stories once per page-cache generation "
        "(the production default with Redis) instead of on every request.",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The render benchmark runs on PostgreSQL.")

    ensure_database(args.database_url, reseed=args.reseed)
    _bench.setup_django(args.database_url, fresh=False)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from articles.models import Article

    call_command("migrate", verbosity=0)
    if not Article.objects.exists():
        print(f"Seeding {args.size} articles into {args.database_url}", flush=True)
        seed(args.size)
    # Page cache off: this measures building the page, not serving a stored copy.
    settings.PAGE_CACHE = False
    # One process and its own cache: the generation is kept and seen by every request.
    settings.HUB_COUNT_CACHE = args.keep_hub_counts
    assert not settings.DEBUG

    ensure_small_hubs()
    urls = page_urls()
    client = Client()
    if args.profile:
        profile(client, urls[args.profile], args.requests)
        return
    pages = args.pages or list(urls)
    load_before = os.getloadavg()
    runs: dict[str, list[dict[str, float]]] = {page: [] for page in pages}
    for _ in range(args.repeat):
        for page in pages:
            runs[page].append(measure(client, urls[page], args.requests, args.warmup))
    load_after = os.getloadavg()

    print(
        f"\nRender speed, in-process, page cache off: {Article.objects.count()} articles, "
        f"PostgreSQL, DEBUG off, hub counts {'kept' if args.keep_hub_counts else 'counted'}; "
        f"{args.requests} requests per page"
        + (f", median of {args.repeat} runs" if args.repeat > 1 else "")
    )
    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} ({os.cpu_count()} CPUs)"
    )
    print(f"{'page':<12} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'KB':>6}")
    for page in pages:
        results = runs[page]
        median = {key: statistics.median(r[key] for r in results) for key in results[0]}
        spread = (
            f"  (p50 runs: {', '.join(f'{r["p50"]:.2f}' for r in results)})"
            if len(results) > 1
            else ""
        )
        print(
            f"{page:<12} {median['queries']:>7.0f} {median['p50']:>8.2f} {median['p95']:>8.2f} "
            f"{median['cpu']:>8.2f} {median['kb']:>6.1f}{spread}"
        )


if __name__ == "__main__":
    main()
