"""English and Spanish: one language per URL, pages wholly in it, hreflang pairs that agree.

English pages are unprefixed and Spanish ones live under /es/ (newsroom/language.py). The
chrome test renders every public page in Spanish and looks for any English sentence of
the catalogue (an msgid whose Spanish differs) in what a reader sees: text, titles, alt
texts, placeholders, labels; the story's own text (marked with its ``lang``) is content.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from articles.models import Article, SlugRedirect
from donations.models import Donation
from newsroom.pagecache import forget_local
from tests.donations.factories import DonationFactory
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
ORIGIN = "http://testserver"  # SITE_URL in the test runs


@pytest.fixture
def world() -> dict:
    news = SectionFactory(name="News", name_es="Noticias", slug="news")
    mexico = CountryFactory(name="Mexico", name_es="México", slug="mexico")
    sinaloa = CriminalGroupFactory(
        name="Sinaloa Cartel",
        name_es="Cártel de Sinaloa",
        slug="sinaloa-cartel",
        description="The profile of the group.",
        description_es="El perfil del grupo.",
    )
    migration = TopicFactory(name="migration", name_es="migración", slug="migration")
    author = AuthorFactory(name="Ana Lopez", slug="ana-lopez")
    tags = {
        "section": news,
        "countries": [mexico],
        "groups": [sinaloa],
        "topics": [migration],
        "authors": [author],
        "primary_group": sinaloa,
    }
    spanish = ArticleFactory(
        language="es",
        slug="cartel-de-sinaloa-en-puertos",
        title="El Cártel de Sinaloa se extiende a los puertos",
        dek="Fiscales describen la red de corredores.",
        **tags,
    )
    english = ArticleFactory(
        slug="sinaloa-cartel-in-ports",
        title="The Sinaloa Cartel moves into the ports",
        translation=spanish,
        **tags,
    )
    only_spanish = ArticleFactory(
        language="es", slug="solo-en-espanol", title="Solo en español", **tags
    )
    return {
        "section": news,
        "country": mexico,
        "group": sinaloa,
        "topic": migration,
        "author": author,
        "spanish": spanish,
        "english": english,
        "only_spanish": only_spanish,
    }


def html_of(client: Client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- one language per URL --------------------------------------------------------------------


def test_spanish_pages_live_under_es_and_english_ones_are_unprefixed(client, world):
    spanish = client.get("/es/")
    english = client.get("/")

    assert spanish["Content-Language"] == "es" and '<html lang="es">' in spanish.text
    assert "Investigaciones" in spanish.text and "Donar" in spanish.text
    assert english["Content-Language"] == "en" and '<html lang="en">' in english.text
    assert "Investigations" in english.text and "Investigaciones" not in english.text


@pytest.mark.parametrize("header", ["es", "es-MX,es;q=0.9", "es;q=1, en;q=0.1"])
def test_the_browser_language_never_changes_a_public_page(client, world, header):
    plain = client.get("/")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    asked = client.get("/", HTTP_ACCEPT_LANGUAGE=header)

    assert asked.status_code == 200 and asked["Content-Language"] == "en"
    assert asked.content == plain.content
    assert "Accept-Language" not in asked.get("Vary", "")


def test_a_cached_page_is_the_same_bytes_whatever_the_browser_language(settings, world):
    settings.PAGE_CACHE = True
    settings.FRONT_CACHE_PURGE_URLS = []
    cache.clear()
    forget_local()
    try:
        first = Client().get("/")  # rendered and stored
        spanish_browser = Client().get("/", HTTP_ACCEPT_LANGUAGE="es")
        spanish_page = Client().get("/es/", HTTP_ACCEPT_LANGUAGE="en")
        spanish_again = Client().get("/es/")
    finally:
        cache.clear()
        forget_local()

    assert spanish_browser.get("X-Page-Cache") == "hit"
    assert spanish_browser.content == first.content
    assert spanish_browser["Content-Language"] == "en"
    # /es/ is its own cache entry, Spanish, and stored too.
    assert spanish_page.get("X-Page-Cache") is None and '<html lang="es">' in spanish_page.text
    assert spanish_again.get("X-Page-Cache") == "hit"
    assert spanish_again.content == spanish_page.content


def test_the_admin_follows_the_editors_browser_language(admin_client):
    spanish = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es")
    english = admin_client.get("/admin/")

    assert spanish["Content-Language"] == "es" and "Accept-Language" in spanish["Vary"]
    assert english["Content-Language"] == "en"


def test_a_request_leaves_the_thread_in_its_previous_language(client, world):
    client.get("/es/")

    assert translation.get_language() == settings.LANGUAGE_CODE
    assert world["spanish"].section.get_absolute_url() == "/section/news/"


def test_an_article_is_served_under_its_own_languages_scheme(client, world):
    spanish, english = world["spanish"], world["english"]

    assert spanish.get_absolute_url() == "/es/article/cartel-de-sinaloa-en-puertos/"
    assert english.get_absolute_url() == "/article/sinaloa-cartel-in-ports/"
    assert client.get(spanish.get_absolute_url()).status_code == 200
    # The other scheme's address moves, permanently, to the article's own.
    wrong_es = client.get("/es/article/sinaloa-cartel-in-ports/")
    assert (wrong_es.status_code, wrong_es["Location"]) == (301, english.get_absolute_url())


def test_old_unprefixed_urls_of_spanish_articles_keep_working(client, world):
    spanish = world["spanish"]
    SlugRedirect.objects.create(old_slug="cartel-sinaloa-puertos", article=spanish)

    before_es = client.get("/article/cartel-de-sinaloa-en-puertos/")
    renamed = client.get("/article/cartel-sinaloa-puertos/")
    renamed_es = client.get("/es/article/cartel-sinaloa-puertos/")

    for response in (before_es, renamed, renamed_es):
        assert response.status_code == 301
        assert response["Location"] == spanish.get_absolute_url()


def test_hubs_show_vocabulary_in_the_pages_language_from_one_shared_slug(client, world):
    spanish = html_of(client, "/es/group/sinaloa-cartel/")
    english = html_of(client, "/group/sinaloa-cartel/")

    assert "<h1>Cártel de Sinaloa</h1>" in spanish and "El perfil del grupo." in spanish
    assert "Grupo criminal" in spanish
    assert "<h1>Sinaloa Cartel</h1>" in english and "The profile of the group." in english
    # Cards name their primary tag in the page's language too.
    assert ">Cártel de Sinaloa</span>" in html_of(client, "/es/country/mexico/")
    article = html_of(client, world["spanish"].get_absolute_url())
    assert ">México</a>" in article and ">migración</a>" in article and ">Noticias<" in article


def test_an_empty_spanish_name_falls_back_to_the_english_one(client, world):
    CountryFactory(name="Guatemala", slug="guatemala")

    assert "<h1>Guatemala</h1>" in html_of(client, "/es/country/guatemala/")


# --- the language switcher and hreflang ---------------------------------------------------------

ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')
SWITCH = re.compile(r'<a class="language-switch" href="([^"]+)" hreflang="([a-z]+)"')


def alternates(client: Client, url: str) -> dict[str, str]:
    return dict(ALTERNATE.findall(html_of(client, url)))


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/es/",
        "/section/news/",
        "/es/country/mexico/",
        "/group/sinaloa-cartel/",
        "/es/topic/migration/",
        "/author/ana-lopez/",
        "/es/search/?q=puertos",
        "/article/sinaloa-cartel-in-ports/",
        "/es/article/cartel-de-sinaloa-en-puertos/",
    ],
)
def test_hreflang_pairs_are_reciprocal_with_an_x_default(client, world, url):
    links = alternates(client, url)

    assert set(links) == {"en", "es", "x-default"}, links
    assert links["x-default"] == links["en"]
    assert ORIGIN + url.split("?")[0] in links.values()  # the page lists itself
    for language in ("en", "es"):
        other = links[language].removeprefix(ORIGIN)
        assert alternates(client, other) == links, other  # and every version agrees


def test_an_article_without_a_translation_has_no_alternates_and_switches_to_the_other_home(
    client, world
):
    html = html_of(client, world["only_spanish"].get_absolute_url())

    assert ALTERNATE.findall(html) == []
    assert SWITCH.search(html).groups() == ("/", "en")


def test_the_switcher_goes_to_the_translation_or_the_same_page_in_the_other_language(client, world):
    article = html_of(client, world["english"].get_absolute_url())
    hub = html_of(client, "/es/group/sinaloa-cartel/")

    assert SWITCH.search(article).groups() == (world["spanish"].get_absolute_url(), "es")
    assert SWITCH.search(hub).groups() == ("/group/sinaloa-cartel/", "en")
    # Each language named in itself.
    assert 'lang="es">Español</a>' in article and 'lang="en">English</a>' in hub


def test_an_unpublished_translation_is_neither_linked_nor_an_alternate(client, world):
    Article.objects.filter(pk=world["spanish"].pk).update(status=Article.Status.DRAFT)

    html = html_of(client, world["english"].get_absolute_url())

    assert ALTERNATE.findall(html) == []
    assert "cartel-de-sinaloa-en-puertos" not in html


# --- no English in a Spanish page's chrome -----------------------------------------------------


def english_fragments() -> tuple[set[str], set[str]]:
    """The catalogue's English text that Spanish pages must not show: every msgid whose
    Spanish differs, split at its placeholders and tags. Short pieces are matched as whole
    text ("Home", "Share"); long ones anywhere in a text."""
    whole, anywhere = set(), set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.msgstr == entry.msgid and not entry.msgid_plural:
            continue
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            text = re.sub(r"<[^>]+>", "\x00", source)
            for piece in re.split(r"%\([a-zA-Z_]+\)[sd]|\{[a-z_]+\}|\x00", text):
                piece = " ".join(piece.split()).strip(" ,.:;()“”")
                if len(piece) >= 3 and re.search("[A-Za-z]", piece):
                    whole.add(piece)
                    if len(piece) >= 16:
                        anywhere.add(piece)
    return whole, anywhere


class ReaderText(HTMLParser):
    """The text a reader sees or hears, outside parts marked as another language."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    SHOWN_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden from the check)
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        lang = values.get("lang")
        hidden = self._hidden() or tag in ("script", "style")
        hidden = hidden or (lang is not None and lang != self.language)
        if not hidden:
            self.texts.extend(values[name] for name in self.SHOWN_ATTRIBUTES if values.get(name))
            if tag == "meta" and values.get("name") == "description":
                self.texts.append(values.get("content") or "")
        if tag not in self.VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(" ".join(data.split()))


