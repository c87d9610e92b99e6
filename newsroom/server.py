"""The production server's configuration: granian serving ``newsroom.wsgi:application``.

granian reads no config file; this module is ours. ``serve_production`` runs
``granian <granian_args()>``. Every option below is also one of granian's own
``GRANIAN_*`` environment variables (``granian --help`` lists them): when that variable is
set we leave the option out, so the environment always wins over these defaults.
docs/performance.md has the measurements behind choosing granian over gunicorn.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

WSGI_APP = "newsroom.wsgi:application"
# The default format plus nothing: time, client, request line, status, milliseconds.
ACCESS_LOG_FORMAT = (
    '[%(time)s] %(addr)s - "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).3f'
)


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1; got {raw!r}")
    return int(raw)


def default_workers() -> int:
    # One process per core: each request is Python work on that core (granian's own I/O
    # runs on Rust threads beside it). WEB_CONCURRENCY is what hosting platforms set.
    return os.cpu_count() or 1


def granian_options(env: Mapping[str, str]) -> dict[str, str | None]:
    """granian's option -> value (None: a flag without value), before env overrides."""
    return {
        "--interface": "wsgi",
        "--host": env.get("HOST", "127.0.0.1"),
        "--port": str(_positive_int(env, "PORT", 8000)),
        "--workers": str(_positive_int(env, "WEB_CONCURRENCY", default_workers())),
        # One Python thread per worker, like gunicorn's sync workers: Django's request
        # handling holds the GIL, and more threads would only add contention. The socket
        # work (keep-alive, parsing, slow clients) is granian's, off the GIL.
        "--blocking-threads": "1",
        "--no-ws": None,  # WSGI has no websockets; says so instead of logging it
        # Graceful replacement of each worker after an hour (granian staggers them), the
        # counterpart of gunicorn's max-requests: slow leaks cannot grow forever.
        "--workers-lifetime": "3600",
        # How long a worker, on SIGTERM/SIGHUP or at the end of its lifetime, may finish the
        # requests it holds before it is killed.
        "--workers-kill-timeout": "30",
        # A worker that dies (a segfault in a C extension, the OOM killer) is replaced.
        "--respawn-failed-workers": None,
        # A client that opens a connection and sends no headers is dropped (milliseconds).
        "--http1-header-read-timeout": "30000",
        "--access-log": None,
        "--access-log-fmt": ACCESS_LOG_FORMAT,
        "--log-level": env.get("LOG_LEVEL", "info").lower(),
    }


def _env_name(option: str) -> str:
    # granian's own variable for an option (checked against `granian --help`):
    # --workers-lifetime -> GRANIAN_WORKERS_LIFETIME; the access log ones are irregular.
    special = {
        "--access-log": "GRANIAN_LOG_ACCESS_ENABLED",
        "--access-log-fmt": "GRANIAN_LOG_ACCESS_FMT",
        "--no-ws": "GRANIAN_WEBSOCKETS",
    }
    return special.get(option) or "GRANIAN_" + option.removeprefix("--").replace("-", "_").upper()


def granian_args(env: Mapping[str, str] | None = None) -> list[str]:
    """The command-line options for granian, leaving out those set by ``GRANIAN_*``;
    ``env`` is the environment granian will run with (this process's by default)."""
    env = os.environ if env is None else env
    args: list[str] = []
    for option, value in granian_options(env).items():
        if option in {"--host", "--port", "--workers"}:
            pass  # ours (HOST, PORT, WEB_CONCURRENCY): the README documents them
        elif _env_name(option) in env:
            continue
        args.append(option)
        if value is not None:
            args.append(value)
    return [*args, WSGI_APP]
