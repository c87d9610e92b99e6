"""Spanish pages are Spanish everywhere, including what tests/test_languages.py cannot see.

That file looks for the catalogue's English (every msgid) in Spanish pages. English that
never went through the catalogue escapes it: a date format written into a template, a
message built in Python before the page's language is known, Django's own pages (CSRF
failure) that ignore our register. Here every /es/ route of the URLconf
(tests/public_urls.py), the error pages and the follow-up pages are read for English
function words, English month names and the catalogue's English, with Spanish content, so
anything English found is chrome.
"""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client

from articles.corrections import correction_add
from articles.models import Article
from tests.public_urls import public_routes
from tests.test_languages import (
    english_in,
    reader_texts,
    world,  # noqa: F401  (the fixture this file builds on)
)

pytestmark = pytest.mark.django_db

# Words of English chrome that are not Spanish words (nor names in the test data).
ENGLISH_WORDS = frozenset(
    " ".join(
        (
            "the and with your you this that from for our is are was were has have will of to",
            "by about please read more here which not page pages story stories results share",
            "search previous next newer older back home latest update correction sent form",
            "january february march april june july august september october november december",
            "jan apr aug dec",  # the English abbreviations Spanish does not share (nov, oct...)
            "monday tuesday wednesday thursday friday saturday sunday",
        )
    ).split()
)
RFC_822_DATE = re.compile(
    r"\b[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|[A-Z]{1,3})\b"
)
SPANISH_BODY = (
    "<p>Los fiscales dijeron que la red movía cocaína por la región fronteriza y que los "
    "corredores pagaban a funcionarios del puerto.</p>"
)


def english_words(html: str, content_type: str = "text/html") -> list[str]:
    """English words in what a reader of a Spanish page sees (acronyms aside: CC BY-NC)."""
    texts = reader_texts(html) if "html" in content_type else re.findall(r">([^<>]+)<", html)
    found = []
    for text in texts:
        bare = re.sub(r"https?://\S+", "", text)  # addresses are not prose (licenses/by-nc)
        if "html" not in content_type:
            # RSS 2.0 dates (pubDate, lastBuildDate) are RFC 822, whose day and month names
            # are English by definition ("Mon, 07 Dec 2026 ..."): machine-read, not prose.
            # Without this the test failed every December, January, April and August. On
            # an HTML page such a date would be a reader's text, so it counts there.
            bare = RFC_822_DATE.sub("", bare)
        for word in re.findall(r"[A-Za-z]+", bare):
            if not word.isupper() and word.lower() in ENGLISH_WORDS:
                found.append(f"{word!r} in {text[:80]!r}")
    return found


@pytest.fixture
def spanish_world(world: dict) -> dict:  # noqa: F811
    """tests/test_languages.py's world with its Spanish stories written in Spanish (the
    factory's text is English), and a correction."""
    Article.objects.filter(language="es").update(
        body=SPANISH_BODY, body_html="", dek="Fiscales describen la red de corredores."
    )
    world["author"].bio = "Covers security and organized crime."
    world["author"].bio_es = "Cubre seguridad y crimen organizado."
    world["author"].save()
    correction_add(article=world["spanish"], kind="correction", text="Se corrigió una cifra.")
    return world


def _spanish_urls(world: dict) -> list[str]:  # noqa: F811
    by_kind = {
        "section": "news",
        "country": "mexico",
        "group": "sinaloa-cartel",
        "topic": "migration",
        "author": "ana-lopez",
    }
    urls = []
    for route in public_routes():
        if route.language != "es":
            continue
        names = [name for _converter, name in route.parameters]
        kind = route.name.split(":")[-1].split("_")[0]
        if names == ["slug"]:
            urls.append(route.url(slug=by_kind.get(kind, world["spanish"].slug)))
        elif names == ["token"]:
            urls.append(route.url(token="not-a-token"))
        elif not names:
            urls.append(route.url())
    return [
        *urls,
        "/es/search/?q=puertos&country=mexico&group=sinaloa-cartel&section=news",
        "/es/search/?q=zzzz&country=no-such-country&page=abc",
        "/es/section/news/?page=99",
        "/es/no-such-page/",
    ]