def reader_texts(html: str, page_language: str = "es") -> list[str]:
    parser = ReaderText(page_language)
    parser.feed(html)
    return parser.texts


def english_in(html: str, *, page_language: str = "es") -> list[str]:
    whole, anywhere = english_fragments()
    found = []
    for text in reader_texts(html, page_language):
        bare = text.strip(" ,.:;()“”·/←→")
        if bare in whole:
            found.append(text)
        found.extend(f"{piece!r} in {text!r}" for piece in anywhere if piece in text)
    return found


def spanish_pages(client: Client, world: dict) -> dict[str, str]:
    """Every public page in Spanish, as a reader or donor reaches it."""
    article = world["spanish"]
    donation = DonationFactory(stripe_checkout_session_id="cs_test_es1", language="es")
    pages = {
        url: client.get(url)
        for url in (
            "/es/",
            "/es/section/news/",
            "/es/country/mexico/",
            "/es/group/sinaloa-cartel/",
            "/es/topic/migration/",
            "/es/author/ana-lopez/",
            "/es/search/",
            "/es/search/?q=puertos",
            "/es/search/?q=zzzz",
            article.get_absolute_url(),
            f"{article.get_absolute_url()}comment/",
            f"{article.get_absolute_url()}helpful/?helpful=yes",
            "/es/donate/",
            "/es/donate/?cancelled=1",
            "/es/donate/manage/",
            "/es/donate/manage/not-a-token/",
            f"/es/donate/thanks/?session_id={donation.stripe_checkout_session_id}",
            "/es/no-such-page/",
        )
    }
    pages["comment form with errors"] = client.post(
        f"{article.get_absolute_url()}comment/", {"name": "", "email": "x", "message": "hi"}
    )
    pages["manage link sent"] = client.post("/es/donate/manage/", {"email": "a@example.org"})
    pages["donate form with errors"] = client.post("/es/donate/", {"frequency": "once"})
    client.post(f"{article.get_absolute_url()}helpful/", {"helpful": "maybe"})
    pages["article with a message"] = client.get(article.get_absolute_url())
    Donation.objects.filter(pk=donation.pk).update(status=Donation.Status.FAILED)
    pages["failed gift"] = client.get(
        f"/es/donate/thanks/?session_id={donation.stripe_checkout_session_id}"
    )
    return {name: response.content.decode() for name, response in pages.items()}


