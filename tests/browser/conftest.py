"""Headless Chromium (Debian's build) driven by Playwright against pytest-django's live server."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# tests themselves (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _in_ci() -> bool:
    # .ci/run (and every CI service) sets CI; there a missing browser is a broken machine.
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        reason = (
            f"Chromium not found at {CHROMIUM}: browser tests need Debian's chromium "
            "(`apt-get install chromium`, which `make test` does when run as root) or "
            "CHROMIUM_PATH pointing at a Chromium binary"
        )
        if _in_ci():
            pytest.fail(reason + " (CI is set: a missing browser fails the run)")
        # Elsewhere the rest of the suite still runs; pytest's summary (-ra) lists each
        # browser test skipped with this reason.
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_violations() -> list[str]:
    """What Chromium reported as blocked by the Content-Security-Policy during the test."""
    return []


def _is_csp_report(text: str) -> bool:
    # Chromium logs every blocked script, style, frame, connection or form target as a
    # console error naming the policy ("Refused to ... because it violates the following
    # Content Security Policy directive: ..."), including those blocked on redirects.
    return "Content Security Policy" in text


@pytest.fixture
def page(chromium, live_server, settings, csp_violations):
    settings.SITE_URL = live_server.url
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on(
        "console",
        lambda message: _is_csp_report(message.text) and csp_violations.append(message.text),
    )
    yield page
    context.close()
    # Every journey runs under the production policy: a page or admin screen that needs
    # something the policy forbids fails its test here, not silently in production.
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)
