"""{% drawn_once %} pieces (articles/cards.py): kept per inputs, never an old one."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from articles import cards
from articles.models import Author, Byline
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept():
    cards.forget()
    yield
    cards.forget()


def _render(source: str, **context) -> str:
    return Template("{% load newsroom i18n %}" + source).render(Context(context))


def test_the_body_sees_only_the_values_it_names():
    source = "{% drawn_once a=x %}[{{ a }}|{{ x }}|{{ y }}]{% enddrawn_once %}"
    assert _render(source, x="one", y="two") == "[one||]"


def test_a_changed_value_is_drawn_afresh_and_an_unchanged_one_kept():
    template = Template("{% load newsroom %}{% drawn_once a=x %}{{ a }}{% enddrawn_once %}")
    assert template.render(Context({"x": "first"})) == "first"
    assert template.render(Context({"x": "second"})) == "second"
    kept = len(cards._drawn)
    assert template.render(Context({"x": "first"})) == "first"
    assert len(cards._drawn) == kept


def test_the_active_language_is_part_of_the_key():
    template = Template(
        '{% load newsroom i18n %}{% drawn_once %}{% translate "Search" %}{% enddrawn_once %}'
    )
    with translation.override("en"):
        assert template.render(Context()) == "Search"
    with translation.override("es"):
        assert template.render(Context()) == "Buscar"


def test_a_value_without_a_stable_key_is_refused():
    with pytest.raises(TypeError):
        _render("{% drawn_once a=x %}{{ a }}{% enddrawn_once %}", x=[1, 2])


def test_only_name_value_pairs_are_accepted():
    with pytest.raises(TemplateSyntaxError):
        _render("{% drawn_once x %}{% enddrawn_once %}", x=1)


def test_the_search_box_shows_each_query(client):
    ArticleFactory(title="Port of Manzanillo")
    for query in ("port", "manzanillo"):
        html = client.get("/search/", {"q": query}).content.decode()
        assert f'name="q" value="{query}"' in html


def test_an_edited_article_shows_its_new_title_credits_and_tags_in_every_kept_piece(client):
    ana = AuthorFactory(name="Ana Ruiz")
    story = ArticleFactory(title="Old headline", authors=[ana], licence="cc-by-nc-4.0")
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Old headline">' in html
    assert "text=Old+headline" in html  # the share links
    assert "attribution to Ana Ruiz and" in html

    story.title = "New headline"
    story.save()
    Byline.objects.create(article=story, author=AuthorFactory(name="Luis Mora"), position=1)
    Author.objects.filter(pk=ana.pk).update(name="Ana Ruiz Soto")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Old headline" not in html
    assert '<meta property="og:title" content="New headline">' in html
    assert "text=New+headline" in html
    assert "attribution to Ana Ruiz Soto, Luis Mora and" in html


def test_hub_pagination_follows_the_page_the_count_the_query_and_the_language(client, settings):
    from tests.factories import CountryFactory

    settings.ARTICLES_PER_PAGE = 2
    mexico = CountryFactory(name="Mexico", slug="mexico")
    for _ in range(5):
        ArticleFactory(countries=[mexico])

    def nav(url: str) -> str:
        html = client.get(url).content.decode()
        return html.split('<nav class="pagination"')[1].split("</nav>")[0]

    first = nav("/country/mexico/")
    assert "Page 1 of 3" in first and 'rel="prev"' not in first
    assert 'href="?page=2"' in first
    middle = nav("/country/mexico/?page=2&utm_source=a%3Cb")
    assert "Page 2 of 3" in middle
    assert 'href="?utm_source=a%3Cb&amp;page=1"' in middle
    assert 'href="?utm_source=a%3Cb&amp;page=3"' in middle
    assert 'rel="next"' not in nav("/country/mexico/?page=3")
    assert "Página 2 de 3" in nav("/es/country/mexico/?page=2")
    # One more story: the kept pieces of three pages are not reused for four.
    ArticleFactory(countries=[mexico])
    ArticleFactory(countries=[mexico])
    assert "Page 1 of 4" in nav("/country/mexico/")


def test_a_readers_own_query_string_or_search_words_are_never_kept(client, settings):
    from tests.factories import CountryFactory

    settings.ARTICLES_PER_PAGE = 1
    mexico = CountryFactory(name="Mexico", slug="mexico")
    ArticleFactory(countries=[mexico], title="Ports and cartels")
    ArticleFactory(countries=[mexico], title="Ports and prisons")
    client.get("/country/mexico/?page=2")
    kept = len(cards._drawn)
    # Pages with words or parameters a reader makes up: right, but nothing more kept.
    for n in range(5):
        html = client.get(f"/country/mexico/?page=2&utm_source=x{n}").content.decode()
        assert f"utm_source=x{n}&amp;page=1" in html
        html = client.get(f"/search/?q=ports+{n}").content.decode()
        assert f'value="ports {n}"' in html
    assert len(cards._drawn) == kept
