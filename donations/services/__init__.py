"""Write workflows for donations, one module per concern.

Webhook handlers and views call these; none of them trusts the order in which Stripe
reports things. Each one locks the donation row it changes, reads what Stripe says and
moves the state machine only where ``Donation.TRANSITIONS`` allows it, so replays and
reordered events converge on the same state.

- ``checkout``: the donor starts (pending donation, Checkout Session)
- ``payments``: Stripe confirms (sessions, invoices, subscriptions, charges -> Payments)
- ``disputes``: money going back (refunds, inquiries, chargebacks)
- ``receipts``: one email per payment
- ``manage``: signed single-use links to Stripe's Billing Portal
"""

from donations.services.checkout import (
    article_from_source,
    checkout_confirm_on_return,
    checkout_open,
    describe,
    donation_start,
    public_source_article,
)
from donations.services.common import (
    CheckoutUnavailable,
    MalformedEvent,
    ManageLinkInvalid,
    NotReady,
    stripe_id,
    stripe_time,
)
from donations.services.disputes import charge_refunded, dispute_changed
from donations.services.manage import (
    manage_link_request,
    manage_token_read,
    manage_token_redeem,
)
from donations.services.payments import (
    donation_fulfil,
    donation_payment_failed,
    invoice_paid,
    invoice_payment_failed,
    payment_record,
    subscription_changed,
)
from donations.services.receipts import receipt_send

__all__ = [
    "CheckoutUnavailable",
    "MalformedEvent",
    "ManageLinkInvalid",
    "NotReady",
    "article_from_source",
    "charge_refunded",
    "checkout_confirm_on_return",
    "checkout_open",
    "describe",
    "dispute_changed",
    "donation_fulfil",
    "donation_payment_failed",
    "donation_start",
    "invoice_paid",
    "invoice_payment_failed",
    "manage_link_request",
    "manage_token_read",
    "manage_token_redeem",
    "payment_record",
    "public_source_article",
    "receipt_send",
    "stripe_id",
    "stripe_time",
    "subscription_changed",
]
