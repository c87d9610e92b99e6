"""``manage.py import_articles FILE.json``: create or update articles from a JSON list.

Each item: ``slug``, ``title`` (required), ``dek``, ``body`` (HTML, sanitised on save),
``language`` ("en"/"es"), ``section`` (slug, required for new articles), ``status``
("draft"/"review"/"published"), ``publish_at`` (ISO 8601), ``countries`` / ``groups`` /
``topics`` (names of existing tags), ``primary_country`` / ``primary_group`` (names).

All or nothing: one bad item rolls the whole file back and names the item. Every article goes
through ``articles.services.article_save``, so an imported publication updates related lists
like one from the admin.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from articles import services
from articles.models import Article, Country, CriminalGroup, Section, Topic

FIELDS = {"slug", "title", "dek", "body", "language", "section", "status", "publish_at"}
TAGS = {"countries": Country, "groups": CriminalGroup, "topics": Topic}
PRIMARY = {"primary_country": Country, "primary_group": CriminalGroup}


class ItemError(ValueError):
    """One item cannot be imported; the message names what is wrong."""


def _named(model, names: list[str], what: str) -> list:
    found = {tag.name: tag for tag in model.objects.filter(name__in=names)}
    missing = [name for name in names if name not in found]
    if missing:
        raise ItemError(f"unknown {what}: {', '.join(missing)}")
    return [found[name] for name in names]


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise ItemError(f"publish_at is not an ISO 8601 time: {text!r}") from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def import_item(item: dict[str, Any]) -> Article:
    unknown = set(item) - FIELDS - set(TAGS) - set(PRIMARY)
    if unknown:
        raise ItemError(f"unknown fields: {', '.join(sorted(unknown))}")
    if not item.get("slug") or not item.get("title"):
        raise ItemError("slug and title are required")
    article = Article.objects.filter(slug=item["slug"]).first() or Article(slug=item["slug"])
    for name in ("title", "dek", "body", "language", "status"):
        if name in item:
            setattr(article, name, item[name])
    if "publish_at" in item:
        article.publish_at = _time(item["publish_at"])
    if "section" in item:
        article.section = Section.objects.filter(slug=item["section"]).first()
        if article.section is None:
            raise ItemError(f"unknown section: {item['section']}")
    for field, model in PRIMARY.items():
        if field in item:
            setattr(article, field, _named(model, [item[field]], field)[0] if item[field] else None)
    try:
        article.full_clean(exclude=["translation", "created_by"])
    except ValidationError as error:
        raise ItemError("; ".join(error.messages)) from error
    services.article_save(article=article)
    for field, model in TAGS.items():
        if field in item:
            getattr(article, field).set(_named(model, item[field], field))
    return article


class Command(BaseCommand):
    help = "Create or update articles from a JSON list (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            items = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{file}: cannot read a JSON list: {error}") from error
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise CommandError(f"{file}: expected a JSON list of objects")
        # The announcements (articles.events) wait for this commit: tags are set by then.
        with transaction.atomic():
            for number, item in enumerate(items, start=1):
                try:
                    import_item(item)
                except ItemError as error:
                    slug = item.get("slug")
                    raise CommandError(f"item {number} ({slug}): {error}") from error
        self.stdout.write(f"Imported {len(items)} article(s).")
