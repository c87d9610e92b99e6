"""The only module that calls the Stripe API.

Everything goes through one ``stripe.StripeClient`` built from settings, so tests
(and a local Stripe-compatible server) can swap the transport or the base address
without touching the call sites.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

from donations.models import STRIPE_INTERVALS, Donation, Frequency

logger = logging.getLogger(__name__)

# Tests and local stubs plug a ``stripe.HTTPClient`` here (``RecordingTransport`` in
# tests/donations/stripe_fakes.py). ``None`` means the SDK's own HTTP client.
http_client: stripe.HTTPClient | None = None

GatewayError = stripe.StripeError


class NotConfigured(Exception):
    """No Stripe secret key: online giving is switched off on this site."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


def mode() -> str:
    """``"test"``, ``"live"`` or ``"off"``: drives the TEST MODE banner and the form."""
    key = settings.STRIPE_SECRET_KEY
    if not key:
        return "off"
    return "live" if "_live_" in key else "test"


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


@functools.cache
def _network_client(connect: float, read: float) -> stripe.HTTPClient:
    """The SDK's own HTTP client with our timeouts, one per process (it keeps a
    connection pool per thread). Its default is 80 s per try: one hung Stripe would
    hold a web worker for minutes, and two donors would hold every worker."""
    return stripe.RequestsClient(timeout=(connect, read))


def client() -> stripe.StripeClient:
    """Every call is bounded: ``STRIPE_CONNECT_TIMEOUT`` + ``STRIPE_READ_TIMEOUT`` per try
    and ``STRIPE_MAX_NETWORK_RETRIES`` retries (same idempotency key), so a donor hears
    "nothing was charged" within seconds when Stripe does not answer."""
    if not settings.STRIPE_SECRET_KEY:
        raise NotConfigured
    transport = http_client or _network_client(
        settings.STRIPE_CONNECT_TIMEOUT, settings.STRIPE_READ_TIMEOUT
    )
    return stripe.StripeClient(
        api_key=settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=transport,
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def idempotency_key(donation: Donation, purpose: str) -> str:
    # One key per donation and purpose, so the SDK's network retries (and any retry of
    # the same call for this donation) get the Checkout Session Stripe already opened
    # instead of a second one. A double-submitted form is a new pending donation with
    # its own key: that is a second attempt, which the rate limit bounds.
    return f"donation-{donation.public_id}-{purpose}"


def create_checkout_session(
    *, donation: Donation, product_name: str, success_url: str, cancel_url: str
) -> CheckoutSession:
    metadata = {"donation_id": str(donation.pk), "donation_public_id": str(donation.public_id)}
    price_data: dict[str, Any] = {
        "currency": donation.currency,
        "unit_amount": donation.amount,
        "product_data": {"name": product_name},
    }
    params: dict[str, Any] = {
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": str(donation.pk),
        "customer_email": donation.donor_email,
        "metadata": metadata,
        # Stripe's page in the donor's language (the donate page's): "en" or "es".
        "locale": donation.language,
    }
    if donation.frequency == Frequency.ONCE:
        params["mode"] = "payment"
        params["submit_type"] = "donate"
        # Copied onto the PaymentIntent (and its charge) so refunds and disputes can be
        # traced to the donation even when they arrive before the completion event.
        params["payment_intent_data"] = {"metadata": metadata}
    else:
        params["mode"] = "subscription"
        price_data["recurring"] = {"interval": STRIPE_INTERVALS[Frequency(donation.frequency)]}
        params["subscription_data"] = {"metadata": metadata}
    session = client().v1.checkout.sessions.create(
        params=params,  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key(donation, "checkout")},
    )
    return CheckoutSession(id=session.id, url=session.url or "")


def retrieve_checkout_session(session_id: str) -> dict[str, Any]:
    session = client().v1.checkout.sessions.retrieve(session_id)
    return session.to_dict()


def retrieve_invoice_with_payments(invoice_id: str) -> dict[str, Any]:
    """The invoice with its ``payments`` (PaymentIntent of each payment).

    ``payments`` is an includable field: current API versions leave it out of webhook
    payloads, so the renewal's PaymentIntent is only known by asking.
    """
    invoice = client().v1.invoices.retrieve(invoice_id, params={"expand": ["payments"]})
    return invoice.to_dict()


def invoice_paid_by(payment_intent_id: str) -> dict[str, Any] | None:
    """The invoice a PaymentIntent paid, or ``None`` when it paid no invoice.

    Charges of subscription renewals carry no metadata of ours (Stripe copies the
    subscription's metadata to neither the PaymentIntent nor the charge), so this is how
    a refund or dispute of a renewal is traced back to its gift.
    """
    page = client().v1.invoice_payments.list(
        params={
            "payment": {"type": "payment_intent", "payment_intent": payment_intent_id},
            "expand": ["data.invoice"],
            "limit": 1,
        }
    )
    for item in page.data:
        invoice = item.invoice
        if isinstance(invoice, str):
            return retrieve_invoice_with_payments(invoice)
        return invoice.to_dict()
    return None


def create_billing_portal_session(*, customer_id: str, return_url: str) -> str:
    session = client().v1.billing_portal.sessions.create(
        params={"customer": customer_id, "return_url": return_url}
    )
    return session.url


def retrieve_charge(charge_id: str) -> dict[str, Any]:
    """A charge with its metadata and PaymentIntent.

    A dispute names its charge by id only; the charge of a one-time gift carries our
    donation metadata (copied from the Checkout Session), which the dispute does not.
    """
    charge = client().v1.charges.retrieve(charge_id)
    return charge.to_dict()
