"""gunicorn against granian on the article page of a 10k-article PostgreSQL corpus, with wrk.

    .venv/bin/python benchmarks/server_compare.py [--workers 2] [--rounds 3] [--duration 15]

Seeds ``newsroom_prod_bench`` once (benchmarks/corpus.py, 10k articles, related lists
rebuilt) unless it already holds articles, collects static files into a temporary folder,
then alternates the two servers round by round (A B A B ...) with the same worker count and
the same production environment (DEBUG off, access log on), so that whatever else runs on
the machine weighs on both alike. Prints the machine's load and busiest processes first,
then req/s, p50 and p99 per run and the granian/gunicorn ratio of the medians.

Needs wrk (Debian: apt-get install -y wrk) and PostgreSQL on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_prod_bench"
BIN = Path(sys.executable).parent


def seed(url: str, size: int) -> str:
    """Create and fill the benchmark database if it is empty; return one article's path."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(
        host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True
    ) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
    from benchmarks import _bench

    _bench.setup_django(url, fresh=False)
    from django.core.management import call_command

    from articles.models import Article

    call_command("migrate", verbosity=0)
    if not Article.objects.exists():
        from benchmarks.corpus import generate
        from related.rebuild import rebuild

        with _bench.timed(f"load {size} articles"):
            _bench.load(generate(size, seed=11))
        with _bench.timed("rebuild related lists"):
            rebuild()
        from django.db import connection

        # A live site's steady state: vacuumed (the tag triggers rewrite each article row
        # once, which clears the visibility map index-only counts rely on) and analysed.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    # An ordinary article in the middle of the archive: tags, bylines and a related block.
    article = (
        Article.objects.published()
        .exclude(section__slug="the-organization")
        .order_by("pk")[Article.objects.count() // 2]
    )
    return article.get_absolute_url()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(server: str, port: int, workers: int, env: dict[str, str]) -> list[str]:
    if server == "gunicorn":
        # gunicorn's sync workers (its default and the usual Django set-up), access log on
        # stdout as granian's, the same timeout and worker replacement we ship for granian.
        return [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "--timeout",
            "30",
            "--max-requests",
            "2000",
            "--max-requests-jitter",
            "200",
            "newsroom.wsgi:application",
        ]
    # The shipped configuration (newsroom/server.py), through the environment set in main().
    from newsroom.server import granian_args

    return [str(BIN / "granian"), *granian_args({**env, "PORT": str(port)})]


def wait_ready(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not become ready")


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, threads: int, connections: int, duration: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": to_ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "non2xx": float(errors.group(1)) if errors else 0.0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def machine_state() -> str:
    """Load average and what used the CPU over the last 2 seconds (top's second sample:
    ps's %CPU is a lifetime average and would hide a test run that just started)."""
    load = Path("/proc/loadavg").read_text().split()[:3]
    out = subprocess.run(
        ["top", "-b", "-n", "2", "-d", "2", "-w", "200"], capture_output=True, text=True
    ).stdout
    second = out[out.rfind("top -") :].splitlines()
    header = next(i for i, line in enumerate(second) if line.lstrip().startswith("PID"))
    busy = []
    for line in second[header + 1 :]:
        fields = line.split()
        if len(fields) >= 12 and float(fields[8]) >= 5.0:
            busy.append(f"{fields[11]} {fields[8]}%")
    return f"load average {' '.join(load)}; using CPU now: {', '.join(busy) or 'nothing'}"


def measure(
    server: str, port: int, path: str, log, env: dict[str, str], args: argparse.Namespace
) -> tuple[dict[str, float], dict[str, int]]:
    proc = subprocess.Popen(
        server_command(server, port, args.workers, env),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_ready(port, time.monotonic() + 30)
        url = f"http://127.0.0.1:{port}{path}"
        # Warm-up: connections, template caches, the first queries of each worker.
        run_wrk(url, args.threads, args.connections, 3)
        figures = run_wrk(url, args.threads, args.connections, args.duration)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    log.seek(0)
    statuses = re.findall(r'" ([1-5]\d\d) ', log.read())
    others = {code: statuses.count(code) for code in set(statuses) if code != "200"}
    return figures, others


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument(
        "--path",
        help="another page to drive instead of the article, e.g. /healthz: the servers' own "
        "cost per request, which is what counts once pages come from the cache",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    if not (BIN / "gunicorn").exists():
        raise SystemExit("gunicorn is needed for the comparison: .venv/bin/pip install gunicorn")

    path = seed(args.database_url, args.size)
    path = args.path or path
    static_root = tempfile.mkdtemp(prefix="newsroom-bench-static-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": os.environ["SECRET_KEY"],  # set by _bench.setup_django
        "SITE_URL": "http://127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": static_root,
        "WEB_CONCURRENCY": str(args.workers),
        "HOST": "127.0.0.1",
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(
        f"page {path}; {args.workers} workers each; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s --latency; {args.rounds} rounds, alternating"
    )
    print(f"before: {machine_state()}")
    results: dict[str, list[dict[str, float]]] = {"gunicorn": [], "granian": []}
    for round_no in range(1, args.rounds + 1):
        for server in ("gunicorn", "granian"):
            port = free_port()
            # The access log goes to a file, read afterwards for the non-2xx answers.
            with tempfile.TemporaryFile(mode="w+") as log:
                figures, others = measure(server, port, path, log, env, args)
            results[server].append(figures)
            print(
                f"round {round_no} {server:<8} {figures['rps']:>8.1f} req/s  "
                f"p50 {figures['p50']:>6.1f} ms  p99 {figures['p99']:>6.1f} ms  "
                f"non-2xx {figures['non2xx']:.0f} {others or ''} {figures['socket_errors']}",
                flush=True,
            )
    print(f"after: {machine_state()}")
    medians = {
        server: {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99")}
        for server, runs in results.items()
    }
    for server, m in medians.items():
        print(
            f"median   {server:<8} {m['rps']:>8.1f} req/s  p50 {m['p50']:>6.1f} ms  "
            f"p99 {m['p99']:>6.1f} ms"
        )
    print(
        f"granian/gunicorn: req/s x{medians['granian']['rps'] / medians['gunicorn']['rps']:.2f}, "
        f"p50 x{medians['granian']['p50'] / medians['gunicorn']['p50']:.2f}, "
        f"p99 x{medians['granian']['p99'] / medians['gunicorn']['p99']:.2f}"
    )
    shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
