"""Background work for related content (Django's tasks framework).

Enqueued after the transaction that changed an article commits, so the worker (or the
immediate backend) always sees the saved state. With ``ImmediateBackend`` (the default, so
``make run`` needs no worker) the work runs right after the commit, in-process; point
``TASKS_BACKEND`` at a queue-backed backend in production to move it out of the request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.tasks import task
from django.tasks.base import TaskResultStatus

from related import services

logger = logging.getLogger(__name__)


@task
def refresh_related(article_id: int) -> dict[str, int]:
    return services.related_refresh(article_id)


@task
def refresh_related_lists(article_ids: list[int]) -> int:
    return services.related_lists_refresh(article_ids)


def _enqueue(task_obj, *args) -> None:
    result = task_obj.enqueue(*args)
    # The immediate backend records a failure instead of raising it: never break the editor's
    # save for a related list (the next refresh or rebuild repairs it), but do say so.
    if result.status == TaskResultStatus.FAILED:
        logger.error("related: %s%r failed:\n%s", task_obj.name, args, result.errors[-1].traceback)


def related_refresh_on_commit(article_ids: Iterable[int]) -> None:
    """Refresh these articles' lists, and the lists they enter or leave, after commit."""
    for article_id in sorted(set(article_ids)):
        transaction.on_commit(lambda pk=article_id: _enqueue(refresh_related, pk))


def related_lists_refresh_on_commit(article_ids: Iterable[int]) -> None:
    """Recompute the given lists after commit (e.g. the lists that showed a deleted article)."""
    ids = sorted(set(article_ids))
    if ids:
        transaction.on_commit(lambda: _enqueue(refresh_related_lists, ids))
