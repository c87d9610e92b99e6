"""``Article.byline_names``: the card's byline, stored in the article row and kept by the
database (migration 0013), so it is right whatever wrote the bylines or the names."""

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.db.models import F, ProtectedError
from django.forms import modelform_factory
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article, Author, Byline
from articles.services import article_publish
from related.models import RelatedItem
from tests.articles.test_admin_roles import change_url, form_data
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


def truth(article: Article) -> str:
    """What the cards must show: the authors' current names in (position, id) order."""
    bylines = sorted(
        Byline.objects.filter(article=article).select_related("author"),
        key=lambda byline: (byline.position, byline.pk),
    )
    return ", ".join(byline.author.name for byline in bylines)


def stored(article: Article) -> str:
    return Article.objects.values_list("byline_names", flat=True).get(pk=article.pk)


def _card_byline(html: str, title: str) -> str | None:
    """The "by" line of the card titled ``title`` in a page (None: no such line)."""
    cards = re.findall(
        r'<article class="teaser".*?</article>|<section class="lead-story".*?</section>', html, re.S
    )
    [card] = [card for card in cards if f">{title}</a>" in card]
    by = re.search(r'<p class="by">(.*?)</p>', card, re.S)
    return unescape(by.group(1)) if by else None


def shown(client, article: Article) -> str | None:
    """The byline the public cards show: the home page and the story's section hub (its
    compiled first page) must agree."""
    home = _card_byline(client.get("/").content.decode(), article.title)
    hub = _card_byline(
        client.get(article.section.get_absolute_url()).content.decode(), article.title
    )
    assert home == hub
    return home


def assert_kept(client, article: Article, expected: str) -> None:
    assert truth(article) == expected
    assert stored(article) == expected
    assert shown(client, article) == (f"by {expected}" if expected else None)


@pytest.fixture
def names():
    return {
        name: AuthorFactory(name=name)
        for name in ("Ana Ruiz", "Luis Mora", "Zoe & Co", "Marta Gil")
    }


def test_bylines_created_one_by_one_are_stored_in_position_order(client, names):
    article = ArticleFactory(title="Story")
    # Written out of order: the byline follows the positions, then the ids.
    Byline.objects.create(article=article, author=names["Luis Mora"], position=2)
    Byline.objects.create(article=article, author=names["Zoe & Co"], position=0)
    Byline.objects.create(article=article, author=names["Ana Ruiz"], position=2)
    assert_kept(client, article, "Zoe & Co, Luis Mora, Ana Ruiz")


def test_bylines_bulk_created_are_stored_for_every_article(client, names):
    first, second = ArticleFactory(title="First"), ArticleFactory(title="Second")
    Byline.objects.bulk_create(
        [
            Byline(article=first, author=names["Marta Gil"], position=1),
            Byline(article=first, author=names["Ana Ruiz"], position=0),
            Byline(article=second, author=names["Luis Mora"], position=0),
        ]
    )
    assert_kept(client, first, "Ana Ruiz, Marta Gil")
    assert_kept(client, second, "Luis Mora")


def test_the_admin_byline_inline_adds_reorders_and_removes(client, names):
    client.force_login(UserFactory(role="Editor"))
    section = SectionFactory(name="Brief", slug="brief")
    ana, luis = names["Ana Ruiz"], names["Luis Mora"]
    added = form_data(
        section,
        status="published",
        **{
            "bylines-TOTAL_FORMS": "2",
            "bylines-0-author": ana.pk,
            "bylines-0-position": "0",
            "bylines-1-author": luis.pk,
            "bylines-1-position": "1",
        },
    )
    response = client.post("/admin/articles/article/add/", added)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert_kept(client, article, "Ana Ruiz, Luis Mora")

    ana_line, luis_line = Byline.objects.filter(article=article).order_by("position")
    existing = {
        "bylines-TOTAL_FORMS": "2",
        "bylines-INITIAL_FORMS": "2",
        "bylines-0-id": ana_line.pk,
        "bylines-0-article": article.pk,
        "bylines-0-author": ana.pk,
        "bylines-0-position": "1",
        "bylines-1-id": luis_line.pk,
        "bylines-1-article": article.pk,
        "bylines-1-author": luis.pk,
        "bylines-1-position": "0",
    }
    edit = {**added, "slug": article.slug, "loaded_version": article.version, **existing}
    response = client.post(change_url(article), edit)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_kept(client, article, "Luis Mora, Ana Ruiz")

    article.refresh_from_db()
    removed = {
        **edit,
        "loaded_version": article.version,
        "bylines-1-DELETE": "on",
    }
    response = client.post(change_url(article), removed)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_kept(client, article, "Ana Ruiz")


