"""Stripe without the network: a recording transport for the SDK and signed webhook payloads.

``RecordingTransport`` is a real ``stripe.HTTPClient``: the SDK builds, encodes and sends
its requests exactly as it would to api.stripe.com, and we keep each one (method, URL,
form-encoded params, headers such as Idempotency-Key) and answer with Stripe-shaped JSON
from ``tests/fixtures/stripe/``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stripe"
WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
TEST_KEY = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"  # Stripe's public documentation test key


def fixture(name: str, *, donation: Any = None, now: int | None = None) -> dict[str, Any]:
    """Load a fixture, filling in the donation it belongs to and the current time."""
    text = (FIXTURES / f"{name}.json").read_text()
    text = text.replace("__NOW__", str(now if now is not None else int(time.time())))
    if donation is not None:
        text = text.replace("__DONATION_ID__", str(donation.pk))
        text = text.replace("__DONATION_PUBLIC_ID__", str(donation.public_id))
    return json.loads(text)


def event(name: str, *, donation: Any = None, event_id: str | None = None, **kw: Any) -> dict:
    payload = fixture(name, donation=donation, **kw)
    if event_id:
        payload["id"] = event_id
    return payload


def signature_header(payload: str, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=at)


def post_event(
    client: Any,
    payload: dict | str,
    *,
    secret: str = WEBHOOK_SECRET,
    at: int | None = None,
    header: str | None = None,
) -> Any:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    signature = header if header is not None else signature_header(body, secret=secret, at=at)
    extra = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}
    return client.post(
        "/donate/stripe/webhook/", data=body, content_type="application/json", **extra
    )


@dataclass
class RecordedRequest:
    method: str
    url: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


Answer = Callable[[RecordedRequest], tuple[int, dict[str, Any]]]


@dataclass
class RecordingTransport(stripe.HTTPClient):
    """Answers ``(METHOD, path-prefix)`` routes; records every request it is given."""

    name = "recording"  # type: ignore[misc]
    requests: list[RecordedRequest] = field(default_factory=list)
    routes: dict[tuple[str, str], Answer] = field(default_factory=dict)
    down: bool = False

    def __post_init__(self) -> None:
        super().__init__()
        self.answer("POST", "/v1/checkout/sessions", self._checkout_session)
        self.answer(
            "GET",
            "/v1/checkout/sessions/",
            lambda r: (200, fixture("checkout_session_retrieved_paid")),
        )
        self.answer(
            "POST",
            "/v1/billing_portal/sessions",
            lambda r: (200, fixture("billing_portal_session")),
        )
        # Which invoice a PaymentIntent paid: by default none (money that is not a
        # subscription's); tests of renewals answer with the renewal's invoice.
        self.answer(
            "GET", "/v1/invoice_payments", lambda r: (200, fixture("invoice_payments_list_empty"))
        )

    def answer(self, method: str, path: str, reply: Answer | tuple[int, dict]) -> None:
        self.routes[(method.upper(), path)] = reply if callable(reply) else (lambda r: reply)

    def fail_with(self, status: int = 500, name: str = "error_api") -> None:
        """Every call answers with a Stripe error body."""
        self.routes = {key: (lambda r: (status, fixture(name))) for key in self.routes}

    def _checkout_session(self, request: RecordedRequest) -> tuple[int, dict]:
        mode = request.params.get("mode", "payment")
        body = fixture(f"checkout_session_created_{mode}")
        body["metadata"] = {
            key.removeprefix("metadata[").removesuffix("]"): value
            for key, value in request.params.items()
            if key.startswith("metadata[")
        }
        body["amount_total"] = int(request.params.get("line_items[0][price_data][unit_amount]", 0))
        body["success_url"] = request.params.get("success_url")
        body["cancel_url"] = request.params.get("cancel_url")
        return 200, body

    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None
    ) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or parts.query)
        recorded = RecordedRequest(
            method=method.upper(),
            url=url,
            path=parts.path,
            params=dict(parse_qsl(body, keep_blank_values=True)),
            headers=dict(headers or {}),
        )
        self.requests.append(recorded)
        if self.down:
            raise stripe.APIConnectionError("Could not connect to Stripe (test transport down)")
        for (route_method, prefix), reply in self.routes.items():
            if route_method == recorded.method and recorded.path.startswith(prefix):
                status, payload = reply(recorded)
                return json.dumps(payload), status, {"Request-Id": f"req_{len(self.requests)}"}
        return (
            json.dumps(
                {"error": {"type": "invalid_request_error", "message": f"no route {recorded.path}"}}
            ),
            404,
            {},
        )

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass


def retrieved_charge(request: RecordedRequest) -> tuple[int, dict[str, Any]]:
    """``GET /v1/charges/<id>`` by default: the charge with no metadata of ours and the
    PaymentIntent ``pi_<same suffix>``, as for money taken for something else; tests of
    our own one-time gifts answer with ``fixture("charge_retrieved", donation=...)``."""
    charge_id = request.path.rsplit("/", 1)[-1]
    body = fixture("charge_retrieved")
    body.update(id=charge_id, payment_intent=f"pi_{charge_id.removeprefix('ch_')}", metadata={})
    return 200, body
