"""What ``articles`` tells the apps above it when the public's view of an article changes.

The narrow hook between ``articles`` and the apps that read it (``related``, later others):
``articles`` imports none of them; they connect receivers here in their ``AppConfig.ready``.
Only ``articles.services`` sends these, so every path that changes what readers see (the
admin, management commands, imports, scripts) announces it the same way.

Every signal is sent with ``sender=Article`` and ``article_id`` (an int; the row may be gone).

- ``article_published``: it became public now, or scheduled (``publish_at`` in the future).
- ``article_unpublished``: it went back to draft or review (no longer public or scheduled).
- ``article_changed``: an edit of an article, whatever its state (text, tags, slug, time).
- ``article_deleted``: it is gone.

All four are sent **after the transaction commits** (``transaction.on_commit``), so a
receiver sees the saved rows and nothing is announced for a change that rolled back.

``article_deleting`` is the one exception: it is sent inside the deleting transaction, just
before the row goes, for receivers that must read something the deletion cascades away (the
lists that show the article). Its receivers read and schedule work with
``transaction.on_commit``; they must not write.

Receivers hold no business logic: they hand the work to their own app's task (STYLE.md).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

article_published = Signal()
article_unpublished = Signal()
article_changed = Signal()
article_deleted = Signal()
article_deleting = Signal()


def send_on_commit(signal: Signal, *, article_id: int) -> None:
    """Announce ``signal`` for ``article_id`` once the current transaction commits.

    A receiver that fails (its queue unreachable) is logged and does not turn a saved change
    into an error page, nor stop the other receivers; ``rebuild_related`` repairs its work.
    """
    transaction.on_commit(partial(send_now, signal, article_id=article_id), robust=True)


def send_now(signal: Signal, *, article_id: int) -> None:
    from articles.models import Article

    for receiver, result in signal.send_robust(sender=Article, article_id=article_id):
        if isinstance(result, Exception):
            logger.error(
                "articles.events: %r failed for article %s",
                receiver,
                article_id,
                exc_info=(type(result), result, result.__traceback__),
            )
