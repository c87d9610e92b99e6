"""Health probes for load balancers and process managers: ``/healthz`` and ``/readyz``.

- ``/healthz``: the process is up and answering. Touches nothing else, so a database outage
  does not make an orchestrator restart every healthy app server (restarts would not help).
- ``/readyz``: this process can serve pages: the primary database answers ``SELECT 1``
  and the default cache takes a write and a read. 503 names what failed, so the probe's log
  says where to look.

They are answered by a middleware placed first in ``MIDDLEWARE``, before anything that asks
for the request's host: a load balancer probes by the instance's IP address (``Host:
10.0.3.7:8000``), which ``ALLOWED_HOSTS`` would answer with a 400, and before
``SECURE_SSL_REDIRECT``, which would send a plain-HTTP probe a 301. Both answers carry
``Cache-Control: no-store`` so no cache in front of us ever keeps a probe's answer.
They reveal nothing but "ok"/"unavailable" per dependency: no versions, hosts or errors.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"


def _probe_response(payload: dict[str, object], status: int) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _database_ok(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "not ready"; the log keeps the detail
        logger.warning("readyz: database %r unavailable", alias, exc_info=True)
        # A broken connection must not be reused by the next request of this worker.
        connections[alias].close_if_unusable_or_obsolete()
        return False
    return True


def _cache_ok() -> bool:
    cache = caches["default"]
    # A per-call key: with several workers probing at once, no probe reads another's value.
    key, token = f"readyz:{uuid.uuid4().hex}", "1"
    try:
        cache.set(key, token, timeout=10)
        ok = cache.get(key) == token
        cache.delete(key)
    except Exception:  # connection refused, timeout, protocol error: all "not ready"
        logger.warning("readyz: cache unavailable", exc_info=True)
        return False
    return ok


def readiness() -> dict[str, str]:
    """``{"database": "ok", "cache": "unavailable"}``.

    Only the primary database: a read replica that is down is not a reason to take this
    server out of the load balancer, since the router sends its reads to the primary then
    (newsroom/db_router.py); were it one, one replica's outage would empty the whole pool.
    """
    return {
        "database": "ok" if _database_ok(DEFAULT_DB_ALIAS) else "unavailable",
        "cache": "ok" if _cache_ok() else "unavailable",
    }


class HealthCheckMiddleware:
    """Answers the two probe paths before any other middleware runs (see the module doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            return _probe_response({"status": "ok"}, 200)
        if request.path == READY_PATH:
            checks = readiness()
            failed = sorted(name for name, state in checks.items() if state != "ok")
            if failed:
                return _probe_response({"status": "unavailable", "failed": failed, **checks}, 503)
            return _probe_response({"status": "ok", **checks}, 200)
        return self.get_response(request)
