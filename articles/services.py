"""Write workflows: the one way to change what the public sees of an article, and readers' input.

Publishing workflows (``article_publish``, ``article_schedule``, ``article_unpublish``,
``article_save``, ``article_delete``) are what the admin, management commands, imports and
scripts call. Each is atomic and announces its change through ``articles.events`` once the
transaction commits, so the apps above (related content) stay fresh whichever path was
taken. Permissions are the caller's job (``articles.permissions``): a command run by an
operator may publish; the admin asks ``can_publish`` first.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from articles import events, history
from articles.feedback import helpful_vote_record  # noqa: F401  (kept as services' API)
from articles.models import Article, HelpfulVote, ReaderComment

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


class PublishingError(ValueError):
    """A publishing request that makes no sense (scheduling in the past); safe to show."""


def _visible(status: str, publish_at: dt.datetime | None) -> bool:
    """Public or scheduled: the states in which readers (now or later) see the article."""
    return status == Article.Status.PUBLISHED and publish_at is not None


def _announce(*, article_id: int, was_visible: bool, is_visible: bool, created: bool) -> None:
    if is_visible and (created or not was_visible):
        signal = events.article_published
    elif was_visible and not is_visible:
        signal = events.article_unpublished
    else:
        signal = events.article_changed
    events.send_on_commit(signal, article_id=article_id)


def _previous_state(article: Article) -> tuple[str, dt.datetime | None] | None:
    if article.pk is None:
        return None
    # Locked: two editors publishing and unpublishing at once serialise here.
    return (
        Article.objects.select_for_update()
        .filter(pk=article.pk)
        .values_list("status", "publish_at")
        .first()
    )


@transaction.atomic
def article_save(*, article: Article, by: AbstractBaseUser | None = None) -> Article:
    """Save an edited (or new) article as it is, and announce what changed for readers.

    The admin's change form calls this; its tags and bylines are saved later in the same
    transaction, and the announcement waits for the commit, so receivers see them too.
    ``by``: who made the change, when the caller knows and records nothing itself (admin
    actions): the revision of this version names them, in the same transaction.
    """
    previous = _previous_state(article)
    article.save()
    if by is not None:
        history.revision_record(article=article, user=by)
    _announce(
        article_id=article.pk,
        was_visible=previous is not None and _visible(*previous),
        is_visible=_visible(article.status, article.publish_at),
        created=previous is None,
    )
    return article


@transaction.atomic
def article_publish(
    *, article: Article, at: dt.datetime | None = None, by: AbstractBaseUser | None = None
) -> Article:
    """Make the article public now (``at`` None), or at ``at`` (future: scheduled).

    "Now" means now even for an article that had an old or a future time: a stale future time
    would schedule it, a stale past one backdate it.
    """
    article.status = Article.Status.PUBLISHED
    article.publish_at = at or timezone.now()
    return article_save(article=article, by=by)


@transaction.atomic
def article_schedule(
    *, article: Article, at: dt.datetime, by: AbstractBaseUser | None = None
) -> Article:
    """Publish at a future time (readers see it from then on, with no job running)."""
    if at <= timezone.now():
        raise PublishingError("A scheduled time must be in the future; publish it now instead.")
    return article_publish(article=article, at=at, by=by)


@transaction.atomic
def article_unpublish(
    *,
    article: Article,
    status: str = Article.Status.DRAFT,
    by: AbstractBaseUser | None = None,
) -> Article:
    """Take the article off the site (back to draft, or to review)."""
    if status == Article.Status.PUBLISHED:
        raise PublishingError("Unpublishing moves an article to draft or review.")
    article.status = status
    return article_save(article=article, by=by)


@transaction.atomic
def article_delete(*, article: Article) -> None:
    """Delete the article; receivers of ``article_deleting`` read what the cascade removes."""
    article_id = article.pk
    events.send_now(events.article_deleting, article_id=article_id)
    article.delete()
    events.send_on_commit(events.article_deleted, article_id=article_id)


def helpful_vote_for(article: Article, session_key: str | None) -> HelpfulVote | None:
    if not session_key:
        return None
    return HelpfulVote.objects.filter(article=article, session_key=session_key).first()


@transaction.atomic
def reader_comment_submit(
    *, article: Article, name: str, email: str, message: str
) -> ReaderComment:
    return ReaderComment.objects.create(article=article, name=name, email=email, message=message)


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
