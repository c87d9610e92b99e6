"""Pictures in the republished story: only the library's republishable ones, with credit."""

import re
from html import unescape

import feedparser
import pytest
from django.urls import reverse

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _copied_html(client, article) -> str:
    page = client.get(reverse("republish_pages:page", args=[article.slug])).content.decode()
    return unescape(
        re.search(r'<textarea id="republish-html"[^>]*>(.*?)</textarea>', page, re.S)[1]
    )


def test_only_republishable_pictures_go_out_each_with_its_credit(client, make_image):
    agency = make_image(may_republish=False, credit="Photo: Wire Agency", alt_text="Agency shot")
    ours = make_image(may_republish=True, credit="Photo: Ana Ruiz", alt_text="Port at night")
    article = ArticleFactory(
        licence="cc-by-4.0",
        featured_image=agency,
        body=(
            f'<p>Before.</p><figure data-image="{ours.pk}"></figure>'
            f'<figure data-image="{agency.pk}"></figure><p>After.</p>'
        ),
    )
    html = _copied_html(client, article)
    assert "Wire Agency" not in html and "Agency shot" not in html
    assert re.search(
        r'<figure><img src="http://testserver/media/[^"]+\.jpe?g" alt="Port at night">'
        r"<figcaption>[^<]*Photo: Ana Ruiz</figcaption></figure>",
        html,
    )
    assert html.count("<img") == 2  # our picture and the pixel


def test_a_republishable_featured_picture_leads_the_story_with_its_credit(client, make_image):
    ours = make_image(may_republish=True, credit="Photo: Ana Ruiz", alt_text="Port at night")
    article = ArticleFactory(licence="cc-by-nc-4.0", featured_image=ours)
    html = _copied_html(client, article)
    figure = html.index('alt="Port at night"')
    assert html.index("<h1>") < figure < html.index(article.body)
    assert "Photo: Ana Ruiz" in html


def test_the_feed_reads_every_item_s_pictures_in_one_query(
    client, make_image, django_assert_num_queries
):
    pictures = [make_image(may_republish=True, credit=f"Photo {n}") for n in range(3)]
    for picture in pictures:
        ArticleFactory(licence="cc-by-4.0", featured_image=picture)
    with django_assert_num_queries(3):  # stories, bylines, pictures
        response = client.get(reverse("republish:feed"))
    entries = feedparser.parse(response.content).entries
    assert all(f"Photo {n}" in str(entries) for n in range(3))
