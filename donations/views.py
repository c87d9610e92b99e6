"""The donor's pages and the Stripe webhook endpoint. Thin: parse, call a service, render."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from donations import gateway, services, webhooks
from donations.forms import OTHER, DonateForm, ManageRequestForm
from donations.models import Donation, DonationSettings
from newsroom import ratelimit

logger = logging.getLogger(__name__)

# The choices that survive a round trip to Stripe's cancel button (no personal data in URLs).
KEPT_CHOICES = (
    "frequency",
    "currency",
    "amount",
    "custom_amount",
    "cover_fee",
    "source",
    "campaign",
)

NOT_CONFIGURED = _("Online donations are not configured on this site yet. Nothing was charged.")
CHECKOUT_DOWN = _(
    "We could not start the payment, and nothing was charged. Please try again in a few minutes."
)
MANAGE_NOT_CONFIGURED = _(
    "Online donations are not configured on this site yet, so gifts cannot be managed here. "
    "Your link still works once they are."
)
TOO_MANY = _("Too many attempts from your connection. Please wait a while and try again.")
PROVIDER_DOWN = _(
    "We could not reach our payment provider. Your link still works; please try again shortly."
)


def _redirect_303(url: str) -> HttpResponseRedirect:
    # 303 so the browser follows with GET whatever method brought it here.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {"stripe_mode": gateway.mode(), **context}, status=status)


def _initial_from_query(request: HttpRequest) -> dict[str, str | bool]:
    initial: dict[str, str | bool] = {
        name: request.GET[name][:100] for name in KEPT_CHOICES if request.GET.get(name)
    }
    if "cover_fee" in initial:
        initial["cover_fee"] = request.GET.get("cover_fee") in ("1", "on", "true")
    return initial


def _cancel_url(request: HttpRequest, form: DonateForm) -> str:
    data = form.cleaned_data
    choices = {
        "frequency": data["frequency"],
        "currency": data["currency"],
        "amount": data["amount"],
        "custom_amount": data["custom_amount"] if data["amount"] == OTHER else "",
        "cover_fee": "1" if data["cover_fee"] else "",
        "source": data["source"],
        "campaign": data["campaign"],
        "cancelled": "1",
    }
    query = urlencode({key: value for key, value in choices.items() if value not in ("", None)})
    return request.build_absolute_uri(reverse("donations:donate")) + "?" + query


@never_cache
@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest) -> HttpResponse:
    options = DonationSettings.load()
    if request.method == "GET":
        form = DonateForm(initial=_initial_from_query(request), options=options)
        return _page(
            request,
            "donations/donate.html",
            {"form": form, "cancelled": request.GET.get("cancelled") == "1"},
        )

    form = DonateForm(request.POST, options=options)
    context = {"form": form}
    if not ratelimit.allow(
        request,
        scope="donate",
        limit=settings.DONATION_RATE_LIMIT,
        window=settings.DONATION_RATE_WINDOW,
    ):
        return _page(request, "donations/donate.html", {**context, "error": TOO_MANY}, 429)
    if not form.is_valid():
        return _page(request, "donations/donate.html", context)
    if not gateway.is_configured():
        return _page(request, "donations/donate.html", {**context, "error": NOT_CONFIGURED}, 503)

    donation = services.donation_start(**form.donation_fields())
    success_url = (
        request.build_absolute_uri(reverse("donations:thanks"))
        # Stripe substitutes the literal placeholder; it must not be URL-encoded.
        + "?session_id={CHECKOUT_SESSION_ID}"
    )
    try:
        url = services.checkout_open(
            donation=donation, success_url=success_url, cancel_url=_cancel_url(request, form)
        )
    except services.CheckoutUnavailable:
        return _page(request, "donations/donate.html", {**context, "error": CHECKOUT_DOWN}, 502)
    return _redirect_303(url)


# Stripe's Checkout Session ids: "cs_test_" or "cs_live_" and a short token. Anything else
# is not a session of ours, and is answered before any database lookup.
CHECKOUT_SESSION_ID = re.compile(r"cs_(?:test|live)_[A-Za-z0-9]{1,240}")


@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    session_id = request.GET.get("session_id", "")
    if not CHECKOUT_SESSION_ID.fullmatch(session_id):
        raise Http404("no checkout session")
    donation = Donation.objects.filter(stripe_checkout_session_id=session_id).first()
    if donation is None:
        # Guessing session ids is the only use of this path: bound it per client.
        if not ratelimit.allow(
            request,
            scope="thanks-unknown",
            limit=settings.DONATION_THANKS_UNKNOWN_LIMIT,
            window=settings.DONATION_RATE_WINDOW,
        ):
            return _page(request, "donations/too_many.html", {"error": TOO_MANY}, 429)
        raise Http404("no such checkout session")
    donation = services.checkout_confirm_on_return(donation=donation)
    return _page(
        request,
        "donations/thanks.html",
        {
            "donation": donation,
            "description": services.describe(donation),
            # Only a published article is ever named to a reader; the id stays on the
            # donation for the attribution report whatever the article's state.
            "back_to": services.public_source_article(donation),
        },
    )


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, "donations/manage.html", {"form": ManageRequestForm()})
    form = ManageRequestForm(request.POST)
    if not ratelimit.allow(
        request,
        scope="manage",
        limit=settings.DONATION_MANAGE_RATE_LIMIT,
        window=settings.DONATION_RATE_WINDOW,
    ):
        return _page(request, "donations/manage.html", {"form": form, "error": TOO_MANY}, 429)
    if not form.is_valid():
        return _page(request, "donations/manage.html", {"form": form})
    services.manage_link_request(
        email=form.cleaned_data["email"],
        link_for=lambda token: request.build_absolute_uri(
            reverse("donations:manage_open", kwargs={"token": token})
        ),
    )
    # Same page whether or not the address belongs to a donor.
    return _page(request, "donations/manage_sent.html", {"email": form.cleaned_data["email"]})


@never_cache
@require_http_methods(["GET", "POST"])
def manage_open(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that prefetch links must not spend the
    # single use. The POST spends it and opens Stripe's Billing Portal.
    if request.method == "GET":
        try:
            services.manage_token_read(token)
        except services.ManageLinkInvalid:
            return _page(request, "donations/manage_invalid.html", {}, 410)
        return _page(request, "donations/manage_open.html", {"token": token})
    try:
        url = services.manage_token_redeem(
            token=token, return_url=request.build_absolute_uri(reverse("donations:donate"))
        )
    except services.ManageLinkInvalid:
        return _page(request, "donations/manage_invalid.html", {}, 410)
    except gateway.NotConfigured:
        return _page(
            request,
            "donations/manage_open.html",
            {"token": token, "error": MANAGE_NOT_CONFIGURED},
            503,
        )
    except services.CheckoutUnavailable:
        return _page(
            request,
            "donations/manage_open.html",
            {
                "token": token,
                "error": PROVIDER_DOWN,
            },
            502,
        )
    return _redirect_303(url)


@csrf_exempt  # Stripe cannot send our CSRF token; the signature check replaces it.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        outcome = webhooks.receive(request.body, request.headers.get("Stripe-Signature"))
    except webhooks.BadSignature:
        return HttpResponseBadRequest("invalid signature")
    except webhooks.UnstorableEvent as exc:
        logger.warning("Refused a signed Stripe event we cannot store: %s", exc)
        return HttpResponseBadRequest("event without a usable id or type")
    if outcome is webhooks.Outcome.INVALID:
        return JsonResponse({"status": outcome.value}, status=400)
    if outcome is webhooks.Outcome.FAILED:
        return JsonResponse({"status": outcome.value}, status=500)
    return JsonResponse({"status": outcome.value})
