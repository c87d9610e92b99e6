"""Lighthouse scores of the public pages, served as in production.

    .venv/bin/python benchmarks/lighthouse.py [--forms mobile,desktop]
        [--pages home,article,hub,donate] [--runs 1] [--details]

Builds a throwaway SQLite site with the demo content (migrate, seed_demo, collectstatic
into temporary folders), starts granian with the shipped configuration and DEBUG off
(newsroom/server.py, as `make prod` does), then runs the npm `lighthouse` package (pinned in
tools/package-lock.json, installed here with `npm ci`) against Debian's Chromium
(CHROME_PATH, default /usr/bin/chromium) on the home page, an article, a country hub and
/donate/, with Lighthouse's mobile (default) and desktop presets. Prints performance,
accessibility, best practices and SEO per page and form factor (the median of --runs runs),
and with --details every audit that lost points. Target: 95 or more everywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.http_throughput import start_app, stop  # noqa: E402
from benchmarks.server_compare import free_port, machine_state  # noqa: E402

TOOLS = ROOT / "tools"
LIGHTHOUSE = TOOLS / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"


def install_lighthouse() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOLS, check=True)


def build_site(workdir: Path, port: int) -> dict[str, str]:
    """A production environment over a fresh SQLite database holding the demo content."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get(
            "SECRET_KEY", "lighthouse-only-insecure-key-never-use-in-production-0123456789"
        ),
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "TASKS_BACKEND": "immediate",  # renditions and related lists made at seed time
    }
    for name in ("REDIS_URL", "PAGE_CACHE", "FRONT_CACHE_PURGE_URLS"):
        env.pop(name, None)
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["seed_demo"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return env


def find_pages(base: str) -> dict[str, str]:
    """Home, the lead article, the first country hub it links to, and the donate form."""

    def get(path: str) -> str:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.read().decode()

    article = re.search(r'href="(/article/[^"/]+/)"', get("/")).group(1)
    hub = re.search(r'href="(/country/[^"/]+/)"', get(article))
    return {
        "home": "/",
        "article": article,
        "hub": hub.group(1) if hub else "/section/news/",
        "donate": "/donate/",
    }


def lighthouse(url: str, form: str) -> dict:
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if form == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url} ({form}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def lost_points(report: dict) -> list[str]:
    audits = report["audits"]
    lines = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue", "")
                lines.append(f"    {category}: {ref['id']} {audit['score']:.2f} {value}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", default="mobile,desktop")
    parser.add_argument("--pages", default="home,article,hub,donate")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--details", action="store_true", help="list audits that lost points")
    args = parser.parse_args()
    if not shutil.which("node"):
        raise SystemExit("Node.js is needed for Lighthouse: apt-get install -y nodejs npm")
    install_lighthouse()
    version = json.loads((LIGHTHOUSE.parent.parent / "package.json").read_text())["version"]
    chromium = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    browser = subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout.strip()

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-lighthouse-"))
    port = free_port()
    try:
        env = build_site(workdir, port)
        print(f"lighthouse {version}, {browser}; granian 2 workers, DEBUG off, SQLite demo site")
        print(f"before: {machine_state()}", flush=True)
        with tempfile.TemporaryFile(mode="w+") as log:
            proc = start_app(env, port, log)
            try:
                base = f"http://127.0.0.1:{port}"
                pages = {k: v for k, v in find_pages(base).items() if k in args.pages.split(",")}
                print(f"{'page':<8} {'form':<8} " + " ".join(f"{c:>15}" for c in CATEGORIES))
                for name, path in pages.items():
                    for form in args.forms.split(","):
                        reports = [lighthouse(base + path, form) for _ in range(args.runs)]
                        scores = [
                            round(
                                statistics.median(
                                    r["categories"][c]["score"] * 100 for r in reports
                                )
                            )
                            for c in CATEGORIES
                        ]
                        print(
                            f"{name:<8} {form:<8} "
                            + " ".join(f"{s:>15}" for s in scores)
                            + f"   {path}",
                            flush=True,
                        )
                        if args.details and (lost := lost_points(reports[0])):
                            print("\n".join(lost), flush=True)
            finally:
                stop(proc)
        print(f"after: {machine_state()}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
