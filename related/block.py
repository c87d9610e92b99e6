"""The related block below a story: registered with the article page (``articles.reads``).

Its cards join the page's one UNION ALL (no query of its own); the template is
``templates/related/block.html``. Registered by ``RelatedConfig.ready``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet, Subquery

from articles.models import Article
from articles.reads import StoryBlock, card_part
from related.models import RelatedItem
from related.services import PAGE_COUNT


def _part(now: dt.datetime, pk: int, block: int) -> QuerySet:
    # Stored lines whose target readers may see now, best first: pins, then suggestions.
    visible = (
        RelatedItem.objects.filter(article_id=pk, target__in=Article.objects.published(at=now))
        .order_by("rank")
        .values("pk")[:PAGE_COUNT]
    )
    return card_part(
        RelatedItem.objects.filter(pk__in=Subquery(visible)),
        block,
        prefix="target__",
        rank="rank",
        reason="reason",
        pinned="pinned",
    )


RELATED_BLOCK = StoryBlock(name="related", part=_part, template="related/block.html")
