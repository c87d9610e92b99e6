"""An editor logs in, writes a story tagged with two countries and a group, publishes it,
and finds it on the home page and on the country hub."""

import pytest

from articles.models import Article
from tests.factories import CountryFactory, CriminalGroupFactory, SectionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pick(page, field_id: str, typed: str, expected: str) -> None:
    """Choose an entry in the admin's type-ahead (select2) widget."""
    page.locator(f"#{field_id} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=expected).click()


def test_editor_writes_publishes_and_finds_the_story_on_home_and_hub(page):
    news = SectionFactory(name="News", slug="news")
    SectionFactory(name="Brief", slug="brief", parent=news)
    SectionFactory(name="The Organization", slug="the-organization")
    CountryFactory(name="Guatemala", slug="guatemala")
    CountryFactory(name="Mexico", slug="mexico")
    CriminalGroupFactory(name="Zetas", slug="zetas")
    UserFactory(username="edith", role="Editor")

    page.goto("/admin/login/?next=/admin/articles/article/add/")
    page.get_by_label("Username").fill("edith")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/articles/article/add/")

    page.locator("#id_title").fill("Border smuggling corridor shifts east")
    page.locator("#id_dek").fill("Traffickers moved their crossings after new checkpoints.")
    editor = page.locator("[contenteditable=true].ProseMirror")
    editor.click()
    editor.type("Local officials say the route moved within weeks.")
    page.locator("#id_section").select_option(label="News › Brief")
    _pick(page, "id_countries", "Guat", "Guatemala")
    _pick(page, "id_countries", "Mex", "Mexico")
    _pick(page, "id_groups", "Zet", "Zetas")
    page.locator("#id_status").select_option("published")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/articles/article/")
    assert "was added successfully" in page.content()

    article = Article.objects.get(title="Border smuggling corridor shifts east")
    assert article.is_public
    assert sorted(article.countries.names()) == ["Guatemala", "Mexico"]
    assert list(article.groups.names()) == ["Zetas"]
    assert "Local officials say the route moved within weeks." in article.body

    page.goto("/")
    assert page.get_by_role("link", name=article.title).count() >= 1
    page.goto("/country/mexico/")
    page.get_by_role("link", name=article.title).click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert (
        "Local officials say the route moved within weeks."
        in page.locator(".article-body").inner_text()
    )
