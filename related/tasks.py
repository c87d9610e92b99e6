"""Background work for related content (Django's tasks framework).

Enqueued after the transaction that changed an article commits, so the worker (or the
immediate backend) always sees the saved state. With ``ImmediateBackend`` (``make run``,
tests) the work runs right after the commit, in-process; with the database queue
(production) ``manage.py db_worker`` runs it. Enqueuing goes through ``newsroom.tasks``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.tasks import task

from articles.models import Article
from newsroom.tasks import enqueue, enqueue_on_commit
from related import services


@task
def refresh_related(article_id: int) -> dict[str, int]:
    result = services.related_refresh(article_id)
    if services.statistics_drifted():
        # The corpus has outgrown the statistics snapshot (or there is none yet): refit it,
        # in the worker; every list moves a little then, as with ``rebuild_related``.
        enqueue(refit_related)
    return result


# Below everything else in the queue: a refit takes seconds to minutes, and refreshes that
# were queued before it should not wait for it.
@task(priority=-10)
def refit_related() -> bool:
    """Refit the statistics snapshot and rebuild every list (``rebuild_related``), unless
    another refit did it since this one was queued; returns whether it ran."""
    if not services.statistics_drifted():
        return False
    # Imported here: the rebuild is only needed by this rare task.
    from related.rebuild import rebuild

    rebuild(refit=True)
    return True


@task
def refresh_related_lists(article_ids: list[int]) -> int:
    return services.related_lists_refresh(article_ids)


@task
def refresh_related_at_publish(article_id: int, publish_at: str) -> dict[str, int] | None:
    """The follow-up of a scheduled article, run at its publish time (``run_after``).

    Its lists were computed when it was scheduled (scheduled articles are candidates and
    the page read filters on ``published()``), so this catches up with what was published
    in between. Stale follow-ups do nothing: an article rescheduled, unpublished or
    deleted since enqueued its own follow-up (or none) with that save.
    """
    current = (
        Article.objects.published()
        .filter(pk=article_id)
        .values_list("publish_at", flat=True)
        .first()
    )
    if current is None or current != dt.datetime.fromisoformat(publish_at):
        return None
    return services.related_refresh(article_id)


def refresh_now_and_at_publish(article_id: int) -> None:
    """Refresh now; for a scheduled article, once more at its publish time."""
    enqueue(refresh_related, article_id)
    publish_at = (
        Article.objects.scheduled().filter(pk=article_id).values_list("publish_at", flat=True)
    ).first()
    if publish_at is not None:
        # Not deferred under the immediate backend (it cannot wait); nothing is lost there:
        # the lists are already right at publish time, this only catches up.
        enqueue(
            refresh_related_at_publish, article_id, publish_at.isoformat(), run_after=publish_at
        )


def related_refresh_on_commit(article_ids: Iterable[int]) -> None:
    """Refresh these articles' lists, and the lists they enter or leave, after commit; for
    a scheduled article, once more at its publish time."""
    for article_id in sorted(set(article_ids)):
        # robust: the lookup of a scheduled time must not break the editor's save either.
        transaction.on_commit(partial(refresh_now_and_at_publish, article_id), robust=True)


def related_lists_refresh_on_commit(article_ids: Iterable[int]) -> None:
    """Recompute the given lists after commit (e.g. the lists that showed a deleted article)."""
    ids = sorted(set(article_ids))
    if ids:
        enqueue_on_commit(refresh_related_lists, ids)
