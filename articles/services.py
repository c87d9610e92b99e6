"""Write workflows that span models, and the reads the article page composes."""

from __future__ import annotations

from django.db import transaction

from articles.feedback import helpful_vote_record  # noqa: F401  (kept as services' API)
from articles.models import Article, HelpfulVote, ReaderComment
from related.services import related_for_page

RELATED_COUNT = 3


def helpful_vote_for(article: Article, session_key: str | None) -> HelpfulVote | None:
    if not session_key:
        return None
    return HelpfulVote.objects.filter(article=article, session_key=session_key).first()


@transaction.atomic
def reader_comment_submit(
    *, article: Article, name: str, email: str, message: str
) -> ReaderComment:
    return ReaderComment.objects.create(article=article, name=name, email=email, message=message)


def related_articles(article: Article, *, count: int = RELATED_COUNT) -> list[Article]:
    """The related block: editors' pins first, then the engine's suggestions (related app).

    Read from the stored, precomputed list in one query; items are ``Article`` objects with
    ``related_reason`` / ``related_pinned`` attributes.
    """
    return related_for_page(article, count=count)
