"""Write workflows that span models, and the reads the article page composes."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from articles.models import Article, HelpfulVote, ReaderComment

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
    """Published articles in the same language that share the most tags with ``article``.

    A deliberately simple ranking (shared countries, groups and topics, then recency),
    computed in one query; the related-content engine replaces it.
    """
    country_ids = [tag.pk for tag in article.countries.all()]
    group_ids = [tag.pk for tag in article.groups.all()]
    topic_ids = [tag.pk for tag in article.topics.all()]
    terms = [
        Count(relation, filter=Q(**{f"{relation}__tag_id__in": ids}), distinct=True) * weight
        for relation, ids, weight in (
            ("taggedcountry", country_ids, 1),
            ("taggedgroup", group_ids, 2),
            ("taggedtopic", topic_ids, 1),
        )
        # An empty IN () would make the whole query empty, so leave such terms out.
        if ids
    ]
    if not terms:
        return []
    shared = sum(terms[1:], terms[0])
    return list(
        Article.objects.published()
        .in_language(article.language)
        .exclude(pk=article.pk)
        .annotate(shared=shared)
        .filter(shared__gt=0)
        .order_by("-shared", "-publish_at")
        .for_teaser()[:count]
    )
