"""The "Republish this story" page and dialog: what each licence lets a partner copy."""

import datetime as dt
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from newsroom.pagecache import forget_local
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


def _story(**kwargs) -> Article:
    return ArticleFactory(
        title="Port brokers named in a new indictment",
        slug=kwargs.pop("slug", "port-brokers"),
        body=(
            '<p>Prosecutors said the <a href="/article/earlier/">network</a> moved cocaine.</p>'
            "<p>Second paragraph &amp; more.</p>"
        ),
        authors=[AuthorFactory(name="Ana Lopez"), AuthorFactory(name="Luis Pérez")],
        **kwargs,
    )


def _page(client, article: Article):
    return client.get(reverse("republish_pages:page", args=[article.slug]))


def _copied_html(response) -> str:
    """What the partner copies: the HTML text area's value."""
    match = re.search(
        r'<textarea id="republish-html"[^>]*>(.*?)</textarea>', response.content.decode(), re.S
    )
    assert match, "no HTML to copy on the page"
    return unescape(match.group(1))


def _copied_text(response) -> str:
    match = re.search(
        r'<textarea id="republish-text"[^>]*>(.*?)</textarea>', response.content.decode(), re.S
    )
    assert match
    return unescape(match.group(1))


@pytest.mark.parametrize("licence", ["cc-by-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0"])
def test_the_html_carries_headline_byline_date_body_attribution_and_pixel(client, licence):
    article = _story(licence=licence)
    response = _page(client, article)
    assert response.status_code == 200
    html = _copied_html(response)

    assert "<h1>Port brokers named in a new indictment</h1>" in html
    assert "By Ana Lopez and Luis Pérez" in html
    assert f'datetime="{article.publish_at.isoformat()}"' in html
    assert "Second paragraph &amp; more." in html
    # A relative link in the body would point at the partner's own site.
    assert '<a href="http://testserver/article/earlier/">network</a>' in html
    # Attribution: the canonical link and the licence's deed.
    deed = article.licence_info.deed_url
    assert f'<a href="http://testserver{article.get_absolute_url()}">Newsroom</a>' in html
    assert f'<a href="{deed}" rel="license">{article.licence_info.name}</a>' in html
    # The pixel, unique to the article, sending the page's path (not just its origin).
    pixel = f"http://testserver/republish/pixel/{article.pk}.gif"
    assert re.search(
        rf'<img src="{re.escape(pixel)}" width="1" height="1" alt="" '
        r'referrerpolicy="no-referrer-when-downgrade">',
        html,
    )


def test_each_licence_is_put_in_plain_words(client):
    by = _page(client, _story(licence="cc-by-4.0", slug="by")).content.decode()
    nc = _page(client, _story(licence="cc-by-nc-4.0", slug="nc")).content.decode()
    nd = _page(client, _story(licence="cc-by-nc-nd-4.0", slug="nd")).content.decode()

    assert "Commercial use allowed." in by and "Changes allowed." in by
    assert "No commercial use." not in by and "No changes." not in by
    assert "No commercial use." in nc and "Changes allowed." in nc and "No changes." not in nc
    assert "No commercial use." in nd and "No changes." in nd and "Changes allowed." not in nd
    for page in (by, nc, nd):
        assert "Credit." in page


def test_images_without_republication_rights_are_left_out(client, make_image):
    agency = make_image(may_republish=False, credit="Photo: Agency", alt_text="Agency shot")
    article = _story(licence="cc-by-4.0", featured_image=agency)
    response = _page(client, article)
    html = _copied_html(response)
    assert "Agency" not in html
    assert "This story's images may not be republished" in response.content.decode()
    assert html.count("<img") == 1  # the pixel alone


