"""Pictures on public pages: the markup, the featured and inline images, the cards, social
meta, the sanitiser's rule, and the same query budgets as pages without pictures."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.sanitize import clean_body
from images.markup import picture
from related.rebuild import rebuild as rebuild_related
from tests.articles.test_queries import (
    ARTICLE_PAGE_QUERIES,
    HOME_PAGE_QUERIES,
    HUB_PAGE_QUERIES,
)
from tests.factories import ArticleFactory, CountryFactory, SectionFactory, UserFactory
from tests.images.conftest import picture_bytes, upload

pytestmark = pytest.mark.django_db


def figures(html: str) -> list[str]:
    return re.findall(r"<figure class=\"picture.*?</figure>", html, flags=re.S)


def test_picture_markup_has_sources_sizes_dimensions_alt_and_credit(make_image):
    image = make_image(file=upload("p.jpg", picture_bytes((1600, 1000))))
    html = str(picture(image, "card"))
    assert '<source type="image/webp" srcset="/media/renditions/' in html
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', html).group(1)
    assert [c.rsplit(" ", 1)[1] for c in webp.split(", ")] == ["320w", "480w", "640w", "960w"]
    assert all(c.split(" ")[0].endswith(".webp") for c in webp.split(", "))
    jpeg = re.search(r'<img src="[^"]+" srcset="([^"]+)"', html).group(1)
    assert all(c.split(" ")[0].endswith(".jpeg") for c in jpeg.split(", "))
    assert html.count('sizes="(min-width: 64em) 22rem, (min-width: 40em) 45vw, 100vw"') == 2
    assert 'width="960" height="540"' in html  # the largest card: 16:9, no layout shift
    assert 'alt="A yellow square on a dark background"' in html
    assert 'loading="lazy"' in html and "fetchpriority" not in html
    assert (
        '<figcaption><span class="caption">The square, seen from the road.</span> '
        '<span class="credit">Photo: Test Desk</span></figcaption>'
    ) in html
    lead = str(picture(image, "lead", lead=True))
    assert 'fetchpriority="high"' in lead and "loading=" not in lead


def test_the_sanitiser_keeps_library_references_and_drops_every_other_image():
    dirty = (
        '<p>Text</p><img src="https://tracker.example/pixel.gif">'
        '<figure data-image="12" class="x" onclick="steal()"><img src="/media/x.jpg"></figure>'
        '<figure data-image="javascript:alert(1)"></figure>'
        '<picture><source srcset="https://evil.example/a.webp"></picture>'
        '<svg><image href="https://evil.example/b.png"/></svg>'
    )
    clean = clean_body(dirty)
    assert "<img" not in clean and "<picture" not in clean and "<source" not in clean
    assert "evil.example" not in clean and "tracker" not in clean and "onclick" not in clean
    assert '<figure data-image="12"></figure>' in clean
    assert "javascript" not in clean


def test_featured_and_inline_images_are_drawn_on_the_article(make_image, client):
    featured = make_image(caption="Lead picture")
    inline = make_image(
        file=upload("i.png", picture_bytes((900, 900), "PNG")),
        alt_text="A map of the border crossing",
        credit="Map: Data Desk",
        caption="The crossing",
    )
    article = ArticleFactory(
        featured_image=featured,
        body=(
            f'<p>Before.</p><figure data-image="{inline.pk}"></figure><p>After.</p>'
            '<img src="https://tracker.example/p.gif">'
        ),
    )
    html = client.get(article.get_absolute_url()).content.decode()
    shown = figures(html)
    assert len(shown) == 2
    lead, body = shown
    assert 'fetchpriority="high"' in lead and "Lead picture" in lead
    assert "picture-full inline-image" in body and 'loading="lazy"' in body
    assert 'alt="A map of the border crossing"' in body
    assert '<span class="credit">Map: Data Desk</span>' in body
    assert 'width="900" height="900"' in body
    assert "<p>Before.</p><figure" in html and "tracker.example" not in html
    # Social cards: the largest "full" JPEG, absolute, with its size and alt.
    full = featured.display["crops"]["full"][-1]
    assert f'<meta property="og:image" content="http://testserver/media/{full["jpeg"]}">' in html
    assert f'<meta property="og:image:width" content="{full["w"]}">' in html
    assert '<meta property="og:image:alt" content="A yellow square on a dark background">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_editing_an_image_redraws_the_bodies_that_show_it(make_image, client):
    inline = make_image(caption="Old caption")
    article = ArticleFactory(body=f'<figure data-image="{inline.pk}"></figure>')
    client.force_login(UserFactory(role="Editor"))
    response = client.post(
        f"/admin/images/image/{inline.pk}/change/",
        {
            "alt_text": inline.alt_text,
            "credit": "Photo: New Agency",
            "caption": "New caption",
            "source": "",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
    )
    assert response.status_code == 302
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "New caption" in html and "Photo: New Agency" in html and "Old caption" not in html


def test_a_deleted_inline_image_leaves_the_body(make_image, client):
    inline = make_image()
    article = ArticleFactory(body=f'<p>Text</p><figure data-image="{inline.pk}"></figure>')
    client.force_login(UserFactory(role="Editor"))
    client.post(f"/admin/images/image/{inline.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(body_html__contains="<picture").exists()
    client.logout()
    assert figures(client.get(article.get_absolute_url()).content.decode()) == []


def test_a_featured_image_cannot_be_deleted_while_a_story_uses_it(make_image):
    from django.db.models import ProtectedError

    image = make_image()
    ArticleFactory(featured_image=image)
    with pytest.raises(ProtectedError):
        image.delete()


def test_cards_on_home_section_hub_and_related_show_the_card_rendition(make_image, client):
    section = SectionFactory(name="Investigations", slug="investigations")
    mexico = CountryFactory(name="Mexico", slug="mexico")
    images = [make_image(alt_text=f"Picture {n}") for n in range(4)]
    stories = [
        ArticleFactory(
            section=section, countries=[mexico], featured_image=images[n], title=f"Port story {n}"
        )
        for n in range(4)
    ]
    rebuild_related()
    home = client.get("/").content.decode()
    lead = figures(home)[0]
    assert "picture-lead" in lead and 'fetchpriority="high"' in lead
    assert "/lead-" in lead or "/full-" in lead  # 3:2 originals share the full files
    assert sum("picture-card" in f for f in figures(home)) == 3
    for url in ("/section/investigations/", "/country/mexico/"):
        cards = [f for f in figures(client.get(url).content.decode()) if "picture-card" in f]
        assert len(cards) == 4 and all("/card-320.webp 320w" in c for c in cards)
    page = client.get(stories[0].get_absolute_url()).content.decode()
    related = page[page.index('id="related-heading"') :]
    related_cards = [f for f in figures(related) if "picture-card" in f]
    assert len(related_cards) == 3
    assert all('loading="lazy"' in c and "/card-" in c for c in related_cards)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pictures_cost_no_extra_query(make_image, client):
    section = SectionFactory(name="Brief", slug="brief")
    SectionFactory(name="The Organization", slug="the-organization")
    mexico = CountryFactory(slug="mexico")
    inline = make_image()
    stories = [
        ArticleFactory(
            section=section,
            countries=[mexico],
            featured_image=make_image(),
            body=f'<p>x</p><figure data-image="{inline.pk}"></figure>',
        )
        for _ in range(4)
    ]
    rebuild_related()
    article_html = client.get(stories[0].get_absolute_url()).content.decode()
    assert len(figures(article_html)) == 1 + 1 + 3  # featured, inline, three related cards
    assert _count(client, stories[0].get_absolute_url()) == ARTICLE_PAGE_QUERIES
    assert _count(client, "/") == HOME_PAGE_QUERIES
    assert _count(client, "/section/brief/") == HUB_PAGE_QUERIES
    assert _count(client, "/country/mexico/") == HUB_PAGE_QUERIES


def test_a_cached_page_shows_a_picture_edit_at_once(
    page_cache_on, make_image, client, django_capture_on_commit_callbacks
):
    from django.test import Client

    featured = make_image(credit="Photo: Old Agency")
    inline = make_image(caption="Inline, first caption")
    # Committed as the admin would (the test's own transaction never commits).
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(
            featured_image=featured, body=f'<figure data-image="{inline.pk}"></figure>'
        )
    reader = Client()
    assert "Photo: Old Agency" in reader.get(article.get_absolute_url()).content.decode()
    assert reader.get(article.get_absolute_url()).headers.get("X-Page-Cache") == "hit"
    client.force_login(UserFactory(role="Editor"))
    for image, changes in (
        (featured, {"credit": "Photo: New Agency"}),
        (inline, {"caption": "Second"}),
    ):
        data = {
            "alt_text": image.alt_text,
            "credit": image.credit,
            "caption": image.caption,
            "source": "",
            "focal_x": "0.5",
            "focal_y": "0.5",
        } | changes
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/admin/images/image/{image.pk}/change/", data).status_code == 302
    html = reader.get(article.get_absolute_url()).content.decode()
    assert "Photo: New Agency" in html and "Second" in html and "Old Agency" not in html


def test_later_hub_pages_show_card_pictures_too(make_image, client, settings):
    settings.ARTICLES_PER_PAGE = 2
    mexico = CountryFactory(name="Mexico", slug="mexico")
    image = make_image()
    for _ in range(3):
        ArticleFactory(countries=[mexico], featured_image=image)
    second = client.get("/country/mexico/?page=2").content.decode()
    cards = [f for f in figures(second) if "picture-card" in f]
    assert len(cards) == 1 and "/card-320.webp 320w" in cards[0]
