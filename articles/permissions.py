"""Who may do what with an article. The admin and the views both ask here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from articles.models import Article

PUBLISH_PERMISSION = "articles.publish_article"


def can_publish(user) -> bool:
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def is_own(user, article: Article) -> bool:
    if article.pk is None:
        return True
    if article.created_by_id == user.pk:
        return True
    profile = getattr(user, "author_profile", None)
    return profile is not None and article.bylines.filter(author=profile).exists()


def can_edit(user, article: Article) -> bool:
    """Editors edit everything; writers edit their own work until it is published."""
    if can_publish(user):
        return True
    if not user.has_perm("articles.change_article"):
        return False
    return article.status != article.Status.PUBLISHED and is_own(user, article)


def can_delete(user, article: Article) -> bool:
    if can_publish(user):
        return user.has_perm("articles.delete_article")
    return (
        user.has_perm("articles.delete_article")
        and article.status == article.Status.DRAFT
        and is_own(user, article)
    )


def can_preview(user, article: Article) -> bool:
    return can_publish(user) or (
        user.has_perm("articles.view_article")
        and (is_own(user, article) or article.status != article.Status.DRAFT)
    )