def test_deleting_bylines_drops_their_names_down_to_none(client, names):
    article = ArticleFactory(title="Story", authors=[names["Ana Ruiz"], names["Luis Mora"]])
    Byline.objects.get(article=article, author=names["Ana Ruiz"]).delete()
    assert_kept(client, article, "Luis Mora")
    article.bylines.all().delete()
    assert_kept(client, article, "")


def test_updating_positions_with_a_queryset_reorders_the_names(client, names):
    article = ArticleFactory(
        title="Story", authors=[names["Ana Ruiz"], names["Luis Mora"], names["Marta Gil"]]
    )
    Byline.objects.filter(article=article).update(position=10 - F("position"))
    assert_kept(client, article, "Marta Gil, Luis Mora, Ana Ruiz")


def test_moving_a_byline_to_another_article_rewrites_both(client, names):
    source = ArticleFactory(title="Source", authors=[names["Ana Ruiz"], names["Luis Mora"]])
    target = ArticleFactory(title="Target", authors=[names["Marta Gil"]])
    Byline.objects.filter(article=source, author=names["Luis Mora"]).update(article=target)
    assert_kept(client, source, "Ana Ruiz")
    assert_kept(client, target, "Marta Gil, Luis Mora")


def test_renaming_an_author_with_save_rewrites_every_article_of_theirs(client, names):
    ana = names["Ana Ruiz"]
    first = ArticleFactory(title="First", authors=[ana, names["Luis Mora"]])
    second = ArticleFactory(title="Second", authors=[names["Marta Gil"], ana])
    other = ArticleFactory(title="Other", authors=[names["Luis Mora"]])
    ana.name = "Ana Ruiz Soto"
    ana.save()
    assert_kept(client, first, "Ana Ruiz Soto, Luis Mora")
    assert_kept(client, second, "Marta Gil, Ana Ruiz Soto")
    assert_kept(client, other, "Luis Mora")


def test_renaming_authors_with_a_queryset_update_rewrites_their_articles(client, names):
    article = ArticleFactory(title="Story", authors=[names["Ana Ruiz"], names["Zoe & Co"]])
    Author.objects.filter(pk__in=[names["Ana Ruiz"].pk, names["Zoe & Co"].pk]).update(
        name=F("slug")
    )
    assert_kept(client, article, f"{names['Ana Ruiz'].slug}, {names['Zoe & Co'].slug}")


def test_an_author_with_bylines_cannot_be_deleted_and_the_names_stay(client, names):
    article = ArticleFactory(title="Story", authors=[names["Ana Ruiz"]])
    with pytest.raises(ProtectedError):
        names["Ana Ruiz"].delete()
    names["Marta Gil"].delete()  # no bylines: nothing to rewrite
    assert_kept(client, article, "Ana Ruiz")


def test_bylines_and_names_written_with_raw_sql_are_kept(client, names):
    article = ArticleFactory(title="Story")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO articles_byline (article_id, author_id, position) VALUES (%s, %s, 0)",
            [article.pk, names["Marta Gil"].pk],
        )
    assert_kept(client, article, "Marta Gil")
    with connection.cursor() as cursor:
        # A write of the column itself cannot make it lie.
        cursor.execute(
            "UPDATE articles_article SET byline_names = 'Nobody' WHERE id = %s", [article.pk]
        )
    assert_kept(client, article, "Marta Gil")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_author SET name = 'Marta Gil Paz' WHERE id = %s",
            [names["Marta Gil"].pk],
        )
    assert_kept(client, article, "Marta Gil Paz")


