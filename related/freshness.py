"""Related lists follow every change ``articles`` announces (``articles.events``).

Connected by ``RelatedConfig.ready``. The receivers only hand the work to tasks
(``related.tasks``): the refresh runs in the task worker when one is configured, right after
the commit in-process under the immediate backend. Which lists a change affects is
``related.services``' business (``related_refresh``, ``lists_to_refresh_for_deletion``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from articles import events
from articles.models import Article
from related import services, tasks


def _refresh(sender: type, *, article_id: int, **kwargs: Any) -> None:
    # Sent after the commit already: enqueue at once.
    tasks.refresh_now_and_at_publish(article_id)


def _before_deletion(sender: type, *, article_id: int, **kwargs: Any) -> None:
    # Inside the deleting transaction: read the lists the cascade is about to hide from us.
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return
    with transaction.atomic():  # a failed read rolls back to here, never the deletion
        affected = services.lists_to_refresh_for_deletion(article)
    tasks.related_lists_refresh_on_commit(affected)


def connect() -> None:
    for signal in (events.article_published, events.article_unpublished, events.article_changed):
        signal.connect(_refresh, sender=Article, dispatch_uid=f"related:{id(signal)}")
    events.article_deleting.connect(
        _before_deletion, sender=Article, dispatch_uid="related:deleting"
    )
