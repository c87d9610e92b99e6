"""Cached pages are never stale, whatever public row changes and however it is written.

tests/test_page_cache.py follows an article through its life (publish, edit, delete...).
This file covers everything else a public page draws: bylines and author profiles, the
names, Spanish names, profiles and slugs of sections, countries, groups and topics,
pictures (alt text, caption, credit, featured or inline), corrections, translation links,
licences and republication rights. Each case warms the pages that show the row, checks
they come from the cache, changes the row the way a script or the shell would (``save()``,
``QuerySet.update()``, ``delete()``) and reads the pages again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone, translation

from articles.corrections import correction_add
from articles.models import Author, Correction, Country, CriminalGroup, Section, Topic
from images.services import image_create
from newsroom import pagecache
from newsroom.pagecache import (
    NOT_PUBLIC,
    PUBLIC_APPS,
    _Bump,
    forget_local,
    public_tables,
    written_public_tables,
)
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
)
from tests.images.conftest import upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def world(django_capture_on_commit_callbacks) -> dict:
    """One English story and its Spanish translation, with every label a page draws."""
    with django_capture_on_commit_callbacks(execute=True):
        section = SectionFactory(name="Investigations", slug="investigations")
        country = CountryFactory(name="Mexico", slug="mexico", description="Profile one.")
        group = CriminalGroupFactory(name="Zetas", slug="zetas", description="Profile two.")
        author = AuthorFactory(name="Ana Lopez", slug="ana-lopez", bio="Bio one.")
        picture = image_create(
            file=upload(),
            alt_text="Alt one",
            credit="Photo: Credit One",
            caption="Caption one",
            may_republish=True,
        )
        inline = image_create(
            file=upload("inline.jpg"),
            alt_text="Inline alt one",
            credit="Map: Inline Credit One",
            caption="Inline caption one",
        )
        story = ArticleFactory(
            title="Brokers supply the laboratories",
            slug="brokers",
            section=section,
            countries=[country],
            groups=[group],
            topics=["ports"],
            authors=[author],
            primary_country=country,
            featured_image=picture,
            body=f'<p>Text.</p><figure data-image="{inline.pk}"></figure>',
            publish_at=timezone.now() - dt.timedelta(days=1),
        )
        spanish = ArticleFactory(
            title="Intermediarios abastecen los laboratorios",
            slug="intermediarios",
            section=section,
            countries=[country],
            authors=[author],
            language="es",
            publish_at=timezone.now() - dt.timedelta(days=1),
        )
    picture.refresh_from_db()
    inline.refresh_from_db()
    return {
        "section": section,
        "country": country,
        "group": group,
        "topic": Topic.objects.get(slug="ports"),
        "author": author,
        "picture": picture,
        "inline": inline,
        "story": story,
        "spanish": spanish,
    }


@dataclass(frozen=True)
class Change:
    """A change to one public row: the pages that show it, the edit, what they show after."""

    urls: Callable[[dict], list[str]]
    edit: Callable[[dict], None]
    shows: str | None = None  # text every page shows after the edit
    hides: str | None = None  # text no page shows any more


def _article(w: dict) -> list[str]:
    return [w["story"].get_absolute_url()]


def _everywhere(w: dict) -> list[str]:
    """The story's page and every list it is on (home, its hubs, feeds)."""
    return [
        "/",
        w["story"].get_absolute_url(),
        w["section"].get_absolute_url(),
        w["country"].get_absolute_url(),
        w["group"].get_absolute_url(),
        w["topic"].get_absolute_url(),
        w["author"].get_absolute_url(),
    ]


def _saved(obj_key: str, **fields) -> Callable[[dict], None]:
    def edit(w: dict) -> None:
        obj = w[obj_key]
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()

    return edit


def _updated(model, obj_key: str, **fields) -> Callable[[dict], None]:
    """A bulk ``UPDATE`` (no ``save()``, no signal): a script, a data migration, a fix-up."""

    def edit(w: dict) -> None:
        model.objects.filter(pk=w[obj_key].pk).update(**fields)

    return edit


