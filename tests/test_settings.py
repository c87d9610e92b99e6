"""Bad configuration stops the process at start with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check(**env: str) -> subprocess.CompletedProcess:
    unset = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "SITE_URL", "ARTICLES_PER_PAGE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_is_refused_when_debug_is_off():
    result = _check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_nonsense_boolean_names_the_variable():
    result = _check(DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_bad_database_url_names_the_variable():
    result = _check(DEBUG="1", DATABASE_URL="nonsense://")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_good_configuration_starts():
    result = _check(
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="news.example.org",
        SITE_URL="https://news.example.org",
    )
    assert result.returncode == 0, result.stderr


def test_unknown_default_licence_is_reported_at_start():
    result = _check(DEBUG="1", DEFAULT_LICENCE="cc-everything")
    assert result.returncode != 0
    assert "DEFAULT_LICENCE='cc-everything' is not a known licence." in result.stderr


def test_site_url_is_required_when_debug_is_off():
    result = _check(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_zero_page_size_is_refused():
    result = _check(DEBUG="1", ARTICLES_PER_PAGE="0")
    assert result.returncode != 0
    assert "ARTICLES_PER_PAGE must be between 1 and 100" in result.stderr
