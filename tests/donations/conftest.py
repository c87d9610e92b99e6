import pytest
from django.core.cache import cache

from donations import gateway
from tests.donations.factories import DonationFactory
from tests.donations.stripe_fakes import (
    TEST_KEY,
    WEBHOOK_SECRET,
    RecordingTransport,
    event,
    post_event,
    retrieved_charge,
)


@pytest.fixture(autouse=True)
def _stripe_test_settings(settings):
    settings.STRIPE_SECRET_KEY = TEST_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.ORGANISATION_NAME = "Crime Watch"
    settings.TAX_STATEMENT = "Crime Watch is a registered non-profit; no goods were provided."
    cache.clear()  # rate-limit counters must not leak between tests
    yield
    cache.clear()


@pytest.fixture
def once(db):
    """A pending one-time gift of 25 USD whose Checkout Session is cs_test_a1b2c3."""
    return DonationFactory(
        frequency="once",
        amount=2500,
        donor_email="ana@example.org",
        donor_name="Ana Reyes",
        stripe_checkout_session_id="cs_test_a1b2c3",
    )


@pytest.fixture
def monthly(db):
    """A pending monthly gift of 25 USD whose Checkout Session is cs_test_sub9z8y7."""
    return DonationFactory(
        frequency="monthly",
        amount=2500,
        donor_email="ana@example.org",
        stripe_checkout_session_id="cs_test_sub9z8y7",
    )


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """Post a signed event and run what the view schedules after commit (receipts)."""

    def _deliver(name_or_payload, *, donation=None, **kw):
        payload = (
            event(name_or_payload, donation=donation, **kw)
            if isinstance(name_or_payload, str)
            else name_or_payload
        )
        with django_capture_on_commit_callbacks(execute=True):
            return post_event(client, payload)

    return _deliver


@pytest.fixture
def with_yen(settings):
    """USD and a zero-decimal currency (amounts in whole yen)."""
    settings.DONATION_CURRENCIES = {
        "usd": {"min": 500, "max": 1000000, "exponent": 2},
        "jpy": {"min": 500, "max": 1000000, "exponent": 0},
    }


@pytest.fixture(autouse=True)
def transport():
    """The SDK talks to this instead of the network in every donations test; a test that
    asserts on requests or scripts answers asks for it by name."""
    recording = RecordingTransport()
    previous, gateway.http_client = gateway.http_client, recording
    yield recording
    gateway.http_client = previous


@pytest.fixture(autouse=True)
def _charges_answered(transport):
    # A dispute names its charge by id, and the handler asks Stripe for it. Tests that
    # need a particular charge replace this route (same method and prefix).
    transport.answer("GET", "/v1/charges/", retrieved_charge)
