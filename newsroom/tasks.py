"""How the project enqueues background work (Django's tasks framework).

Every app enqueues through these helpers rather than ``Task.enqueue`` directly, because the
two backends we run behave differently:

* ``ImmediateBackend`` (``make run``, tests) runs the task inside ``enqueue`` and returns a
  finished result; a failure is recorded on the result, never raised, and it cannot defer
  (``run_after`` raises ``InvalidTask``).
* ``django_tasks_db.DatabaseBackend`` (production) stores a row and returns at once; the
  ``db_worker`` process runs it later, at or after ``run_after``.

The pattern for new work (e.g. the page cache's purges)::

    # pagecache/tasks.py (or newsroom/pagecache.py)
    from django.tasks import task
    from newsroom.tasks import enqueue_on_commit

    @task
    def purge_article(article_id: int) -> int:   # arguments must be JSON: ids, strings
        ...

    # wherever the change is saved, inside its transaction:
    enqueue_on_commit(purge_article, article.pk)
    # and for the moment a scheduled article becomes public:
    enqueue_on_commit(purge_article, article.pk, run_after=article.publish_at)

A task that may fail for a while (SMTP, a CDN's API) takes an ``attempt`` keyword and calls
``retry_later`` from its ``except`` block, then re-raises: see ``donations/tasks.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import Task, TaskResult, TaskResultStatus
from django.utils import timezone

logger = logging.getLogger(__name__)


def can_defer(task_obj: Task) -> bool:
    """Whether the task's backend can hold a task until ``run_after``."""
    return task_obj.get_backend().supports_defer


def enqueue(
    task_obj: Task, *args: Any, run_after: dt.datetime | None = None, **kwargs: Any
) -> TaskResult | None:
    """Enqueue now; with ``run_after``, not before that time.

    Returns ``None`` when the backend cannot defer and the time is still ahead (the
    immediate backend): running it now would be too early and there is no queue to hold
    it, so callers must not depend on deferred work under ``make run`` (each use says what
    covers for it). A failure of an immediate run is logged, never raised: background work
    must not break the request that asked for it.
    """
    if run_after is not None:
        if can_defer(task_obj):
            task_obj = task_obj.using(run_after=run_after)
        elif run_after > timezone.now():
            logger.info(
                "tasks: %s%r not deferred to %s: the %s backend cannot defer",
                task_obj.name,
                args,
                run_after.isoformat(),
                task_obj.backend,
            )
            return None
    result = task_obj.enqueue(*args, **kwargs)
    if result.status == TaskResultStatus.FAILED and result.errors:
        logger.error("tasks: %s%r failed:\n%s", task_obj.name, args, result.errors[-1].traceback)
    return result


def enqueue_on_commit(
    task_obj: Task, *args: Any, run_after: dt.datetime | None = None, **kwargs: Any
) -> None:
    """Enqueue once the current transaction commits (at once outside one).

    After commit so the worker (or the immediate backend) sees the saved rows, and nothing
    is enqueued for a change that rolled back. ``robust``: an enqueue that fails (the
    database gone right after the commit) is logged and does not turn a saved change into
    an error page; sweeps (``send_unsent_receipts``, ``rebuild_related``) repair it.
    """
    transaction.on_commit(
        partial(enqueue, task_obj, *args, run_after=run_after, **kwargs), robust=True
    )


def retry_delay(attempt: int) -> dt.timedelta:
    """Exponential backoff: TASK_RETRY_DELAY after the first failure, doubling after each."""
    return dt.timedelta(seconds=settings.TASK_RETRY_DELAY * 2 ** (attempt - 1))


def retry_later(task_obj: Task, *args: Any, attempt: int, **kwargs: Any) -> bool:
    """Enqueue the next attempt of a failing task, if there is one; ``True`` if enqueued.

    Call it from the task's ``except`` block and re-raise, so this attempt is recorded as
    failed with its traceback (editors see it in the admin under "Task results") while the
    next one waits in the queue with ``attempt + 1``. After TASK_MAX_ATTEMPTS the last
    failure stays as the final word. The immediate backend cannot wait, and retrying at
    once inside a request would only repeat the failure, so it gets no retry.
    """
    if attempt >= settings.TASK_MAX_ATTEMPTS:
        logger.error("tasks: %s%r failed %d times; giving up", task_obj.name, args, attempt)
        return False
    if not can_defer(task_obj):
        return False
    enqueue(
        task_obj,
        *args,
        run_after=timezone.now() + retry_delay(attempt),
        attempt=attempt + 1,
        **kwargs,
    )
    return True