def _in_spanish(urls: Callable[[dict], list[str]]) -> Callable[[dict], list[str]]:
    def spanish(w: dict) -> list[str]:
        with translation.override("es"):
            return [
                url if url.startswith("/es/") else f"/es{url}"
                for url in urls(w)
                if not url.startswith("/article/")
            ] + [w["spanish"].get_absolute_url()]

    return spanish


def _add_correction(w: dict) -> None:
    correction_add(
        article=w["story"], kind="correction", text="An earlier version misnamed a port."
    )


def _edit_correction(w: dict) -> None:
    note = correction_add(article=w["story"], kind="correction", text="First wording.")
    note.text = "Second wording of the correction."
    note.save()


def _link_translation(w: dict) -> None:
    w["story"].translation = w["spanish"]
    w["story"].save()


def _change_licence(w: dict) -> None:
    w["story"].licence = "all-rights-reserved"
    w["story"].save()


CHANGES = {
    # Bylines and author profiles.
    "author name": Change(_everywhere, _saved("author", name="Ana Ruiz"), shows="Ana Ruiz"),
    "author bio": Change(
        lambda w: [w["author"].get_absolute_url()], _saved("author", bio="Bio two."), "Bio two."
    ),
    "author slug": Change(
        _article,
        _saved("author", slug="ana-ruiz"),
        shows="/author/ana-ruiz/",
    ),
    "author name by update()": Change(
        _everywhere, _updated(Author, "author", name="Ana Ruiz"), shows="Ana Ruiz"
    ),
    # Vocabulary: names in both languages, profiles, slugs.
    "country name": Change(_everywhere, _saved("country", name="Méjico"), shows="Méjico"),
    "country Spanish name": Change(
        _in_spanish(_everywhere), _saved("country", name_es="México D"), shows="México D"
    ),
    "country profile": Change(
        lambda w: [w["country"].get_absolute_url()],
        _saved("country", description="Profile three."),
        shows="Profile three.",
    ),
    "country Spanish profile": Change(
        lambda w: [f"/es{w['country'].get_absolute_url()}"],
        _saved("country", description_es="Perfil tres."),
        shows="Perfil tres.",
    ),
    "country slug": Change(
        lambda w: [w["story"].get_absolute_url()],
        _saved("country", slug="mexico-2"),
        shows="/country/mexico-2/",
    ),
    "country name by update()": Change(
        _everywhere, _updated(Country, "country", name="Méjico"), shows="Méjico"
    ),
    "group name": Change(
        lambda w: [w["story"].get_absolute_url(), w["group"].get_absolute_url()],
        _saved("group", name="Los Zetas"),
        shows="Los Zetas",
    ),
    "group name by update()": Change(
        lambda w: [w["story"].get_absolute_url(), w["group"].get_absolute_url()],
        _updated(CriminalGroup, "group", name="Los Zetas"),
        shows="Los Zetas",
    ),
    "topic name": Change(
        lambda w: [w["story"].get_absolute_url(), w["topic"].get_absolute_url()],
        _saved("topic", name="Seaports"),
        shows="Seaports",
    ),
    "topic Spanish name": Change(
        lambda w: [f"/es{w['topic'].get_absolute_url()}"],
        _saved("topic", name_es="Puertos marítimos"),
        shows="Puertos marítimos",
    ),
    "topic name by update()": Change(
        lambda w: [w["story"].get_absolute_url(), w["topic"].get_absolute_url()],
        _updated(Topic, "topic", name="Seaports"),
        shows="Seaports",
    ),
    "section name": Change(
        lambda w: [w["story"].get_absolute_url(), w["section"].get_absolute_url()],
        _saved("section", name="Deep dives"),
        shows="Deep dives",
    ),
    "section Spanish name": Change(
        lambda w: [w["spanish"].get_absolute_url(), f"/es{w['section'].get_absolute_url()}"],
        _saved("section", name_es="A fondo"),
        shows="A fondo",
    ),
    "section profile": Change(
        lambda w: [w["section"].get_absolute_url()],
        _saved("section", description="What we dig into."),
        shows="What we dig into.",
    ),
    "section slug": Change(
        lambda w: [w["story"].get_absolute_url()],
        _saved("section", slug="deep-dives"),
        shows="/section/deep-dives/",
    ),
    "section name by update()": Change(
        lambda w: [w["story"].get_absolute_url(), w["section"].get_absolute_url()],
        _updated(Section, "section", name="Deep dives"),
        shows="Deep dives",
    ),
    # Pictures: the featured image (cards, article, social tags) and an inline one (body).
    "featured image alt text": Change(
        lambda w: ["/", w["story"].get_absolute_url()],
        _saved("picture", alt_text="Alt two"),
        shows="Alt two",
    ),
    "featured image credit": Change(
        _article, _saved("picture", credit="Photo: Credit Two"), shows="Photo: Credit Two"
    ),
    "featured image caption": Change(
        _article, _saved("picture", caption="Caption two"), shows="Caption two"
    ),
    "inline image caption": Change(
        _article, _saved("inline", caption="Inline caption two"), shows="Inline caption two"
    ),
    "inline image credit": Change(
        _article, _saved("inline", credit="Map: Inline Two"), shows="Map: Inline Two"
    ),
    "inline image alt text": Change(
        _article, _saved("inline", alt_text="Inline alt two"), shows="Inline alt two"
    ),
    "inline image deleted": Change(_article, lambda w: w["inline"].delete(), hides="Inline alt"),
    "republication right of the picture": Change(
        lambda w: [f"{w['story'].get_absolute_url()}republish/"],
        _saved("picture", may_republish=False),
        hides="Photo: Credit One",
    ),
    # Corrections: on the article and on the corrections page.
    "correction added": Change(
        lambda w: [w["story"].get_absolute_url(), "/corrections/"],
        _add_correction,
        shows="misnamed a port",
    ),
    "correction edited": Change(
        lambda w: [w["story"].get_absolute_url(), "/corrections/"],
        _edit_correction,
        shows="Second wording of the correction.",
    ),
    "correction deleted": Change(
        lambda w: [w["story"].get_absolute_url()],
        lambda w: Correction.objects.filter(article=w["story"]).delete(),
        hides="Standing note",
    ),
    # Translations and licences.
    "translation linked": Change(
        lambda w: [w["story"].get_absolute_url(), w["spanish"].get_absolute_url()],
        _link_translation,
        shows='<link rel="alternate" hreflang="es"',
    ),
    "licence withdrawn": Change(
        lambda w: [w["story"].get_absolute_url()], _change_licence, hides="/republish/"
    ),
}