def test_inline_images_are_drawn_with_credit_only_when_republishable():
    from republish.content import ArticleImages, RepublishableImage, body_for_partners

    article = ArticleFactory.build()
    # Library pictures as the editor leaves them in the body, and a stray <img> an import
    # could have let through.
    article.body = (
        '<p>Text</p><figure data-image="12"></figure><figure data-image="13"></figure>'
        '<img src="/media/stray.jpg">'
    )
    ours = RepublishableImage(
        "http://testserver/media/ours.jpg", "Port at night", "The port.", "Photo: Newsroom", 12
    )
    assert body_for_partners(article) == "<p>Text</p>"
    kept = body_for_partners(article, ArticleImages(inline={12: ours}))
    assert kept == (
        '<p>Text</p><figure><img src="http://testserver/media/ours.jpg" alt="Port at night">'
        "<figcaption>The port. Photo: Newsroom</figcaption></figure>"
    )


def test_the_plain_text_variant_has_the_story_and_the_links_spelled_out(client):
    article = _story(licence="cc-by-nc-4.0")
    text = _copied_text(_page(client, article))
    assert text.startswith("Port brokers named in a new indictment\n")
    assert "By Ana Lopez and Luis Pérez, Newsroom" in text
    assert (
        "Prosecutors said the network (http://testserver/article/earlier/) moved cocaine."
        "\n\nSecond paragraph & more." in text
    )
    assert f"http://testserver{article.get_absolute_url()}" in text
    assert "https://creativecommons.org/licenses/by-nc/4.0/" in text
    assert "<" not in text


def test_a_spanish_story_is_republished_from_its_spanish_address(client):
    article = _story(licence="cc-by-4.0", language="es")
    english = reverse("republish_pages:page", args=[article.slug])
    response = client.get(english)
    assert response.status_code == 301
    assert response["Location"] == f"/es{english}"
    page = client.get(response["Location"])
    html = _copied_html(page)
    assert '<article lang="es">' in html
    # The pixel's address is the same in every language: it is pasted into other sites.
    assert f'<img src="http://testserver/republish/pixel/{article.pk}.gif"' in html
    assert f"/es/article/{article.slug}/" in html  # the canonical link


def test_all_rights_reserved_shows_no_control_and_no_page(client):
    article = _story(licence="all-rights-reserved")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Republish this story" not in page
    assert reverse("republish_pages:page", args=[article.slug]) not in page
    assert _page(client, article).status_code == 404


def test_republishable_articles_show_the_control_linking_to_the_page(client):
    article = _story(licence="cc-by-nc-nd-4.0")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Republish this story" in page
    assert f'href="{reverse("republish_pages:page", args=[article.slug])}"' in page
    assert '<dialog id="republish-dialog"' in page
    assert f'href="{reverse("republish:feed")}"' in _page(client, article).content.decode()


@pytest.mark.parametrize(
    "state",
    [
        {"status": Article.Status.DRAFT, "publish_at": None},
        {"status": Article.Status.IN_REVIEW, "publish_at": None},
        {"publish_at": timezone.now() + dt.timedelta(days=1)},
    ],
)
def test_drafts_and_scheduled_stories_cannot_be_republished(client, state):
    article = _story(licence="cc-by-4.0", **state)
    assert _page(client, article).status_code == 404


def test_the_page_is_public_cacheable_and_follows_edits(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE = True
    cache.clear()
    forget_local()
    with django_capture_on_commit_callbacks(execute=True):
        article = _story(licence="cc-by-4.0")
    first = _page(client, article)
    assert first.status_code == 200 and not first.cookies
    assert "private" not in first.get("Cache-Control", "")
    assert _page(client, article).get("X-Page-Cache") == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Port brokers named in a second indictment"
        article.save()

    again = _page(client, article)
    assert again.get("X-Page-Cache") != "hit"
    assert "<h1>Port brokers named in a second indictment</h1>" in _copied_html(again)
    cache.clear()
    forget_local()


def test_the_page_costs_two_queries_whatever_the_number_of_authors(
    client, django_assert_num_queries
):
    small = _story(licence="cc-by-4.0", slug="small")
    large = ArticleFactory(slug="large", authors=[AuthorFactory() for _ in range(6)])
    for article in (small, large):
        # The article, then its bylines.
        with django_assert_num_queries(2):
            assert _page(client, article).status_code == 200
