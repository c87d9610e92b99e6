"""A Spanish reader: home -> a Spanish article -> a hub -> search -> donate, all in Spanish,
then switches to English on an article that has a translation."""

import re

import pytest

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chrome a Spanish page must never show (the English of what the reader passes through).
ENGLISH_CHROME = (
    "Skip to content",
    "Investigations",
    "Was this content helpful?",
    "Share",
    "Support our journalism",
    "Search:",
    "Donate",
    "by Ana",
)


@pytest.fixture
def spanish_browser(chromium, live_server, settings, csp_violations):
    """A browser that asks for Spanish (Accept-Language: es): the URL decides anyway."""
    settings.SITE_URL = live_server.url
    context = chromium.new_context(base_url=live_server.url, locale="es-ES")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and csp_violations.append(m.text),
    )
    yield page
    context.close()
    assert not csp_violations, "\n".join(csp_violations)


def assert_spanish(page) -> None:
    assert page.locator("html").get_attribute("lang") == "es", page.url
    # Header, footer and main, as written (text_content: before CSS capitalises it).
    chrome = " ".join(
        page.locator(selector).first.text_content()
        for selector in ("header.site-header", "footer.site-footer", "main")
    )
    for english in ENGLISH_CHROME:
        assert english not in chrome, (english, page.url)


def test_a_spanish_reader_goes_from_home_to_donate_in_spanish_and_switches_to_english(
    spanish_browser,
):
    page = spanish_browser
    news = SectionFactory(name="News", name_es="Noticias", slug="news")
    SectionFactory(name="Investigations", name_es="Investigaciones", slug="investigations")
    SectionFactory(name="The Organization", name_es="La organización", slug="the-organization")
    mexico = CountryFactory(name="Mexico", name_es="México", slug="mexico")
    sinaloa = CriminalGroupFactory(
        name="Sinaloa Cartel", name_es="Cártel de Sinaloa", slug="sinaloa-cartel"
    )
    author = AuthorFactory(name="Ana López", slug="ana-lopez")
    tags = {
        "section": news,
        "countries": [mexico],
        "groups": [sinaloa],
        "primary_group": sinaloa,
        "authors": [author],
    }
    spanish = ArticleFactory(
        language="es",
        slug="corredores-en-los-puertos",
        title="Los corredores del Cártel de Sinaloa llegan a los puertos",
        dek="Fiscales describen una red que mueve cocaína por el Pacífico.",
        body="<p>La red usaba empresas de fachada en tres puertos.</p>",
        **tags,
    )
    english = ArticleFactory(
        slug="brokers-in-the-ports",
        title="Sinaloa Cartel brokers reach the ports",
        translation=spanish,
        **tags,
    )

    # An unprefixed address is English even for this Spanish-speaking browser.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"

    page.goto("/es/")
    assert_spanish(page)
    page.get_by_role("link", name=spanish.title).first.click()
    page.wait_for_url(f"**{spanish.get_absolute_url()}")
    assert_spanish(page)
    assert page.get_by_role("heading", level=1).inner_text() == spanish.title
    assert page.get_by_role("heading", name="¿Le resultó útil este contenido?").is_visible()
    assert "por Ana López" in page.locator(".byline").inner_text()

    page.locator(".byline").get_by_role("link", name="Cártel de Sinaloa").click()
    page.wait_for_url("**/es/group/sinaloa-cartel/")
    assert_spanish(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Cártel de Sinaloa"
    assert page.locator(".kicker").text_content() == "Grupo criminal"

    page.get_by_placeholder("Buscar").fill("Sinaloa")
    page.get_by_role("button", name="Buscar").click()
    page.wait_for_url(re.compile(r".*/es/search/\?q=Sinaloa$"))
    assert_spanish(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Búsqueda: Sinaloa"
    assert page.get_by_role("link", name=spanish.title).is_visible()

    page.locator("header.site-header").get_by_role("link", name="Donar").click()
    page.wait_for_url("**/es/donate/?source=header")
    assert_spanish(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Apoye nuestro periodismo"
    assert page.locator("#donate-submit").inner_text().startswith("Donar ")

    # Back on the Spanish story, the header offers its English version.
    page.goto(spanish.get_absolute_url())
    page.locator("header.site-header").get_by_role("link", name="English").click()
    page.wait_for_url(f"**{english.get_absolute_url()}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == english.title
    assert page.get_by_role("heading", name="Was this content helpful?").is_visible()
