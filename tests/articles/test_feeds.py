"""The RSS feed: readers render <title> and <description> as HTML, so both carry text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous() -> Client:
    return Client()


class _ElementCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs) -> None:
        self.elements.append(tag)

    def handle_data(self, data) -> None:
        self.text += data


def _as_html(fragment: str) -> _ElementCounter:
    parser = _ElementCounter()
    parser.feed(fragment)
    parser.close()
    return parser


TYPED = "<img src=x onerror=alert(1)>"


def _feed_item(client: Client) -> ET.Element:
    response = client.get("/feed/")
    assert response.status_code == 200
    return ET.fromstring(response.content).find("channel/item")


def test_feed_description_carries_typed_markup_as_literal_text(anonymous):
    # What the admin stores when an editor types markup as text in the dek.
    ArticleFactory(dek="Seized at the port &lt;img src=x onerror=alert(1)&gt; today")
    description = _feed_item(anonymous).findtext("description")
    html = _as_html(description)
    assert html.elements == []
    assert html.text == f"Seized at the port {TYPED} today"


def test_feed_description_from_the_body_carries_no_markup(anonymous):
    ArticleFactory(dek="", body="<p>Seized &lt;script&gt;alert(1)&lt;/script&gt; here</p>")
    html = _as_html(_feed_item(anonymous).findtext("description"))
    assert html.elements == []
    assert html.text == "Seized <script>alert(1)</script> here"


def test_feed_title_is_escaped_for_readers_that_render_it_as_html(anonymous):
    ArticleFactory(title=f"Ports & {TYPED}")
    html = _as_html(_feed_item(anonymous).findtext("title"))
    assert html.elements == []
    assert html.text == f"Ports & {TYPED}"
