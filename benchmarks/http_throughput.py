"""Public pages over HTTP with the shipped server: cache off, cache on, through Varnish.

    .venv/bin/python benchmarks/http_throughput.py [--duration 15] [--connections 16]
        [--modes off,on,front] [--pages article,home,hub,donate] [--nginx] [--peer URL ...]

Seeds ``newsroom_prod_bench`` (10k articles, benchmarks/server_compare.py) if empty, starts
granian with the configuration we ship (newsroom/server.py, 2 workers) in each mode and
drives each page with ``wrk --latency``:

- ``off``: no page cache, no Redis (what every page costs Django, the "render" figure);
- ``on``: the page cache in Redis (db 3), the production default with ``REDIS_URL``;
- ``front``: Varnish (deploy/varnish/default.vcl, scripts/front-cache.sh) in front of ``on``.

``--nginx`` also serves the article page's HTML as a static file from nginx (Debian's
package) and drives it the same way: the ceiling a front cache is compared with. ``--peer``
drives other URLs the same way (e.g. Wagtail's bakerydemo, benchmarks/peer_bakerydemo.sh),
so the ratios are measured side by side in one run. Prints the machine's load before and
after, req/s, p50, p99 and non-2xx per page and mode.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.server_compare import (  # noqa: E402
    DATABASE_URL,
    free_port,
    machine_state,
    run_wrk,
    seed,
    wait_ready,
)

REDIS_URL = "redis://127.0.0.1:6379/3"
BIN = Path(sys.executable).parent


def production_env(database_url: str, workers: int) -> tuple[dict[str, str], str]:
    """The shipped server's environment for a benchmark, with static files collected."""
    static_root = tempfile.mkdtemp(prefix="newsroom-bench-static-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": database_url,
        "SITE_URL": "http://127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": static_root,
        "WEB_CONCURRENCY": str(workers),
        "HOST": "127.0.0.1",
    }
    env.setdefault("TASKS_BACKEND", "immediate")  # no worker in these benchmarks
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env, static_root


def pages(article_path: str) -> dict[str, str]:
    from articles.models import Country

    hub = Country.objects.order_by("pk").first()
    return {
        "article": article_path,
        "home": "/",
        "hub": f"/country/{hub.slug}/" if hub else "/",
        "donate": "/donate/",
    }


def start_app(env: dict[str, str], port: int, log) -> subprocess.Popen:
    from newsroom.server import granian_args

    proc = subprocess.Popen(
        [str(BIN / "granian"), *granian_args({**env, "PORT": str(port)})],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_ready(port, time.monotonic() + 60)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()


def drive(label: str, url: str, args: argparse.Namespace) -> None:
    with urllib.request.urlopen(url, timeout=30) as response:  # warm caches, check it works
        response.read()
    run_wrk(url, args.threads, args.connections, 3)
    f = run_wrk(url, args.threads, args.connections, args.duration)
    print(
        f"{label:<28} {f['rps']:>9.0f} req/s  p50 {f['p50']:>7.2f} ms  p99 {f['p99']:>7.2f} ms"
        f"  non-2xx {f['non2xx']:.0f} {f['socket_errors']}",
        flush=True,
    )


def nginx_static(html: bytes, args: argparse.Namespace) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        print("nginx not installed (apt-get install nginx-light): skipped")
        return
    root = Path(tempfile.mkdtemp(prefix="newsroom-nginx-"))
    (root / "article.html").write_bytes(html)
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(
        f"""worker_processes 2; pid {root}/nginx.pid; error_log {root}/error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; keepalive_requests 100000;
  client_body_temp_path {root}; proxy_temp_path {root}; fastcgi_temp_path {root};
  uwsgi_temp_path {root}; scgi_temp_path {root};
  server {{ listen 127.0.0.1:{port}; root {root}; default_type text/html; }}
}}
"""
    )
    proc = subprocess.Popen([nginx, "-c", str(conf)], start_new_session=True)
    try:
        time.sleep(0.5)
        drive("nginx static file", f"http://127.0.0.1:{port}/article.html", args)
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--modes", default="off,on,front")
    parser.add_argument("--pages", default="article,home,hub,donate")
    parser.add_argument("--nginx", action="store_true")
    parser.add_argument("--peer", action="append", default=[], metavar="URL")
    parser.add_argument("--database-url", default=DATABASE_URL)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    article_path = seed(args.database_url, args.size)
    targets = {name: path for name, path in pages(article_path).items() if name in args.pages}
    base_env, static_root = production_env(args.database_url, args.workers)
    base_env.pop("REDIS_URL", None)
    modes = args.modes.split(",")
    print(
        f"granian, {args.workers} workers; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s --latency; pages {targets}"
    )
    print(f"before: {machine_state()}", flush=True)
    for peer in args.peer:
        drive(f"peer {peer}", peer, args)
    article_html = b""
    for mode in modes:
        env = dict(base_env)
        if mode in ("on", "front"):
            env.update(REDIS_URL=REDIS_URL, PAGE_CACHE="1")
            subprocess.run(["redis-cli", "-n", "3", "FLUSHDB"], check=True, capture_output=True)
        port = free_port()
        front = free_port()
        if mode == "front":
            env["FRONT_CACHE_PURGE_URLS"] = f"http://127.0.0.1:{front}/"
        with tempfile.TemporaryFile(mode="w+") as log:
            proc = start_app(env, port, log)
            try:
                base = f"http://127.0.0.1:{port}"
                if mode == "front":
                    subprocess.run(
                        [
                            ROOT / "scripts" / "front-cache.sh",
                            "start",
                            str(front),
                            "127.0.0.1",
                            str(port),
                        ],
                        check=True,
                        capture_output=True,
                    )
                    base = f"http://127.0.0.1:{front}"
                for name, path in targets.items():
                    drive(f"{mode:<5} {name}", base + path, args)
                if not article_html:
                    with urllib.request.urlopen(base + article_path) as response:
                        article_html = response.read()
            finally:
                if mode == "front":
                    subprocess.run(
                        [ROOT / "scripts" / "front-cache.sh", "stop", str(front)], check=False
                    )
                stop(proc)
    if args.nginx:
        nginx_static(article_html, args)
    print(f"after: {machine_state()}")
    shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
