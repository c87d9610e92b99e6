"""Corrections and updates: dated notes on an article, and the date they give it.

``Article.modified_at`` is the newest note's date: structured data and feeds read
``Article.date_modified`` (that, or the publish time), so a silent typo fix does not
claim to be an update, while a correction does.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from articles.models import Article, Correction


def article_modified_refresh(article: Article) -> dt.datetime | None:
    """Set ``modified_at`` from the article's notes (after notes were added, edited or
    deleted). A plain UPDATE: it is not an editorial revision and must not move the lock
    version under an editor who has the form open. The page cache is invalidated by the
    Correction row's own change."""
    newest = Correction.objects.filter(article=article).aggregate(newest=Max("noted_at"))["newest"]
    Article.objects.filter(pk=article.pk).update(modified_at=newest)
    article.modified_at = newest
    return newest


@transaction.atomic
def correction_add(
    *,
    article: Article,
    kind: str,
    text: str,
    user=None,
    noted_at: dt.datetime | None = None,
) -> Correction:
    """Add a "Correction:" or "Update:" note (scripts; the admin uses its inline)."""
    if kind not in Correction.Kind.values:
        raise ValueError(f"Unknown kind {kind!r}")
    note = Correction.objects.create(
        article=article,
        kind=kind,
        text=text.strip(),
        noted_at=noted_at or timezone.now(),
        created_by=user,
    )
    article_modified_refresh(article)
    return note