@pytest.mark.parametrize("name", CHANGES)
def test_every_change_to_a_public_row_shows_on_cached_pages_at_once(
    name, world, django_capture_on_commit_callbacks
):
    change = CHANGES[name]
    if name == "correction deleted":
        with django_capture_on_commit_callbacks(execute=True):
            correction_add(article=world["story"], kind="update", text="Standing note.")
    reader = Client()
    urls = change.urls(world)
    for url in urls:
        first = reader.get(url)
        assert first.status_code == 200, url
        if change.hides:
            assert change.hides in first.content.decode(), url
        if change.shows:
            assert change.shows not in first.content.decode(), url
        assert reader.get(url).get("X-Page-Cache") == "hit", url

    with django_capture_on_commit_callbacks(execute=True):
        change.edit(world)

    for url in urls:
        html = reader.get(url).content.decode()
        if change.shows:
            assert change.shows in html, url
        if change.hides:
            assert change.hides not in html, url


# --- the mechanism: any statement that writes a public table, whatever wrote it ----------

ALL_MODELS = sorted(
    apps.get_models(include_auto_created=True), key=lambda model: model._meta.label_lower
)


def _bumps(capture, sql: str) -> bool:
    """Does ``sql`` leave a generation bump on the transaction? (Run in a savepoint rolled
    back after, which drops the bump, so the next statement is judged on its own.)"""
    with transaction.atomic():
        with capture() as callbacks, connection.cursor() as cursor:
            cursor.execute(sql)
        transaction.set_rollback(True)
    return any(isinstance(callback, _Bump) for callback in callbacks)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model._meta.label_lower)
