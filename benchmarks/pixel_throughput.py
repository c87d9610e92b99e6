"""The republication pixel over HTTP with the shipped server, and a check of its counts.

    .venv/bin/python benchmarks/pixel_throughput.py [--duration 15] [--connections 32]
        [--workers 2] [--database postgres://postgres@127.0.0.1:5432/newsroom_h7_pixelbench]
        [--redis redis://127.0.0.1:6379/7] [--buffer-seconds 1]

Creates the database if needed (20 CC BY stories), starts granian with the configuration
we ship (newsroom/server.py: DEBUG off, ``REDIS_URL`` set, so hits are counted in Redis)
and drives ``/republish/pixel/<id>.gif`` with ``wrk --latency``; a Lua script varies the
article and the Referer (50 partner sites x 200 pages, each with a different query string
that must be dropped) and sends a browser's User-Agent. Flushes are queued in the
database (TASKS_BACKEND=database, no worker running) as in production, so the run
measures the hot path; afterwards ``manage.py flush_republications`` moves the counts into
PostgreSQL and the script compares the views stored with the responses wrk received.

Prints the machine's load before and after, req/s, p50, p99, errors, and the count check.
A gap can only come from requests in flight when wrk stops (the server counted them, wrk
did not wait for their answers): at most one per connection, printed when it happens.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.http_throughput import production_env, start_app, stop  # noqa: E402
from benchmarks.server_compare import free_port, machine_state  # noqa: E402

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_h7_pixelbench"
REDIS_URL = "redis://127.0.0.1:6379/7"
STORIES = 20
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)

LUA = """
local ids = {%(ids)s}
local n = 0
request = function()
  n = n + 1
  local referer = string.format(
    "https://partner%%d.example/news/story-%%d/?utm_source=feed&n=%%d", n %% 50, n %% 200, n)
  return wrk.format("GET", "/republish/pixel/" .. ids[(n %% #ids) + 1] .. ".gif",
    {["Referer"] = referer, ["User-Agent"] = "%(ua)s"})
end
done = function(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, '
    .. '"write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def prepare(database_url: str) -> list[int]:
    """The benchmark database, migrated, with STORIES republishable stories; their ids."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(
        host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True
    ) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
    from benchmarks import _bench

    _bench.setup_django(database_url, fresh=False)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from articles.models import Article, Section
    from republish.models import Republication

    section, _ = Section.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    for n in range(STORIES):
        Article.objects.get_or_create(
            slug=f"pixel-bench-{n}",
            defaults={
                "title": f"Pixel bench story {n}",
                "section": section,
                "status": "published",
                "licence": "cc-by-4.0",
            },
        )
    Republication.objects.all().delete()  # each run counts from zero
    return list(
        Article.objects.filter(slug__startswith="pixel-bench-").values_list("pk", flat=True)
    )


def stored_views() -> int:
    from django.db.models import Sum

    from republish.models import Republication

    return Republication.objects.aggregate(total=Sum("views"))["total"] or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default=DATABASE_URL)
    parser.add_argument("--redis", default=REDIS_URL)
    parser.add_argument(
        "--buffer-seconds",
        default="1",
        help="REPUBLISH_BUFFER_SECONDS for the server (0: one Redis round trip per hit)",
    )
    args = parser.parse_args()

    ids = prepare(args.database)
    prefix = f"pixelbench-{uuid.uuid4().hex[:8]}:"
    env, _ = production_env(args.database, args.workers)
    env.update(
        {
            "REDIS_URL": args.redis,
            "REPUBLISH_KEY_PREFIX": prefix,
            "REPUBLISH_BUFFER_SECONDS": args.buffer_seconds,
            "TASKS_BACKEND": "database",  # flushes queued, as in production; no worker here
            "GRANIAN_LOG_ACCESS_ENABLED": "false",  # one log line per hit is not the app's cost
        }
    )
    script = Path(tempfile.mkdtemp(prefix="pixel-bench-")) / "pixel.lua"
    script.write_text(LUA % {"ids": ", ".join(map(str, ids)), "ua": BROWSER})

    print(f"before: {machine_state()}", flush=True)
    port = free_port()
    with tempfile.TemporaryFile() as log:
        app = start_app(env, port, log)
        try:
            base = f"http://127.0.0.1:{port}"
            request = urllib.request.Request(
                f"{base}/republish/pixel/{ids[0]}.gif",
                headers={"Referer": "https://warmup.example/x", "User-Agent": BROWSER},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["Content-Type"] == "image/gif"
            out = subprocess.run(
                [
                    "wrk",
                    f"-t{args.threads}",
                    f"-c{args.connections}",
                    f"-d{args.duration}s",
                    "--latency",
                    "-s",
                    str(script),
                    base,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        finally:
            stop(app)
    print(f"after:  {machine_state()}", flush=True)
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    figures = json.loads(line.removeprefix("WRK_JSON "))
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    rps = figures["requests"] / (figures["duration_us"] / 1e6)
    print(
        f"pixel ({args.workers} granian workers, {args.connections} connections, "
        f"buffer {args.buffer_seconds} s, "
        f"{args.duration} s): {rps:,.0f} req/s  p50 {figures['p50_us'] / 1000:.2f} ms  "
        f"p99 {figures['p99_us'] / 1000:.2f} ms  errors {errors} "
        f"(connect {figures['connect']}, read {figures['read']}, write {figures['write']}, "
        f"status {figures['status']}, timeout {figures['timeout']})",
        flush=True,
    )

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "flush_republications"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    flushed_in = time.perf_counter() - started
    answered = figures["requests"] - figures["status"]
    stored = stored_views() - 1  # the warm-up hit
    print(f"flush: {flushed_in:.1f} s (command start included)")
    print(f"views stored {stored:,}; 200 responses wrk received {answered:,}; ", end="")
    gap = stored - answered
    if gap == 0:
        print("equal")
    elif 0 < gap <= args.connections:
        print(
            f"{gap} more stored: requests in flight when wrk stopped (counted by the "
            "server, not waited for by wrk; at most one per connection)"
        )
    else:
        print(f"MISMATCH of {gap}")
        raise SystemExit(1)
    os.environ.pop("REDIS_URL", None)


if __name__ == "__main__":
    main()
