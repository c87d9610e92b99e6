"""The project's own small tables (the shared rate-limit counter)."""

from django.db import models


class RateLimitCounter(models.Model):
    """One fixed-window counter (scope, client, window) for ``newsroom.ratelimit``.

    Used when no Redis is configured: the database is the one store that every
    gunicorn worker shares, and ``ratelimit._count_in_database`` increments a row
    with a single INSERT ... ON CONFLICT ... DO UPDATE SET count = count + 1, which is
    atomic across processes (a cache's get-then-set is not).
    """

    key = models.CharField(max_length=255, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