def test_a_write_to_any_table_public_pages_read_retires_the_cached_pages(
    model, django_capture_on_commit_callbacks
):
    """Every model: a write to its table bumps the generation iff public pages read it.

    A model added to a public app later is public unless it is listed as not public: the
    safe default (a spare re-render, never a stale page)."""
    meta = model._meta
    public = meta.app_label in PUBLIC_APPS and meta.label_lower not in NOT_PUBLIC
    assert (meta.db_table in public_tables()) is public
    table = connection.ops.quote_name(meta.db_table)
    column = connection.ops.quote_name(meta.pk.column)
    update = f"UPDATE {table} SET {column} = {column} WHERE 1 = 0"
    delete = f"DELETE FROM {table} WHERE 1 = 0"
    assert _bumps(django_capture_on_commit_callbacks, update) is public
    assert _bumps(django_capture_on_commit_callbacks, delete) is public


@pytest.mark.parametrize(
    ("sql", "written"),
    [
        ('INSERT INTO "articles_author" ("name") VALUES (%s)', {"articles_author"}),
        ("update articles_country set name = 'x'", {"articles_country"}),
        ('  DELETE FROM public."images_image" WHERE id = 1', {"images_image"}),
        (
            "WITH gone AS (DELETE FROM articles_taggedtopic RETURNING 1) SELECT count(*) FROM gone",
            {"articles_taggedtopic"},
        ),
        ("TRUNCATE TABLE articles_correction", {"articles_correction"}),
        (
            'INSERT INTO "articles_helpfultotal" (article_id) VALUES (1) '
            'ON CONFLICT (article_id) DO UPDATE SET yes = "articles_helpfultotal".yes + 1',
            set(),
        ),
        ('SELECT * FROM "articles_article" WHERE id = 1 FOR UPDATE OF "articles_article"', set()),
        ("WITH x AS (SELECT 1) SELECT * FROM articles_article", set()),
        ('INSERT INTO "django_session" VALUES (%s)', set()),
    ],
)
def test_the_tables_a_statement_writes_are_read_from_its_sql(sql, written):
    assert written_public_tables(sql) == written


# --- a deploy: new code, templates, translations or stylesheets -----------------------------


@pytest.fixture
def new_release(monkeypatch):
    """Makes this process a later release's (as the first worker after a deploy is)."""

    def deploy(name: str) -> None:
        monkeypatch.setattr(pagecache, "source_digest", lambda root: name)
        pagecache.release.cache_clear()
        forget_local()

    yield deploy
    monkeypatch.undo()
    pagecache.release.cache_clear()


def test_a_new_release_retires_every_cached_page_and_bans_the_front_cache_once(
    world, settings, monkeypatch, new_release
):
    """Pages rendered by the previous templates or catalogue are never served after a
    deploy (they lived on for PAGE_CACHE_SECONDS, an hour, and Varnish's s-maxage)."""
    settings.FRONT_CACHE_PURGE_URLS = ["http://front-cache.example/"]
    bans: list[str] = []
    monkeypatch.setattr(pagecache, "ban", bans.append)
    reader = Client()
    url = world["story"].get_absolute_url()
    reader.get(url)
    assert reader.get(url).get("X-Page-Cache") == "hit"
    generation, bans[:] = cache.get(pagecache.GENERATION_KEY), []

    new_release("release-2")
    first = reader.get(url)
    again = reader.get(url)
    new_release("release-2")  # another worker of the same release starts
    reader.get(url)

    assert first.get("X-Page-Cache") != "hit" and again.get("X-Page-Cache") == "hit"
    assert cache.get(pagecache.GENERATION_KEY) == generation + 1
    assert bans == ["http://front-cache.example/"]


def test_the_release_follows_templates_code_and_catalogues_not_the_test_suite(tmp_path):
    for folder, name, text in (
        ("templates", "page.html", "<p>Hello</p>"),
        ("locale", "django.mo", "catalogue"),
        ("app", "views.py", "x = 1"),
        ("tests", "test_views.py", "y = 1"),
    ):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text(text)
    first = pagecache.source_digest(tmp_path)

    (tmp_path / "tests" / "test_views.py").write_text("y = 2")
    assert pagecache.source_digest(tmp_path) == first
    for changed in ("templates/page.html", "locale/django.mo", "app/views.py"):
        before = pagecache.source_digest(tmp_path)
        (tmp_path / changed).write_text("changed in the next release")
        assert pagecache.source_digest(tmp_path) != before, changed
