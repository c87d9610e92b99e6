"""Screenshots of the public pages at 1366 and 390 px wide, for docs/screenshots/.

    .venv/bin/python benchmarks/screenshots.py [--out docs/screenshots] [--max-height 2600]

The same site as benchmarks/lighthouse.py (a throwaway SQLite database with the demo
content, static files collected, granian with DEBUG off), photographed by Debian's Chromium
through Playwright: home, an article, a country hub and /donate/, each at a desktop width
(1366 px) and a phone width (390 px, device scale 1), the page's top --max-height pixels;
then, signed in as a throwaway superuser, the admin's article list and add form at 1366 px.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.http_throughput import start_app, stop  # noqa: E402
from benchmarks.lighthouse import build_site, find_pages  # noqa: E402
from benchmarks.server_compare import free_port  # noqa: E402

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
ADMIN_PASSWORD = "screenshots-only-" + "x7Qm2v"  # a throwaway site, deleted at the end
ADMIN_PAGES = {
    "admin-articles": "/admin/articles/article/",
    "admin-article-add": "/admin/articles/article/add/",
}


def admin_shots(browser, base: str, out: Path, max_height: int) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.goto(base + "/admin/login/")
    page.get_by_label("Username").fill("screenshots")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    for name, path in ADMIN_PAGES.items():
        page.goto(base + path, wait_until="networkidle")
        full = page.evaluate("document.documentElement.scrollHeight")
        target = out / f"{name}-1366.png"
        page.screenshot(
            path=str(target),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1366, "height": min(full, max_height)},
        )
        print(f"{target}  {path}  (admin)")
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--max-height", type=int, default=2600)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-screenshots-"))
    port = free_port()
    try:
        env = build_site(workdir, port)
        subprocess.run(
            [sys.executable, "manage.py", "createsuperuser", "--noinput"],
            cwd=ROOT,
            env={
                **env,
                "DJANGO_SUPERUSER_USERNAME": "screenshots",
                "DJANGO_SUPERUSER_EMAIL": "screenshots@example.org",
                "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
            },
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with tempfile.TemporaryFile(mode="w+") as log:
            proc = start_app(env, port, log)
            try:
                base = f"http://127.0.0.1:{port}"
                pages = find_pages(base)
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
                        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                    )
                    for label, (width, height) in WIDTHS.items():
                        context = browser.new_context(
                            viewport={"width": width, "height": height}, device_scale_factor=1
                        )
                        page = context.new_page()
                        for name, path in pages.items():
                            page.goto(base + path, wait_until="networkidle")
                            # Lazy pictures load as they near the viewport: scroll through first.
                            page.evaluate(
                                "async () => { for (let y = 0; y < document.body.scrollHeight;"
                                " y += 400) { window.scrollTo(0, y);"
                                " await new Promise(r => setTimeout(r, 50)); }"
                                " window.scrollTo(0, 0); }"
                            )
                            page.wait_for_load_state("networkidle")
                            full = page.evaluate("document.documentElement.scrollHeight")
                            target = out / f"{name}-{width}.png"
                            page.screenshot(
                                path=str(target),
                                full_page=True,
                                clip={
                                    "x": 0,
                                    "y": 0,
                                    "width": width,
                                    "height": min(full, args.max_height),
                                },
                            )
                            print(f"{target}  {path}  ({label})")
                        context.close()
                    admin_shots(browser, base, out, args.max_height)
                    browser.close()
            finally:
                stop(proc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
