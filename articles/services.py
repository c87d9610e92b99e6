"""Write workflows that span models, and the reads the article page composes."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from articles.models import Article, HelpfulVote, ReaderComment
from related.services import related_for_page

RELATED_COUNT = 3


@transaction.atomic
def helpful_vote_record(*, article: Article, session_key: str, helpful: bool) -> bool:
    """Store one vote per reader session; returns False when this session had voted already."""
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(article=article, session_key=session_key, helpful=helpful)
    except IntegrityError:
        return False
    return True


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


def article_bodies_redraw(image_id: int) -> int:
    """Redraw the stored bodies (``Article.body_html``) that show library image ``image_id``.

    Called by the image library when an image's caption, credit or renditions change, or it
    is deleted (``images.hooks``; registered in ``ArticlesConfig.ready``). A bulk update
    sends no signals, so the page cache is told here.
    """
    from images.markup import render_body
    from newsroom.pagecache import invalidate_on_commit

    marker = f'data-image="{image_id}"'
    changed = 0
    for pk, body, old in Article.objects.filter(body__contains=marker).values_list(
        "pk", "body", "body_html"
    ):
        new = render_body(body)
        if new != old:
            changed += Article.objects.filter(pk=pk).update(body_html=new)
    if changed:
        invalidate_on_commit(reason=f"inline image {image_id} redrawn in {changed} article(s)")
    return changed
