"""The public pages and the admin's article form work in Chromium under the production
Content-Security-Policy: nothing is blocked, and the scripts moved out of the templates
(share "Copy link", the donate button's label) still run.

The `page` fixture (conftest.py) collects every violation Chromium reports and fails the
test that caused one; these tests also assert it at the point where it matters.
"""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import ArticleFactory, CountryFactory, SectionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story():
    news = SectionFactory(name="News", slug="news")
    brief = SectionFactory(name="Brief", slug="brief", parent=news)
    SectionFactory(name="Investigations", slug="investigations")
    SectionFactory(name="The Organization", slug="the-organization")
    mexico = CountryFactory(name="Mexico", slug="mexico")
    return ArticleFactory(
        title="Port cartel launders through shell firms",
        section=brief,
        countries=[mexico],
        primary_country=mexico,
        body="<p>Customs records show <strong>three</strong> firms.</p>",
    )


def test_a_blocked_inline_script_is_reported_as_a_violation(page, csp_violations, story):
    # The check below is only worth something if it sees what the policy blocks.
    page.goto(story.get_absolute_url())
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true"; document.body.append(s); }"""
    )
    assert page.evaluate("window.injected") is None
    assert any("script-src" in text for text in csp_violations)
    csp_violations.clear()


def test_public_pages_load_under_the_policy_with_no_violation(page, csp_violations, story):
    for path in (
        "/",
        "/section/news/",
        "/country/mexico/",
        f"/search/?q={story.title.split()[0]}",
        story.get_absolute_url(),
        "/donate/?source=header",
        "/no-such-page/",
    ):
        response = page.goto(path)
        policy = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in policy
        assert response.headers["permissions-policy"].startswith("accelerometer=()")
        assert page.locator("link[rel=stylesheet]").count() >= 1
        # Our stylesheet applied: the header is laid out by site.css, not the browser default.
        assert page.locator(".site-header").evaluate("el => getComputedStyle(el).display") != ""
    assert csp_violations == []


def test_copy_link_share_button_still_copies_under_the_policy(page, csp_violations, story):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(story.get_absolute_url())
    copy = page.locator(".share .copy-link")
    assert copy.inner_text() == "Copy link"
    copy.click()
    # The clipboard write is asynchronous: wait for the label it sets when done.
    expect(copy).to_have_text("Link copied")  # static/js/share.js ran and kept us on the page
    assert page.evaluate("navigator.clipboard.readText()") == story.get_canonical_url()
    assert csp_violations == []


def test_donate_button_label_follows_the_choices_under_the_policy(page, csp_violations, story):
    page.goto("/donate/")
    button = page.locator("#donate-submit")
    page.get_by_role("radio", name="Monthly").check()
    page.get_by_role("radio", name=re.compile(r"^\$25\b")).check()
    # static/js/donate.js rewrites the label from the server's json_script hints.
    assert button.inner_text() == "Give $25 every month"
    page.get_by_role("radio", name="One-time").check()
    assert "every month" not in button.inner_text()
    assert csp_violations == []


def test_admin_article_forms_and_rich_text_editor_work_under_the_policy(
    page, csp_violations, story
):
    UserFactory(username="edith", role="Editor")
    page.goto("/admin/login/?next=/admin/articles/article/add/")
    page.get_by_label("Username").fill("edith")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/articles/article/add/")

    # The editor is built by django-prose-editor's module scripts, loaded through the
    # admin's nonce'd import map: if the policy blocked either, there would be no editor.
    editor = page.locator("[contenteditable=true].ProseMirror")
    editor.click()
    editor.type("Officials confirmed the seizure.")
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+b")
    assert editor.locator("strong").inner_text() == "Officials confirmed the seizure."
    # The admin's own widgets (date/time shortcuts) are scripts too.
    assert page.locator(".datetimeshortcuts").count() >= 1

    page.goto(f"/admin/articles/article/{story.pk}/change/")
    editor = page.locator("[contenteditable=true].ProseMirror")
    assert "Customs records show three firms." in editor.inner_text()
    editor.click()
    page.keyboard.press("End")
    editor.type(" More to come.")
    page.locator("input[name=_continue]").click()
    page.wait_for_url(f"**/admin/articles/article/{story.pk}/change/")
    assert "More to come." in Article.objects.get(pk=story.pk).body
    assert csp_violations == []
