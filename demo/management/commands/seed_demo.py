"""``manage.py seed_demo [--with-accounts]``: load the deterministic demo corpus.

Idempotent: every row is matched on its slug (or name), so running it twice updates in place
and duplicates nothing. The text lives in ``demo/data/*.json`` (read by ``demo.corpus``);
every article gets a picture drawn from its slug (``demo.pictures``), stored in the image
library with its renditions.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction
from django.utils import timezone

from articles.models import (
    Article,
    Author,
    Byline,
    Country,
    CriminalGroup,
    Section,
    TaggedCountry,
    TaggedGroup,
    TaggedTopic,
    Topic,
)
from articles.sanitize import clean_body
from demo import corpus as demo
from demo import pictures
from images.models import Image
from images.renditions import generate
from related.rebuild import rebuild as rebuild_related

DEMO_PASSWORD = "newsroom-demo"  # a documented demo login, DEBUG only
ARTICLE_FIELDS = (
    "title",
    "dek",
    "body",
    "section_id",
    "language",
    "status",
    "publish_at",
    "licence",
    "primary_country_id",
    "primary_group_id",
    "featured_image_id",
)
# Demo pictures are small drawings: two widths per crop keep `make run` quick.
DEMO_WIDTHS = (420, 840)


class Command(BaseCommand):
    help = "Load the demo corpus (idempotent). With --with-accounts, also demo staff logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--with-accounts",
            action="store_true",
            help='Create the demo "editor" and "writer" staff accounts (only when DEBUG is on).',
        )
        parser.add_argument(
            "--without-pictures",
            action="store_true",
            help="Leave articles without pictures (faster: tests that do not look at them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            stats = self.seed_content(pictures=not options["without_pictures"])
            accounts = options["with_accounts"] and self.seed_accounts()
        rebuild_related()  # related: precompute every article's related list
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                "Demo content: {created} articles created, {updated} updated, {unchanged} "
                "unchanged ({published} public, {pending} draft/review/scheduled); "
                "{sections} sections, {countries} countries, {groups} groups, {topics} topics, "
                "{authors} authors; {drawn} pictures drawn, {rendered} given renditions "
                "({picture_seconds:.1f}s) in {elapsed:.1f}s.".format(elapsed=elapsed, **stats)
            )
        )
        if accounts:
            admin_url = f"{settings.SITE_URL}/admin/"
            self.stdout.write(f"Editor login: editor / {DEMO_PASSWORD} at {admin_url}")
            self.stdout.write(f"Writer login: writer / {DEMO_PASSWORD} at {admin_url}")

    # -- vocabulary -----------------------------------------------------------------------

    def seed_content(self, *, pictures: bool = True) -> dict[str, int]:
        sections: dict[str, Section] = {}
        for data in demo.SECTIONS:
            sections[data.slug], _ = Section.objects.update_or_create(
                slug=data.slug,
                defaults={
                    "name": data.name,
                    "name_es": demo.SPANISH_NAMES.get(data.slug, ""),
                    "parent": sections[data.parent] if data.parent else None,
                    "position": data.position,
                    "description": data.description,
                },
            )
        countries = {
            c.slug: Country.objects.update_or_create(
                slug=c.slug,
                defaults={
                    "name": c.name,
                    "name_es": demo.SPANISH_NAMES.get(c.slug, ""),
                    "description": c.description,
                },
            )[0]
            for c in demo.COUNTRIES
        }
        groups = {
            g.slug: CriminalGroup.objects.update_or_create(
                slug=g.slug,
                defaults={
                    "name": g.name,
                    "name_es": demo.SPANISH_NAMES.get(g.slug, ""),
                    "description": g.description,
                },
            )[0]
            for g in demo.GROUPS
        }
        topics = {
            t.slug: Topic.objects.update_or_create(
                slug=t.slug,
                defaults={"name": t.name, "name_es": demo.SPANISH_NAMES.get(t.slug, "")},
            )[0]
            for t in demo.TOPICS
        }
        authors = {
            a.slug: Author.objects.update_or_create(
                slug=a.slug, defaults={"name": a.name, "bio": a.bio}
            )[0]
            for a in demo.AUTHORS
        }

        now = timezone.now()
        specs = demo.build_corpus(now)
        pictures_started = time.perf_counter()
        images, drawn, rendered = self.seed_pictures(specs) if pictures else ({}, 0, 0)
        picture_seconds = time.perf_counter() - pictures_started
        articles, created, updated = self.seed_articles(
            specs, sections, countries, groups, images, now
        )
        self.link_translations(specs, articles)
        self.sync_bylines(specs, articles, authors)
        self.sync_tags(TaggedCountry, specs, articles, countries, "countries")
        self.sync_tags(TaggedGroup, specs, articles, groups, "groups")
        self.sync_tags(TaggedTopic, specs, articles, topics, "topics")
        published = sum(1 for s in specs if s.status == "published" and not s.scheduled)
        return {
            "created": created,
            "updated": updated,
            "unchanged": len(specs) - created - updated,
            "published": published,
            "pending": len(specs) - published,
            "sections": len(sections),
            "countries": len(countries),
            "groups": len(groups),
            "topics": len(topics),
            "authors": len(authors),
            "drawn": drawn,
            "rendered": rendered,
            "picture_seconds": picture_seconds,
        }

    # -- pictures -------------------------------------------------------------------------

    def seed_pictures(self, specs: list[demo.ArticleSpec]) -> tuple[dict[str, int], int, int]:
        """One library image per article, drawn from its slug; renditions made here, not by
        the task queue, so the demo has its pictures whichever TASKS_BACKEND is set."""
        existing = {i.source: i for i in Image.objects.filter(source__startswith="demo:")}
        site = settings.SITE_NAME
        images: dict[str, int] = {}
        drawn = rendered = 0
        for spec in specs:
            source = f"demo:{spec.slug}"
            image = existing.get(source)
            spanish = spec.language == "es"
            credit = f"Ilustración: demo de {site}" if spanish else f"Illustration: {site} demo"
            if image is None:
                data, palette = pictures.draw(spec.slug)
                image = Image(
                    file=ContentFile(data, name="demo.jpg"),
                    alt_text=pictures.alt_text(spec.language, palette),
                    credit=credit,
                    source=source,
                    may_republish=True,
                )
                image.save()
                drawn += 1
            elif image.credit != credit:
                image.credit = credit  # the site was renamed since the last run
                image.save(update_fields=["credit"])
            # notify=False: demo bodies have no inline images to redraw.
            if generate(image, widths=DEMO_WIDTHS, fast=True, notify=False):
                rendered += 1
            images[spec.slug] = image.pk
        return images, drawn, rendered

    # -- articles -------------------------------------------------------------------------

    def seed_articles(
        self,
        specs: list[demo.ArticleSpec],
        sections: dict[str, Section],
        countries: dict[str, Country],
        groups: dict[str, CriminalGroup],
        images: dict[str, int],
        now: Any,
    ) -> tuple[dict[str, Article], int, int]:
        existing = {a.slug: a for a in Article.objects.filter(slug__in=[s.slug for s in specs])}
        articles: dict[str, Article] = {}
        created = updated = 0
        for spec in specs:
            values: dict[str, Any] = {
                "title": spec.title,
                "dek": spec.dek,
                "body": clean_body(spec.body),  # as save() stores it, so reruns compare equal
                "section_id": sections[spec.section].pk,
                "language": spec.language,
                "status": spec.status,
                "publish_at": spec.publish_at,
                "licence": spec.licence,
                "primary_country_id": (
                    countries[spec.primary_country].pk if spec.primary_country else None
                ),
                "primary_group_id": groups[spec.primary_group].pk if spec.primary_group else None,
                "featured_image_id": images.get(spec.slug),
            }
            article = existing.get(spec.slug)
            if article is None:
                article = Article(slug=spec.slug, **values)
                article.save()
                created += 1
            else:
                if spec.scheduled and article.publish_at and article.publish_at > now:
                    # Still scheduled from an earlier run: keep its time stable.
                    values["publish_at"] = article.publish_at
                changed = [f for f in ARTICLE_FIELDS if getattr(article, f) != values[f]]
                if changed:
                    for name in changed:
                        setattr(article, name, values[name])
                    article.save()
                    updated += 1
            articles[spec.key] = article
        return articles, created, updated

    def link_translations(
        self, specs: list[demo.ArticleSpec], articles: dict[str, Article]
    ) -> None:
        """Set ``translation`` on the Spanish side only; the English side points nowhere."""
        for spec in specs:
            article = articles[spec.key]
            target = articles[spec.translation_of] if spec.translation_of else None
            target_id = target.pk if target else None
            if article.translation_id != target_id:
                Article.objects.filter(pk=article.pk).update(translation_id=target_id)
                article.translation_id = target_id

    def sync_bylines(
        self,
        specs: list[demo.ArticleSpec],
        articles: dict[str, Article],
        authors: dict[str, Author],
    ) -> None:
        ids = [a.pk for a in articles.values()]
        current = {
            (b.article_id, b.author_id): b for b in Byline.objects.filter(article_id__in=ids)
        }
        wanted: dict[tuple[int, int], int] = {}
        for spec in specs:
            for position, slug in enumerate(spec.authors):
                wanted[(articles[spec.key].pk, authors[slug].pk)] = position
        stale = [b.pk for key, b in current.items() if key not in wanted]
        Byline.objects.filter(pk__in=stale).delete()
        moved = []
        for key, position in wanted.items():
            byline = current.get(key)
            if byline is not None and byline.position != position:
                byline.position = position
                moved.append(byline)
        Byline.objects.bulk_update(moved, ["position"])
        Byline.objects.bulk_create(
            Byline(article_id=a, author_id=b, position=p)
            for (a, b), p in wanted.items()
            if (a, b) not in current
        )

    def sync_tags(
        self,
        through: type[models.Model],
        specs: list[demo.ArticleSpec],
        articles: dict[str, Article],
        tags: dict[str, Any],
        attr: str,
    ) -> None:
        """Make the through table hold exactly the spec's tags (what ``.set()`` does, in bulk)."""
        ids = [a.pk for a in articles.values()]
        rows = through.objects.filter(content_object_id__in=ids)  # type: ignore[attr-defined]
        current = {(r.content_object_id, r.tag_id): r.pk for r in rows}
        wanted = {
            (articles[spec.key].pk, tags[slug].pk) for spec in specs for slug in getattr(spec, attr)
        }
        stale = [pk for key, pk in current.items() if key not in wanted]
        through.objects.filter(pk__in=stale).delete()  # type: ignore[attr-defined]
        through.objects.bulk_create(  # type: ignore[attr-defined]
            through(content_object_id=a, tag_id=t)
            for a, t in sorted(wanted)
            if (a, t) not in current
        )

    # -- accounts -------------------------------------------------------------------------

    def seed_accounts(self) -> bool:
        if not settings.DEBUG:
            self.stderr.write(
                "Refusing to create the demo accounts: DEBUG is off. "
                "Demo logins are for local development only (set DEBUG=1)."
            )
            return False
        user_model = get_user_model()
        for username, role in (("editor", "Editor"), ("writer", "Writer")):
            user, _ = user_model.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            user.is_staff = True
            user.is_active = True
            user.first_name = role
            user.last_name = "(demo)"
            user.set_password(DEMO_PASSWORD)
            user.save()
            group, _ = Group.objects.get_or_create(name=role)
            user.groups.set([group])
            if username == "writer":
                Author.objects.filter(user=user).exclude(slug=demo.WRITER_AUTHOR_SLUG).update(
                    user=None
                )
                Author.objects.filter(slug=demo.WRITER_AUTHOR_SLUG).update(user=user)
        return True
