"""`make test` without Chromium: browser tests are skipped with the reason, except in CI."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# One browser journey: enough to see what the chromium fixture does.
BROWSER_TESTS = "tests/browser/test_reader_journey.py"
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


def _pytest_without_chromium(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: os.environ[k] for k in _KEEP if k in os.environ}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", BROWSER_TESTS],
        cwd=ROOT,
        env={
            **base,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SITE_URL": "http://testserver",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'browser.sqlite3'}",
            "CHROMIUM_PATH": str(tmp_path / "no-chromium-here"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_browser_tests_are_skipped_with_the_reason_when_chromium_is_missing(tmp_path):
    done = _pytest_without_chromium(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " skipped" in done.stdout and " failed" not in done.stdout
    assert " error" not in done.stdout
    # -ra (pyproject's addopts) lists each skip with why and how to get the browser.
    assert "SKIPPED" in done.stdout
    assert "Chromium not found at" in done.stdout
    assert "apt-get install chromium" in done.stdout


def test_missing_chromium_fails_the_browser_tests_in_ci(tmp_path):
    done = _pytest_without_chromium(tmp_path, CI="1")
    assert done.returncode != 0
    assert "CI is set: a missing browser fails the run" in done.stdout
