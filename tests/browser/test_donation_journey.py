"""A reader gives $25 a month from an article's call to action; an editor sees it attributed.

Stripe is played by the recording transport (the API) and a tiny local page standing in
for Stripe's hosted Checkout, which sends the donor back to our success URL. The
confirmation then arrives as really signed webhooks, as it would from Stripe.
"""

import json
import os
import re
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from donations import gateway
from donations.models import Donation, Payment
from tests.donations.stripe_fakes import (
    WEBHOOK_SECRET,
    RecordingTransport,
    event,
    fixture,
    signature_header,
)
from tests.factories import ArticleFactory, CountryFactory, SectionFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class HostedCheckout:
    """Stands in for checkout.stripe.com: one page with a Pay button that returns the
    donor to the success_url our server gave Stripe."""

    def __init__(self) -> None:
        self.success_urls: dict[str, str] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                session_id = self.path.rstrip("/").rsplit("/", 1)[-1]
                back = outer.success_urls[session_id].replace("{CHECKOUT_SESSION_ID}", session_id)
                body = (
                    f"<!doctype html><title>Stripe Checkout (test)</title>"
                    f'<h1>Pay Crime Watch</h1><a id="pay" href="{back}">Pay</a>'
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def stripe_stub(settings):
    hosted = HostedCheckout()
    # The stand-in also takes Stripe's place in the Content-Security-Policy: Chromium checks
    # the 303 that answers the donate form's POST against form-action, so the journey only
    # reaches the hosted page if the policy names Stripe's Checkout origin.
    form_action = settings.SECURE_CSP["form-action"]
    assert settings.STRIPE_CHECKOUT_ORIGIN in form_action
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [
            hosted.url if source == settings.STRIPE_CHECKOUT_ORIGIN else source
            for source in form_action
        ],
    }
    transport = RecordingTransport()
    created = transport.routes[("POST", "/v1/checkout/sessions")]

    def create(request):
        status, body = created(request)
        hosted.success_urls[body["id"]] = request.params["success_url"]
        body["url"] = f"{hosted.url}/c/pay/{body['id']}"
        return status, body

    def retrieve(request):
        # What Stripe answers right after the donor paid: the completed session.
        donation = Donation.objects.get(stripe_checkout_session_id=request.path.rsplit("/")[-1])
        return 200, fixture("evt_checkout_session_completed_subscription", donation=donation)[
            "data"
        ]["object"]

    transport.answer("POST", "/v1/checkout/sessions", create)
    transport.answer("GET", "/v1/checkout/sessions/", retrieve)
    previous, gateway.http_client = gateway.http_client, transport
    yield transport
    gateway.http_client = previous
    hosted.server.shutdown()


def _deliver(live_server, payload: dict) -> int:
    body = json.dumps(payload)
    request = urllib.request.Request(
        f"{live_server.url}/donate/stripe/webhook/",
        data=body.encode(),
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": signature_header(body, secret=WEBHOOK_SECRET),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_reader_gives_monthly_from_an_article_and_an_editor_sees_it_in_the_report(
    page, live_server, stripe_stub, settings
):
    settings.STRIPE_SECRET_KEY = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.ORGANISATION_NAME = "Crime Watch"
    news = SectionFactory(name="News", slug="news")
    brief = SectionFactory(name="Brief", slug="brief", parent=news)
    SectionFactory(name="Investigations", slug="investigations")
    SectionFactory(name="The Organization", slug="the-organization")
    mexico = CountryFactory(name="Mexico", slug="mexico")
    article = ArticleFactory(
        title="How the port cartel launders its money",
        section=brief,
        countries=[mexico],
        primary_country=mexico,
    )
    UserFactory(username="donations-editor", role="Editor")

    # The reader finishes the story and follows its call to action.
    page.goto(article.get_absolute_url())
    page.locator("aside.donate-cta").get_by_role("link", name="Donate").click()
    page.wait_for_url(f"**/donate/?source=article-{article.pk}")
    assert "TEST MODE" in page.locator(".donate-test-mode").inner_text()

    page.get_by_role("radio", name="Monthly").check()
    page.get_by_role("radio", name=re.compile(r"^\$25\b")).check()
    page.get_by_label("Your name").fill("Ana Reyes")
    page.get_by_label("Email").fill("ana@example.org")
    button = page.locator("#donate-submit")
    assert button.inner_text() == "Give $25 every month"
    # The fee is looked up from what the server computed; the script does no money math.
    fee = page.get_by_label("Add the estimated processing fee")
    fee.check()
    assert button.inner_text() == "Give $26.06 every month"
    page.get_by_role("radio", name="Other").check()
    page.get_by_label("Other amount").fill("12.5")
    assert button.inner_text() == "Give $12.50 plus the fee every month"
    fee.uncheck()
    assert button.inner_text() == "Give $12.50 every month"
    page.get_by_label("Other amount").fill("")
    page.get_by_role("radio", name=re.compile(r"^\$25\b")).check()
    assert button.inner_text() == "Give $25 every month"
    button.click()

    # Stripe's hosted page, then back to us.
    page.wait_for_url("**/c/pay/cs_test_sub9z8y7")
    page.locator("#pay").click()
    page.wait_for_url("**/donate/thanks/?session_id=cs_test_sub9z8y7")
    assert "Thank you, Ana Reyes" in page.get_by_role("heading", level=1).inner_text()
    assert "$25 every month" in page.locator("main").inner_text()

    donation = Donation.objects.get()
    checkout = stripe_stub.requests[0]
    assert checkout.params["mode"] == "subscription"
    assert checkout.params["line_items[0][price_data][recurring][interval]"] == "month"
    assert checkout.params["metadata[donation_id]"] == str(donation.pk)
    assert donation.source_article == article

    # Stripe's signed webhooks arrive (first invoice before the completion, as can happen).
    assert _deliver(live_server, event("evt_invoice_paid_first", donation=donation)) == 200
    assert (
        _deliver(
            live_server, event("evt_checkout_session_completed_subscription", donation=donation)
        )
        == 200
    )
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PAID
    assert Payment.objects.get().amount == 2500  # page and webhooks agreed: counted once

    # An editor opens the report from the donations list.
    page.goto("/admin/login/?next=/admin/donations/donation/")
    page.get_by_label("Username").fill("donations-editor")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/donations/donation/")
    page.get_by_role("link", name="Attribution report").click()
    page.wait_for_url("**/admin/donations/donation/report/")
    row = (
        page.locator("table.report-table").nth(1).locator("tbody tr").filter(has_text=article.title)
    )
    assert "$25" in row.inner_text()
    assert "Mexico" in page.locator("table.report-table").nth(3).inner_text()
