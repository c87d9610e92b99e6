"""The donor starts: a pending donation, then a Stripe Checkout Session for it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from articles.models import Article
from donations import gateway
from donations.models import Donation, Frequency
from donations.money import format_money, parse_whole
from donations.services.common import CheckoutUnavailable, MalformedEvent, NotReady
from donations.services.payments import donation_fulfil

logger = logging.getLogger(__name__)


def public_source_article(donation: Donation) -> Article | None:
    """The article the donor came from, if the public may see it (else ``None``)."""
    if donation.source_article_id is None:
        return None
    return Article.objects.published().filter(pk=donation.source_article_id).first()


def article_from_source(source: str) -> Article | None:
    """``article-123`` -> that article, if it exists; anything else is just a label.

    Any article, published or not: this is attribution for staff. What a reader is
    shown goes through ``public_source_article``.
    """
    prefix, _, rest = source.partition("-")
    pk = parse_whole(rest)
    if prefix != "article" or pk is None:
        return None
    return Article.objects.filter(pk=pk).first()


@transaction.atomic
def donation_start(
    *,
    amount: int,
    currency: str,
    frequency: str,
    donor_email: str,
    donor_name: str = "",
    fee_covered: int = 0,
    anonymous: bool = False,
    dedication_type: str = "",
    dedication_name: str = "",
    message: str = "",
    source: str = "",
    campaign: str = "",
    language: str = settings.LANGUAGE_CODE,
) -> Donation:
    """Store the pending donation. It is committed before Stripe is called, so a crash or
    an outage between the two leaves a record of the attempt, never an orphan payment."""
    return Donation.objects.create(
        amount=amount,
        fee_covered=fee_covered,
        currency=currency,
        frequency=frequency,
        donor_email=donor_email,
        donor_name=donor_name,
        anonymous=anonymous,
        dedication_type=dedication_type,
        dedication_name=dedication_name if dedication_type else "",
        message=message,
        source=source[:100],
        source_article=article_from_source(source),
        campaign=campaign[:100],
        language=language,
    )


def describe(donation: Donation) -> str:
    """``"$25 every month"``: the words used on the button, Stripe's product and receipts."""
    amount = format_money(donation.amount, donation.currency)
    return {
        Frequency.ONCE: amount,
        Frequency.MONTHLY: gettext("%(amount)s every month") % {"amount": amount},
        Frequency.ANNUAL: gettext("%(amount)s every year") % {"amount": amount},
    }[Frequency(donation.frequency)]


def checkout_open(*, donation: Donation, success_url: str, cancel_url: str) -> str:
    """Open a Stripe Checkout Session for a committed pending donation; return its URL.

    Deliberately not atomic: the donation row must survive a Stripe failure, which is
    recorded on it for staff (never shown to the donor).
    """
    with translation.override(donation.language):
        # What Stripe's page shows the donor, in the donor's language like the page itself.
        product_name = (
            gettext("%(organisation)s gift: %(gift)s")
            if donation.frequency == Frequency.ONCE
            else gettext("%(organisation)s recurring gift: %(gift)s")
        ) % {"organisation": settings.ORGANISATION_NAME, "gift": describe(donation)}
    try:
        session = gateway.create_checkout_session(
            donation=donation,
            product_name=product_name,
            success_url=success_url,
            cancel_url=cancel_url,
        )
    except gateway.GatewayError as exc:
        logger.warning(
            "Stripe refused or failed to open checkout for donation %s: %r", donation.pk, exc
        )
        Donation.objects.filter(pk=donation.pk).update(
            last_error=f"Checkout could not start: {type(exc).__name__}: {exc}"[:2000],
            updated_at=timezone.now(),
        )
        raise CheckoutUnavailable from exc
    donation.stripe_checkout_session_id = session.id
    donation.save(update_fields=["stripe_checkout_session_id", "updated_at"])
    return session.url


def checkout_confirm_on_return(*, donation: Donation) -> Donation:
    """The donor is back from Stripe, perhaps before the webhook: ask Stripe once.

    Only a pending gift is looked up (a settled one is answered from our database), and
    at most once per ``DONATION_THANKS_LOOKUP_INTERVAL`` seconds per gift, so reloading
    the page cannot turn into a stream of API calls. Fulfilment is idempotent: whichever
    of the page and the webhook comes second changes nothing. A Stripe that does not
    answer (bounded by the gateway's timeouts) leaves the gift pending; the page says so.
    """
    if donation.status != Donation.Status.PENDING or not gateway.is_configured():
        return donation
    interval = settings.DONATION_THANKS_LOOKUP_INTERVAL
    if not cache.add(f"donations:thanks-lookup:{donation.pk}", 1, timeout=interval):
        return donation
    try:
        donation_fulfil(
            session=gateway.retrieve_checkout_session(donation.stripe_checkout_session_id)
        )
    except (gateway.GatewayError, NotReady, MalformedEvent):
        logger.warning(
            "Could not confirm checkout session of donation %s on return",
            donation.pk,
            exc_info=True,
        )
    donation.refresh_from_db()
    return donation
