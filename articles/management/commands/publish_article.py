"""``manage.py publish_article SLUG [--at ISO-TIME | --unpublish | --delete]``.

Operators' and scripts' way to change what readers see, through the same services as the
admin (so related lists, caches and everything subscribed to ``articles.events`` follow).
Whoever runs manage.py has the operator's rights: no per-user permission check here.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from articles import services
from articles.models import Article


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--at: not an ISO 8601 time: {text!r}") from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Publish (now or at a time), unpublish or delete one article."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--at", help="publish at this ISO 8601 time (future: schedule)")
        action.add_argument("--unpublish", action="store_true", help="back to draft")
        action.add_argument("--delete", action="store_true", help="delete the article")

    def handle(self, *args, slug: str, at: str | None, unpublish: bool, delete: bool, **options):
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            raise CommandError(f"No article with the slug {slug!r}.")
        try:
            if delete:
                services.article_delete(article=article)
                self.stdout.write(f"Deleted {slug}.")
            elif unpublish:
                services.article_unpublish(article=article)
                self.stdout.write(f"Unpublished {slug}.")
            else:
                moment = _moment(at) if at else None
                services.article_publish(article=article, at=moment)
                state = "Scheduled" if article.is_scheduled else "Published"
                self.stdout.write(f"{state} {slug} at {article.publish_at.isoformat()}.")
        except services.PublishingError as error:
            raise CommandError(str(error)) from error
