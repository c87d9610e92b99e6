"""An editor in the article form: Pin and Exclude save the form first, so no edit is lost."""

import pytest

from articles.models import Article
from related.models import RelatedExclusion, RelatedItem, RelatedPin
from related.rebuild import rebuild
from tests.factories import ArticleFactory, CriminalGroupFactory, UserFactory
from tests.related.conftest import story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def source(page):
    zetas = CriminalGroupFactory(name="Zetas")
    article = ArticleFactory(groups=[zetas], **story("port"))
    for _ in range(3):
        ArticleFactory(groups=[zetas], **story("port"))
    rebuild()
    UserFactory(username="edith", role="Editor")
    page.goto(f"/admin/login/?next=/admin/articles/article/{article.pk}/change/")
    page.get_by_label("Username").fill("edith")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/admin/articles/article/{article.pk}/change/")
    return article


def _suggestion_row(page, target: Article):
    return page.locator("tr").filter(has=page.get_by_role("link", name=target.title, exact=True))


def test_pin_saves_the_typed_edits_first(page, source):
    target = RelatedItem.objects.filter(article=source).order_by("-score").last().target
    page.locator("#id_dek").fill("A dek typed just before pinning.")
    page.locator(f"button[name=_related_pin][value='{target.pk}']").click()
    page.wait_for_load_state()
    assert "Saved, and pinned" in page.locator(".messagelist").inner_text()
    assert page.locator("#id_dek").input_value() == "A dek typed just before pinning."
    source.refresh_from_db()
    assert source.dek == "A dek typed just before pinning."
    assert RelatedPin.objects.filter(article=source, target=target).exists()


def test_exclude_on_an_invalid_form_keeps_the_edits_and_changes_nothing(page, source):
    target = RelatedItem.objects.filter(article=source).order_by("-score").first().target
    page.locator("#id_title").fill("")
    page.locator("#id_dek").fill("Edits that must survive the error.")
    page.locator(f"button[name=_related_exclude][value='{target.pk}']").click()
    page.wait_for_load_state()
    assert page.locator(".errornote").is_visible()
    assert page.locator("#id_dek").input_value() == "Edits that must survive the error."
    assert not RelatedExclusion.objects.exists()
    source.refresh_from_db()
    assert source.title and source.dek != "Edits that must survive the error."


def test_article_list_fits_1366_px_with_the_columns_that_matter(page, source):
    ArticleFactory(
        title="A long headline about how a cartel moved its money through shell firms and ports",
        **{k: v for k, v in story("cattle").items() if k != "title"},
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/admin/articles/article/")
    for column in ("state", "section", "author_list", "language", "publish_at", "helpful_counts"):
        header = page.locator(f"#result_list thead th.column-{column}")
        box = header.bounding_box()
        assert box and box["x"] + box["width"] <= 1366, f"{column} is off screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # Titles wrap to at most two lines.
    title = page.locator("#result_list th.field-title a").first
    line = float(title.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert title.bounding_box()["height"] <= 2 * line + 1