def test_saving_a_stale_article_instance_keeps_the_current_names(client, names):
    article = ArticleFactory(title="Story", authors=[names["Ana Ruiz"]])
    stale = Article.objects.get(pk=article.pk)
    assert stale.byline_names == "Ana Ruiz"
    Byline.objects.create(article=article, author=names["Luis Mora"], position=1)
    names["Ana Ruiz"].name = "Ana R."
    names["Ana Ruiz"].save()
    stale.title = "Story"  # an unrelated edit, saved with every field of the old copy
    stale.save()
    assert_kept(client, article, "Ana R., Luis Mora")


def test_an_article_without_byline_stores_empty_text_and_shows_no_by_line(client):
    article = ArticleFactory(title="Story")
    assert Article.objects.get(pk=article.pk).byline_names == ""
    assert_kept(client, article, "")


def test_publishing_a_draft_through_the_services_shows_its_byline(client, names):
    draft = ArticleFactory(title="Story", status=Article.Status.DRAFT, publish_at=None)
    Byline.objects.create(article=draft, author=names["Zoe & Co"], position=0)
    article_publish(article=Article.objects.get(pk=draft.pk))
    assert_kept(client, draft, "Zoe & Co")


def test_later_hub_pages_and_the_related_block_show_the_stored_names(client, settings, names):
    settings.ARTICLES_PER_PAGE = 1
    section = SectionFactory(name="News", slug="news")
    older = ArticleFactory(
        title="Older",
        section=section,
        publish_at=timezone.now() - dt.timedelta(days=1),
        authors=[names["Luis Mora"], names["Ana Ruiz"]],
    )
    newer = ArticleFactory(title="Newer", section=section)
    RelatedItem.objects.create(
        article=newer, target=older, rank=0, pinned=True, computed_at=timezone.now()
    )
    names["Luis Mora"].name = "Luis M."
    names["Luis Mora"].save()
    page_two = client.get("/section/news/", {"page": 2}).content.decode()  # the QuerySet path
    assert _card_byline(page_two, "Older") == "by Luis M., Ana Ruiz"
    related = client.get(newer.get_absolute_url()).content.decode()
    assert _card_byline(related, "Older") == "by Luis M., Ana Ruiz"


def test_the_stored_names_are_not_editable_in_the_form_or_the_admin():
    assert "byline_names" not in modelform_factory(Article, fields="__all__")().fields
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(role="Editor")
    admin = site._registry[Article]
    assert "byline_names" not in admin.get_form(request)().fields
    assert "byline_names" not in str(admin.get_fieldsets(request))


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def test_every_trigger_that_keeps_the_names_is_there_after_all_migrations():
    expected = {"articles_byline_inserted", "articles_byline_deleted", "articles_byline_updated"}
    expected |= {"articles_author_renamed"}
    if connection.vendor == "postgresql":
        expected |= {"articles_article_byline_names", "articles_byline_truncated"}
    else:
        expected |= {
            "articles_article_byline_names_inserted",
            "articles_article_byline_names_written",
        }
    assert expected <= _triggers()


def test_on_sqlite_migrate_lifts_the_triggers_for_table_rebuilds_and_repairs_after(names):
    from django.apps import apps

    from articles import sqlite_triggers

    if connection.vendor != "sqlite":
        pytest.skip("SQLite rebuilds tables for schema changes; PostgreSQL alters them")
    article = ArticleFactory(title="Story", authors=[names["Ana Ruiz"]])
    config = apps.get_app_config("articles")
    sqlite_triggers.drop_before_migrate(sender=config, using="default")
    assert not {name for name in _triggers() if "byline" in name or "author" in name}
    # What a data migration may do while they are down.
    Byline.objects.create(article=article, author=names["Luis Mora"], position=1)
    assert stored(article) == "Ana Ruiz"
    sqlite_triggers.create_after_migrate(sender=config, using="default")
    assert stored(article) == truth(article) == "Ana Ruiz, Luis Mora"
    test_every_trigger_that_keeps_the_names_is_there_after_all_migrations()