def test_every_spanish_route_of_the_urlconf_shows_no_english(client, spanish_world):
    problems = {}
    checked = 0
    for url in _spanish_urls(spanish_world):
        response = client.get(url)
        if response.status_code in (301, 302, 405) or response.streaming:
            continue
        content_type = response.get("Content-Type", "")
        html = response.content.decode()
        found = english_words(html, content_type)
        if "html" in content_type:
            found += english_in(html)
            assert '<html lang="es">' in html, url
        if found:
            problems[url] = found
        checked += 1
    assert problems == {}
    assert checked >= 25
    # Editors' text has a Spanish version too: bios, the donate form's impact lines.
    assert "Cubre seguridad y crimen organizado." in client.get("/es/author/ana-lopez/").text
    assert "Registros judiciales de un caso cada mes" in client.get("/es/donate/").text
    assert "Court records for one case every month" in client.get("/donate/").text


def test_error_pages_on_spanish_addresses_are_spanish(spanish_world):
    article = spanish_world["spanish"]
    reader = Client(raise_request_exception=False)
    with mock.patch("articles.views.reads.home", side_effect=RuntimeError("boom")):
        failed = reader.get("/es/")
    strict = Client(enforce_csrf_checks=True)
    forged = strict.post(f"{article.get_absolute_url()}comment/", {"name": "Ana"})
    refused = reader.get("/es/search/?q=a%00b")
    missing = reader.get("/es/no-such-page/")

    assert failed.status_code == 500 and "Algo salió mal" in failed.text
    assert forged.status_code == 403 and "No se pudo enviar su formulario" in forged.text
    assert "DEBUG" not in forged.text and "Forbidden" not in forged.text
    assert refused.status_code == 400 and refused["Content-Language"] == "es"
    assert "carácter NUL" in refused.text
    assert missing.status_code == 404 and "Página no encontrada" in missing.text
    for response in (failed, forged, missing):
        assert english_words(response.text) == [] and english_in(response.text) == []
    english = Client(enforce_csrf_checks=True).post(f"/article/{article.slug}/comment/", {})
    assert "Your form could not be sent" in english.text or english.status_code == 301


def test_the_follow_up_after_a_no_is_spanish(spanish_world):
    article = spanish_world["spanish"]
    reader = Client()
    reader.post(f"{article.get_absolute_url()}helpful/", {"helpful": "no"})
    page = reader.get(f"{article.get_absolute_url()}helpful/why/")
    errors = reader.post(
        f"{article.get_absolute_url()}helpful/why/", {"reason": "bogus", "comment": "x" * 600}
    )
    for response in (page, errors):
        assert response.status_code == 200
        assert english_words(response.text) == [] and english_in(response.text) == []
    assert "Escoja una opción válida" in errors.text


# Formats a date may be written in on reader pages: the language's own named formats
# (newsroom/formats/<language>/formats.py), or machine formats (ISO 8601, a bare year).
NAMED_OR_MACHINE = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "TIME_FORMAT",
    "c",
    "r",
    "U",
    "Y",
}


def test_reader_templates_write_dates_in_the_languages_named_formats():
    """A format written into a template ("j M Y") is English month names on Spanish pages
    ("25 Nov 2026") and ignores each language's house style."""
    root = Path(settings.BASE_DIR) / "templates"
    offenders = []
    for template in root.rglob("*"):
        if template.is_dir() or "admin" in template.relative_to(root).parts:
            continue
        text = template.read_text()
        for match in re.finditer(r"""\|date:["']([^"']*)["']|\{%\s*now\s+["']([^"']*)""", text):
            used = match.group(1) or match.group(2)
            if used not in NAMED_OR_MACHINE:
                offenders.append(f"{template.relative_to(root)}: {used!r}")
    assert offenders == []
