"""Bad configuration stops the process at start with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Public and for tests only: 64 characters, many distinct ones, so it passes the same rule
# as a real key (Django's security.W009), which DEBUG off enforces at start.
STRONG_TEST_KEY = "test-only-insecure-key-never-use-in-production-0123456789abcdefg"

# The environment README's "Production security settings" documents.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": STRONG_TEST_KEY,
    "ALLOWED_HOSTS": "news.example.org",
    "SITE_URL": "https://news.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "BEHIND_TLS_PROXY": "1",
    "SECURE_COOKIES": "1",
}

# Variables of the machine running the tests that would change what is being checked.
_UNSET = {
    "SECRET_KEY",
    "DEBUG",
    "DATABASE_URL",
    "SITE_URL",
    "ARTICLES_PER_PAGE",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "SECURE_COOKIES",
    # Set by the browser tests' conftest in this process; `check --deploy` rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def _check(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in _UNSET}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
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
        SECRET_KEY=STRONG_TEST_KEY,
        ALLOWED_HOSTS="news.example.org",
        SITE_URL="https://news.example.org",
    )
    assert result.returncode == 0, result.stderr


def test_documented_production_environment_passes_check_deploy_with_no_warning():
    result = _check("--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_without_the_tls_settings_still_starts_but_check_deploy_warns():
    # TLS settings are opt-in (a site must really be on HTTPS before it sends HSTS), so a
    # minimal production environment starts; `check --deploy` says what is missing.
    minimal = {
        "DEBUG": "0",
        "SECRET_KEY": STRONG_TEST_KEY,
        "ALLOWED_HOSTS": "news.example.org",
        "SITE_URL": "https://news.example.org",
    }
    assert _check(**minimal).returncode == 0
    deploy = _check("--deploy", "--fail-level", "WARNING", **minimal)
    assert deploy.returncode != 0
    assert "security.W004" in deploy.stderr  # HSTS
    assert "security.W008" in deploy.stderr  # SSL redirect


def test_hsts_without_subdomains_and_preload_is_reported_by_check_deploy():
    partial = {**PRODUCTION, "SECURE_HSTS_INCLUDE_SUBDOMAINS": "0", "SECURE_HSTS_PRELOAD": "0"}
    result = _check("--deploy", "--fail-level", "WARNING", **partial)
    assert result.returncode != 0
    assert "security.W005" in result.stderr and "security.W021" in result.stderr


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("test-only-secret", "shorter than 50 characters"),
        ("x" * 64, "fewer than 5 different characters"),
        ("ab" * 40, "fewer than 5 different characters"),
        ("django-insecure-" + STRONG_TEST_KEY, "Django's generated development prefix"),
    ],
)
def test_weak_secret_key_stops_the_process_when_debug_is_off(key: str, why: str):
    result = _check(DEBUG="0", SECRET_KEY=key, SITE_URL="https://news.example.org")
    assert result.returncode != 0, why
    assert "SECRET_KEY is too weak" in result.stderr, why


def test_secret_key_rule_matches_djangos_deploy_check():
    # The weakest key that passes the start-up rule also passes security.W009.
    key = "abcde" * 10
    assert len(key) == 50
    started = _check("--deploy", DEBUG="0", SECRET_KEY=key, SITE_URL="https://news.example.org")
    assert started.returncode == 0, started.stderr
    assert "security.W009" not in started.stderr
    assert _check(DEBUG="0", SECRET_KEY=key[:-1], SITE_URL="https://x.org").returncode != 0


def test_weak_secret_key_is_accepted_in_debug_for_local_work():
    result = _check(DEBUG="1", SECRET_KEY="dev")
    assert result.returncode == 0, result.stderr


def test_unknown_default_licence_is_reported_at_start():
    result = _check(DEBUG="1", DEFAULT_LICENCE="cc-everything")
    assert result.returncode != 0
    assert "DEFAULT_LICENCE='cc-everything' is not a known licence." in result.stderr


def test_site_url_is_required_when_debug_is_off():
    result = _check(DEBUG="0", SECRET_KEY=STRONG_TEST_KEY)
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_zero_page_size_is_refused():
    result = _check(DEBUG="1", ARTICLES_PER_PAGE="0")
    assert result.returncode != 0
    assert "ARTICLES_PER_PAGE must be between 1 and 100" in result.stderr
