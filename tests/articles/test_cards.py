"""Cards are kept per content (articles/cards.py): a kept card is never an old one."""

import re

import pytest
from django.test.utils import override_settings

from articles import cards
from articles.models import Byline
from tests.factories import ArticleFactory, AuthorFactory, CountryFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _cards(html: str) -> list[str]:
    return re.findall(r'<article class="teaser".*?</article>', html, re.S)


@pytest.fixture(autouse=True)
def _no_kept_cards():
    cards.forget()
    yield
    cards.forget()


def test_an_edited_headline_shows_on_home_and_hubs_at_once(client):
    mexico = CountryFactory(name="Mexico", slug="mexico")
    ArticleFactory(title="The lead story", countries=[mexico])
    story = ArticleFactory(title="Old headline", countries=[mexico])
    ArticleFactory(title="The newest story", countries=[mexico])
    for url in ("/", "/country/mexico/"):
        assert "Old headline" in client.get(url).content.decode()
    story.title = "New headline"
    story.save()
    for url in ("/", "/country/mexico/"):
        html = client.get(url).content.decode()
        assert "New headline" in html and "Old headline" not in html


def test_a_changed_byline_and_picture_show_on_the_card(client, picture):
    mexico = CountryFactory(name="Mexico", slug="mexico")
    ana, luis = AuthorFactory(name="Ana Ruiz"), AuthorFactory(name="Luis Mora")
    story = ArticleFactory(
        title="Pictured story", countries=[mexico], authors=[ana], featured_image=picture
    )
    ArticleFactory(title="The newest story", countries=[mexico])
    html = client.get("/country/mexico/").content.decode()
    assert "by Ana Ruiz" in html and 'alt="Containers at the port"' in html

    Byline.objects.create(article=story, author=luis, position=1)
    picture.alt_text = "Cranes over the port"
    picture.save()
    card = next(
        c for c in _cards(client.get("/country/mexico/").content.decode()) if "Pictured" in c
    )
    assert "by Ana Ruiz, Luis Mora" in card
    assert 'alt="Cranes over the port"' in card and "Containers" not in card


def test_kept_cards_are_the_html_drawn_afresh(client):
    news = SectionFactory(name="News", slug="news")
    for n in range(5):
        ArticleFactory(title=f"Story {n}", section=news, authors=[AuthorFactory()])
    first = client.get("/").content
    assert cards._drawn  # the home page's cards are kept...
    kept = client.get("/").content  # ...and drawn from there
    cards.forget()
    assert client.get("/").content == kept == first


def test_the_same_story_is_drawn_in_each_page_language(client):
    mexico = CountryFactory(name="Mexico", slug="mexico")
    ArticleFactory(title="Lead", countries=[mexico])
    ArticleFactory(title="A card", countries=[mexico], authors=[AuthorFactory(name="Ana Ruiz")])
    english = _cards(client.get("/country/mexico/").content.decode())
    spanish = _cards(client.get("/es/country/mexico/").content.decode())
    assert any("by Ana Ruiz" in card for card in english)
    assert any("por Ana Ruiz" in card for card in spanish)
    # The story is English: on the Spanish page its card says so.
    assert all('lang="en"' in card for card in spanish)
    assert not any('lang="en"' in card for card in english)


def test_a_settings_change_starts_afresh(client):
    ArticleFactory(title="Lead")
    ArticleFactory(title="A card")
    client.get("/")
    assert cards._drawn
    with override_settings(MEDIA_URL="/elsewhere/"):
        assert not cards._drawn