def test_every_spanish_page_is_spanish_from_header_to_footer(client, world, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_for_the_banner"  # the TEST MODE notice shows too
    pages = spanish_pages(client, world)

    problems = {name: english_in(html) for name, html in pages.items()}

    assert {name: found for name, found in problems.items() if found} == {}
    assert all('<html lang="es">' in html for html in pages.values())
    assert "Elija sí o no." in pages["article with a message"]
    # The check read the pages' chrome (it is not hiding everything).
    shown = reader_texts(pages[world["spanish"].get_absolute_url()])
    assert "Compartir" in shown and "¿Le resultó útil este contenido?" in shown
    assert "MODO DE PRUEBA" in pages["/es/donate/"]


def test_the_chrome_check_finds_english_when_there_is_some(client, world):
    # The same check on the English article page: it must see the English chrome, and
    # skip what is marked as Spanish (the "Leer en español" link).
    html = html_of(client, world["english"].get_absolute_url())
    found = english_in(html, page_language="en")

    assert "Was this content helpful?" in found and "Skip to content" in found
    assert any(text == "Share" for text in found)
    assert english_in(html, page_language="es") == []  # <html lang="en">: all English


def test_a_preview_opens_in_the_articles_language(world):
    from tests.factories import UserFactory

    editor = Client()
    editor.force_login(UserFactory(role="Editor"))
    draft = ArticleFactory(language="es", status=Article.Status.DRAFT, publish_at=None)

    moved = editor.get(f"/preview/{draft.pk}/")
    shown = editor.get(moved["Location"])

    assert (moved.status_code, moved["Location"]) == (302, f"/es/preview/{draft.pk}/")
    assert shown.status_code == 200 and '<html lang="es">' in shown.text
    assert "Vista previa de un artículo en estado «borrador»" in shown.text
