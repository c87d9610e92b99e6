"""The thank-you page names only public articles and spares Stripe; a hung Stripe is bounded.

Regressions from the hardening audit: items 2 (a draft's title on the thank-you page),
3 (a Stripe that accepts and never answers held every worker), 6 (each reload of the
thank-you page called Stripe).
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.utils import timezone

from articles.models import Article
from donations import gateway
from donations.models import Donation
from tests.donations.factories import DonationFactory
from tests.donations.test_donate import URL, gift
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

S = Donation.Status
THANKS = "/donate/thanks/?session_id="


# --- item 2: only published articles are named to a reader ------------------------------


def _unpublished(kind: str) -> Article:
    if kind == "scheduled":
        return ArticleFactory(
            status=Article.Status.PUBLISHED,
            publish_at=timezone.now() + dt.timedelta(days=3),
            title="Secret scheduled scoop",
        )
    status = {"draft": Article.Status.DRAFT, "review": Article.Status.IN_REVIEW}[kind]
    return ArticleFactory(status=status, publish_at=None, title=f"Secret {kind} scoop")


@pytest.mark.parametrize("kind", ["draft", "review", "scheduled"])
def test_thank_you_page_never_names_an_unpublished_source_article(client, transport, kind):
    article = _unpublished(kind)

    client.post(URL, gift(source=f"article-{article.pk}"))
    donation = Donation.objects.get()
    html = client.get(THANKS + donation.stripe_checkout_session_id).content.decode()

    assert "Secret" not in html
    assert article.slug not in html
    assert "Back to the front page" in html
    assert donation.source_article_id == article.pk  # kept for the attribution report


def test_thank_you_page_links_back_to_a_published_source_article(client, transport):
    article = ArticleFactory(title="A public investigation")

    client.post(URL, gift(source=f"article-{article.pk}"))
    donation = Donation.objects.get()
    html = client.get(THANKS + donation.stripe_checkout_session_id).content.decode()

    assert "Back to “A public investigation”" in html
    assert article.get_absolute_url() in html


# --- item 6: the thank-you page spares Stripe ---------------------------------------------


def _stripe_calls(transport) -> int:
    return sum(1 for r in transport.requests if r.path.startswith("/v1/checkout/sessions/"))


def test_reloading_the_page_of_a_settled_gift_never_calls_stripe(client, transport):
    DonationFactory(status=S.PAID, paid_at=timezone.now(), stripe_checkout_session_id="cs_test_p")

    for _ in range(20):
        assert client.get(THANKS + "cs_test_p").status_code == 200

    assert _stripe_calls(transport) == 0


def test_reloading_the_page_of_a_pending_gift_asks_stripe_once_per_interval(
    client, transport, settings
):
    settings.DONATION_THANKS_LOOKUP_INTERVAL = 60
    DonationFactory(stripe_checkout_session_id="cs_test_open")
    transport.answer(
        "GET",
        "/v1/checkout/sessions/",
        lambda r: (200, {"id": "cs_test_open", "object": "checkout.session", "status": "open"}),
    )

    for _ in range(100):
        assert client.get(THANKS + "cs_test_open").status_code == 200

    assert _stripe_calls(transport) == 1


def test_guessing_session_ids_is_throttled_per_client(client, transport, settings):
    settings.DONATION_THANKS_UNKNOWN_LIMIT = 5

    codes = [client.get(THANKS + f"cs_test_guess{n}").status_code for n in range(8)]

    assert codes == [404] * 5 + [429] * 3
    assert _stripe_calls(transport) == 0


@pytest.mark.parametrize("value", ["cs_test_\x00", "x" * 5000, "cs_test_a b", "../../etc"])
def test_a_session_id_that_is_not_stripes_is_a_404_before_any_lookup(client, value):
    assert client.get("/donate/thanks/", {"session_id": value}).status_code in (400, 404)


# --- item 3: a Stripe that accepts and never answers --------------------------------------


class SilentServer:
    """Accepts TCP connections and never answers; notes whether each client hung up."""

    def __init__(self, hold: float) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.hold = hold
        self.client_hung_up: list[bool] = []
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by close()
                return
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn: socket.socket) -> None:
        # Read the request, say nothing; the client must give up before we do.
        deadline = time.monotonic() + self.hold
        conn.settimeout(0.1)
        hung_up = False
        while time.monotonic() < deadline and not hung_up:
            try:
                hung_up = conn.recv(65536) == b""
            except TimeoutError:
                continue
            except OSError:
                hung_up = True
        self.client_hung_up.append(hung_up)
        conn.close()

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


@pytest.fixture
def silent_stripe(settings) -> Iterator[SilentServer]:
    server = SilentServer(hold=20)
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_CONNECT_TIMEOUT = 0.5
    settings.STRIPE_READ_TIMEOUT = 0.5
    settings.STRIPE_MAX_NETWORK_RETRIES = 1
    previous, gateway.http_client = gateway.http_client, None  # the SDK's real HTTP client
    yield server
    gateway.http_client = previous
    server.close()


def _wait_for(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_hung_stripe_gives_the_donor_nothing_was_charged_and_keeps_the_error(
    client, silent_stripe
):
    response = client.post(URL, gift())

    assert response.status_code == 502
    assert "nothing was charged" in response.content.decode()
    donation = Donation.objects.get()
    assert donation.status == S.PENDING
    assert "Checkout could not start" in donation.last_error
    # Our client gave up (twice: one bounded retry), not the silent server.
    _wait_for(lambda: len(silent_stripe.client_hung_up) == 2)
    assert silent_stripe.client_hung_up == [True, True]


def test_a_hung_stripe_leaves_the_thank_you_page_answering(client, silent_stripe):
    DonationFactory(stripe_checkout_session_id="cs_test_hung")

    response = client.get(THANKS + "cs_test_hung")

    assert response.status_code == 200
    assert "confirming your gift" in response.content.decode()
    _wait_for(lambda: len(silent_stripe.client_hung_up) == 2)
    assert silent_stripe.client_hung_up == [True, True]


def test_a_hung_stripe_leaves_the_manage_link_usable(client, silent_stripe):
    from django.core import signing

    from donations.services.manage import MANAGE_SALT

    token = signing.dumps({"c": "cus_test_1", "n": "nonce-hung"}, salt=MANAGE_SALT)

    response = client.post(f"/donate/manage/{token}/")

    assert response.status_code == 502
    assert "Your link still works" in response.content.decode()
    assert client.get(f"/donate/manage/{token}/").status_code == 200  # not spent
    _wait_for(lambda: len(silent_stripe.client_hung_up) == 2)
    assert silent_stripe.client_hung_up == [True, True]
