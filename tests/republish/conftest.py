import os
import uuid

import pytest
from django.core.cache import cache

from republish import counters
from tests.images.conftest import make_image  # noqa: F401  (the image library's fixture)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Each test counts from zero: a new in-memory store, no flush guard left behind."""
    settings.REPUBLISH_REDIS_URL = ""
    counters._store_for.cache_clear()
    counters._buffer_for.cache_clear()
    counters._next_schedule_attempt = 0.0
    cache.clear()
    yield
    counters._store_for.cache_clear()
    cache.clear()


@pytest.fixture
def redis_store(settings):
    """The Redis counters (the production path) under a key prefix of this test's own."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"test-republish-{uuid.uuid4().hex[:8]}:"
    settings.REPUBLISH_REDIS_URL = REDIS_URL
    settings.REPUBLISH_KEY_PREFIX = prefix
    settings.REPUBLISH_BUFFER_SECONDS = 0  # every hit straight to Redis, unless a test says
    counters._store_for.cache_clear()
    counters._buffer_for.cache_clear()
    store = counters.store()
    yield store
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    counters._store_for.cache_clear()
    counters._buffer_for.cache_clear()


def hold_flushes() -> None:
    """Hits count without scheduling a flush (the guard is taken), so a test decides when."""
    cache.add(counters.FLUSH_GUARD_KEY, 1, timeout=3600)
