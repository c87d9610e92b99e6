"""A fixed-window counter per client IP in Django's cache (Redis in production).

Small enough not to need a library: the donate and manage forms (and the readers'
comment and vote forms) each allow a few attempts per window, which stops card-testing
scripts from opening Checkout Sessions by the thousand while a real donor who mistypes
a few times is never blocked.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is trivially forged unless a trusted proxy
    # rewrites it, and then the proxy should set REMOTE_ADDR (e.g. uvicorn --proxy-headers).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request: HttpRequest, *, scope: str, limit: int, window: int) -> bool:
    """Count one attempt; False once this client has used ``limit`` in the current window."""
    if limit <= 0:
        return True
    bucket = int(time.time() // window)
    key = f"ratelimit:{scope}:{client_ip(request)}:{bucket}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
