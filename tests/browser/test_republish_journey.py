"""A partner copies a story, publishes it on their own site, and the newsroom sees it."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from republish.models import Republication
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import ArticleFactory, AuthorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_HOST = "partner.example"


class PartnerSite:
    """A second web server on another port: the partner's site, serving what they pasted."""

    def __init__(self) -> None:
        self.html = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (
                    "<!doctype html><html><head><meta charset='utf-8'><title>Partner News</title>"
                    f"</head><body><main>{site.html}</main></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def partner():
    site = PartnerSite()
    yield site
    site.close()


@pytest.fixture
def browser_page(chromium, live_server, settings, csp_violations):
    """Chromium resolving partner.example to this machine, so the partner's page has a real
    host name (an IP or localhost Referer is, rightly, not counted)."""
    settings.SITE_URL = live_server.url
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {PARTNER_HOST} 127.0.0.1"],
    )
    # Headless Chromium says "HeadlessChrome" and is, rightly, not counted as a reader:
    # this one stands for a reader's ordinary Chrome.
    probe = chromium.new_page()
    user_agent = probe.evaluate("navigator.userAgent")
    probe.context.close()
    context = browser.new_context(
        base_url=live_server.url, user_agent=user_agent.replace("HeadlessChrome", "Chrome")
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and csp_violations.append(message.text)
        ),
    )
    yield page
    context.close()
    browser.close()
    assert not csp_violations, csp_violations


def test_a_partner_copies_the_story_publishes_it_and_the_view_is_counted(
    browser_page, partner, live_server
):
    page = browser_page
    article = ArticleFactory(
        title="Port brokers named in a new indictment",
        licence="cc-by-nc-4.0",
        authors=[AuthorFactory(name="Ana Lopez")],
    )
    UserFactory(username="boss", is_superuser=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    # The reader-facing control opens a modal dialog with the republish panel.
    page.goto(article.get_absolute_url())
    opener = page.get_by_role("link", name="Republish this story")
    opener.click()
    dialog = page.get_by_role("dialog", name="Republish this story")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    expect(dialog).to_contain_text("No commercial use.")
    # Esc closes it and gives focus back to the control.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    opener.click()
    dialog.get_by_role("button", name="Copy HTML").click()
    expect(dialog.get_by_role("status").first).to_have_text("HTML copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == dialog.locator("#republish-html").input_value()
    assert "<h1>Port brokers named in a new indictment</h1>" in copied

    # The partner pastes it into a page of their own site, on another origin.
    partner.html = copied
    partner_url = f"http://{PARTNER_HOST}:{partner.port}/2026/11/port-brokers/"
    with page.expect_response(lambda r: "/republish/pixel/" in r.url) as pixel:
        page.goto(partner_url + "?utm_source=newsletter&reader=someone@example.org")
    assert pixel.value.status == 200
    assert pixel.value.request.headers["referer"].startswith(partner_url)
    expect(page.get_by_role("heading", name=article.title)).to_be_visible()

    call_command("flush_republications")
    row = Republication.objects.get()
    assert (row.article_id, row.site, row.page_url, row.views) == (
        article.pk,
        PARTNER_HOST,
        partner_url,  # no query string: the reader's address never reached the database
        1,
    )

    # An editor sees it in the admin.
    page.goto("/admin/login/?next=/admin/republish/republication/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/republish/republication/")
    story_row = page.locator("#top-stories tbody tr").filter(has_text=article.title)
    expect(story_row).to_contain_text("1")
    expect(page.locator("#partner-sites")).to_contain_text(PARTNER_HOST)
    story_row.get_by_role("link").click()
    expect(page.locator("#article-pages")).to_contain_text(partner_url)


def test_without_javascript_the_control_is_a_page_with_the_html_to_copy(
    chromium, live_server, settings
):
    settings.SITE_URL = live_server.url
    article = ArticleFactory(licence="cc-by-4.0")
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(article.get_absolute_url())
    page.get_by_role("link", name="Republish this story").click()
    page.wait_for_url(f"**/article/{article.slug}/republish/")
    html = page.locator("#republish-html").input_value()
    assert f"/republish/pixel/{article.pk}.gif" in html
    # The copy buttons need JavaScript: hidden rather than dead.
    expect(page.get_by_role("button", name="Copy HTML")).to_be_hidden()
    context.close()
