import pytest

from articles.sanitize import clean_body
from tests.factories import ArticleFactory


def test_sanitiser_removes_script_event_handlers_and_javascript_links():
    dirty = (
        '<p>Fact<script>alert("x")</script></p>'
        '<img src="https://example.org/a.jpg" onerror="steal()" alt="map">'
        '<a href="javascript:alert(1)">click</a>'
        '<p style="color:red" onclick="x()">styled</p>'
    )
    clean = clean_body(dirty)
    assert "<script" not in clean and "alert" not in clean
    assert "onerror" not in clean and "onclick" not in clean
    assert "javascript:" not in clean
    assert "style=" not in clean
    assert "<img" not in clean  # the editor cannot make images: no tracking pixels
    assert "<p>styled</p>" in clean


def test_sanitiser_keeps_editorial_markup():
    html = (
        "<h2>Context</h2><p><strong>Bold</strong> and <em>italic</em> with a "
        '<a href="https://example.org/report">source</a>.</p><blockquote>Quote</blockquote>'
        "<ul><li>one</li></ul>"
    )
    clean = clean_body(html)
    for fragment in ("<h2>Context</h2>", "<strong>Bold</strong>", "<blockquote>", "<li>one</li>"):
        assert fragment in clean
    assert 'href="https://example.org/report"' in clean


@pytest.mark.django_db
def test_every_save_path_sanitises_the_body():
    article = ArticleFactory(body='<p onmouseover="x()">Hi<script>bad()</script></p>')
    article.refresh_from_db()
    assert article.body == "<p>Hi</p>"
