"""Donors manage their recurring gift through single-use, expiring signed links."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from donations import gateway
from donations.models import Donation, ManageLinkUse
from donations.services.common import CheckoutUnavailable, ManageLinkInvalid
from donations.services.receipts import send_email

logger = logging.getLogger(__name__)

MANAGE_SALT = "donations.manage-link"


def manage_link_request(*, email: str, link_for: Callable[[str], str]) -> bool:
    """Email a signed, expiring, single-use link to each recurring gift on this address.

    Every address gets an email, with links or saying that no recurring gift was found:
    the page and the time it takes are then the same either way, so the form cannot be
    used to find out who gives. Returns whether links went out, for logging only.
    """
    customers = list(
        Donation.objects.recurring()
        .filter(donor_email__iexact=email.strip())
        .exclude(stripe_customer_id="")
        .order_by("-created_at")
        .values_list("stripe_customer_id", flat=True)
        .distinct()
    )
    links = [
        link_for(signing.dumps({"c": customer, "n": secrets.token_urlsafe(16)}, salt=MANAGE_SALT))
        for customer in dict.fromkeys(customers)
    ]
    context = {
        "organisation": settings.ORGANISATION_NAME,
        "links": links,
        "minutes": settings.DONATION_MANAGE_LINK_MAX_AGE // 60,
        "site_url": settings.SITE_URL,
        # In the language of the page the donor asked from (the active one).
        "manage_url": settings.SITE_URL + reverse("donations:manage"),
    }
    send_email("manage_link", to=email.strip(), context=context)
    return bool(links)


def manage_token_read(token: str) -> dict[str, str]:
    try:
        data = signing.loads(token, salt=MANAGE_SALT, max_age=settings.DONATION_MANAGE_LINK_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature too
        raise ManageLinkInvalid from exc
    if ManageLinkUse.objects.filter(nonce=data["n"]).exists():
        raise ManageLinkInvalid("already used")
    return data


@transaction.atomic
def manage_token_redeem(*, token: str, return_url: str) -> str:
    """Spend the link and open a Billing Portal session; returns the portal URL.

    The use is recorded in the same transaction as the Stripe call, so a Stripe failure
    leaves the link usable while two clicks racing each other get one portal session.
    """
    data = manage_token_read(token)
    if not gateway.is_configured():
        # Checked before the link is spent, so it still works once Stripe is set up.
        raise gateway.NotConfigured
    try:
        with transaction.atomic():
            ManageLinkUse.objects.create(nonce=data["n"])
    except IntegrityError:
        raise ManageLinkInvalid("already used") from None
    try:
        return gateway.create_billing_portal_session(customer_id=data["c"], return_url=return_url)
    except gateway.GatewayError as exc:
        logger.warning("Stripe could not open the billing portal: %r", exc)
        raise CheckoutUnavailable from exc
