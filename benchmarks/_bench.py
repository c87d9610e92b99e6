"""Shared set-up for the benchmark scripts: a throwaway database, Django, bulk loading."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench"


def _admin_connection(url: str):
    import psycopg

    parts = urlparse(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


def recreate_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(urlparse(url).path)
        path.unlink(missing_ok=True)
        return
    name = urlparse(url).path.lstrip("/")
    if not name.startswith("newsroom_bench"):
        raise SystemExit(f"Refusing to recreate {name!r}: benchmark databases are newsroom_bench*")
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    if url.startswith("sqlite"):
        Path(urlparse(url).path).unlink(missing_ok=True)
        return
    name = urlparse(url).path.lstrip("/")
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str, *, fresh: bool = True) -> None:
    if fresh:
        recreate_database(url)
    os.environ["DATABASE_URL"] = url
    # DEBUG off refuses a weak key at start (the rule of Django's security.W009), so this
    # public, benchmark-only key is long and varied enough to pass it.
    os.environ.setdefault(
        "SECRET_KEY", "benchmark-only-insecure-key-never-use-in-production-0123456789abc"
    )
    os.environ.setdefault("SITE_URL", "http://testserver")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ["DEBUG"] = "0"  # DEBUG would keep every query in memory
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    # The page benchmark renders templates without collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LOGGING_CONFIG = None
    from django.core.management import call_command

    if fresh:
        call_command("migrate", verbosity=0)


@contextmanager
def timed(label: str, sink: dict[str, float] | None = None):
    started = time.perf_counter()
    yield
    elapsed = time.perf_counter() - started
    if sink is not None:
        sink[label] = elapsed
    print(f"  {label}: {elapsed:.1f}s", flush=True)


def load(corpus) -> dict[int, int]:
    """Bulk-insert the corpus; returns spec key -> article id."""
    from articles.models import (
        Article,
        Country,
        CriminalGroup,
        Section,
        TaggedCountry,
        TaggedGroup,
        TaggedTopic,
        Topic,
    )

    section, _ = Section.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    # A real site has "The Organization" items (the article page lists the latest five);
    # without them that block would scan the whole table and distort the page figures.
    organization, _ = Section.objects.get_or_create(
        slug="the-organization", defaults={"name": "The Organization"}
    )
    Article.objects.bulk_create(
        [
            Article(
                title=f"About us {n}",
                slug=f"bench-about-{n}",
                section=organization,
                status="published",
                publish_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=n),
            )
            for n in range(1, 6)
        ]
    )
    countries = Country.objects.bulk_create(
        [Country(name=n, slug=f"bench-c-{i}") for i, n in enumerate(corpus.countries)]
    )
    groups = CriminalGroup.objects.bulk_create(
        [CriminalGroup(name=n, slug=f"bench-g-{i}") for i, n in enumerate(corpus.groups)]
    )
    topics = Topic.objects.bulk_create(
        [Topic(name=n, slug=f"bench-t-{i}") for i, n in enumerate(corpus.topics)]
    )
    ids: dict[int, int] = {}
    batch = 2000
    for start in range(0, len(corpus.articles), batch):
        specs = corpus.articles[start : start + batch]
        created = Article.objects.bulk_create(
            [
                Article(
                    title=s.title[:250],
                    slug=f"bench-{s.key}",
                    dek=s.dek,
                    body=s.body,
                    section=section,
                    language=s.language,
                    status=s.status,
                    publish_at=s.publish_at if s.status == "published" else None,
                    primary_group=groups[s.primary_group] if s.primary_group is not None else None,
                    primary_country=(
                        countries[s.primary_country] if s.primary_country is not None else None
                    ),
                )
                for s in specs
            ]
        )
        for spec, article in zip(specs, created, strict=True):
            ids[spec.key] = article.pk
        TaggedGroup.objects.bulk_create(
            [
                TaggedGroup(content_object_id=ids[s.key], tag=groups[g])
                for s in specs
                for g in s.groups
            ]
        )
        TaggedCountry.objects.bulk_create(
            [
                TaggedCountry(content_object_id=ids[s.key], tag=countries[c])
                for s in specs
                for c in s.countries
            ]
        )
        TaggedTopic.objects.bulk_create(
            [
                TaggedTopic(content_object_id=ids[s.key], tag=topics[t])
                for s in specs
                for t in s.topics
            ]
        )
    return ids


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
