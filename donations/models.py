"""Donations, the payments they produce, and the ledger of Stripe events.

Money is always an integer of minor units (cents) next to its ISO currency code.
A Donation's status only moves through the transition methods below, which refuse
moves Stripe could never report; callers in ``services`` decide which to call.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from donations.money import parse_whole


class IllegalTransition(Exception):
    """A status change that the donation state machine does not allow."""


class Frequency(models.TextChoices):
    ONCE = "once", _("One-time")
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


# Stripe's recurring interval for each frequency; one-time gifts have none.
STRIPE_INTERVALS = {Frequency.MONTHLY: "month", Frequency.ANNUAL: "year"}


class DonationQuerySet(models.QuerySet):
    def recurring(self) -> DonationQuerySet:
        return self.exclude(frequency=Frequency.ONCE)


def _targets_by_state(moves: dict[str, dict[str, str]], states: list[str]) -> dict[str, set[str]]:
    return {state: {move[state] for move in moves.values() if state in move} for state in states}


class Donation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending (donor sent to Stripe)")
        PROCESSING = "processing", _("Processing (payment not yet settled)")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired (checkout abandoned)")
        CANCELLED = "cancelled", _("Cancelled (recurring gift ended)")
        REFUNDED = "refunded", _("Refunded")
        DISPUTED = "disputed", _("Disputed")

    class Dedication(models.TextChoices):
        NONE = "", _("No dedication")
        HONOUR = "honour", _("In honour of")
        MEMORY = "memory", _("In memory of")

    S = Status
    # The state machine, as one table: each move names the states it may start from and
    # where it lands. Every status change goes through it (``_apply``); callers never
    # compare statuses by hand. Stripe is the source of truth and events arrive in any
    # order, so the table also allows the "late" moves Stripe can legitimately report,
    # e.g. a refund seen before the completion event (pending -> refunded), or a failed
    # first invoice that Stripe's retries later collect (failed -> paid). Only a gift that
    # paid can be cancelled (a recurring gift whose subscription ends before any payment
    # failed), and a disputed gift stays disputed when its subscription ends, so the
    # dispute stays visible; winning the dispute is the only way back from ``disputed``
    # (a late completion event must not quietly turn a disputed gift into a paid one).
    MOVES: dict[str, dict[str, str]] = {
        "processing": {S.PENDING: S.PROCESSING},
        "paid": {S.PENDING: S.PAID, S.PROCESSING: S.PAID, S.FAILED: S.PAID},
        "failed": {S.PENDING: S.FAILED, S.PROCESSING: S.FAILED},
        "expired": {S.PENDING: S.EXPIRED},
        "cancelled": {S.PAID: S.CANCELLED},
        "refunded": dict.fromkeys(
            (S.PENDING, S.PROCESSING, S.PAID, S.DISPUTED, S.CANCELLED), S.REFUNDED
        ),
        "disputed": dict.fromkeys((S.PENDING, S.PROCESSING, S.PAID, S.CANCELLED), S.DISPUTED),
        "dispute_won": {S.DISPUTED: S.PAID},
    }
    # The same table seen from each state: where a donation in that state may go.
    TRANSITIONS: dict[str, set[str]] = _targets_by_state(MOVES, Status.values)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    amount = models.PositiveIntegerField(
        help_text="Per charge, in minor units (cents), including any fee the donor covers."
    )
    fee_covered = models.PositiveIntegerField(
        default=0, help_text="Part of the amount added to cover the processing fee (minor units)."
    )
    currency = models.CharField(max_length=3, default="usd")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.ONCE)

    donor_name = models.CharField(max_length=150, blank=True)
    donor_email = models.EmailField(max_length=254)
    anonymous = models.BooleanField(
        default=False, help_text="The donor asked us not to show their name."
    )
    dedication_type = models.CharField(
        max_length=8, choices=Dedication.choices, blank=True, default=Dedication.NONE
    )
    dedication_name = models.CharField(max_length=150, blank=True)
    message = models.TextField(blank=True, max_length=1000)

    # Attribution: where the donor came from (the article CTA passes source=article-<id>).
    source = models.CharField(max_length=100, blank=True, help_text=_("Raw ?source= value."))
    source_article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="donations",
    )
    campaign = models.CharField(max_length=100, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The donate page's language: Stripe Checkout and the receipts use it."),
    )

    stripe_checkout_session_id = models.CharField(max_length=255, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(
        blank=True, help_text="Why Stripe could not start or collect the payment (staff only)."
    )
    mismatch = models.TextField(
        blank=True,
        help_text="What Stripe reported that did not match this gift (another checkout "
        "session or subscription, another amount or currency). Such reports are not "
        "applied: an editor should check the payment in Stripe's dashboard.",
    )

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When a recurring gift was cancelled."
    )

    objects = DonationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="donation_status_idx"),
            models.Index(fields=["campaign"], name="donation_campaign_idx"),
            models.Index(
                fields=["stripe_checkout_session_id"],
                name="donation_session_idx",
                condition=~Q(stripe_checkout_session_id=""),
            ),
            models.Index(
                fields=["stripe_subscription_id"],
                name="donation_subscription_idx",
                condition=~Q(stripe_subscription_id=""),
            ),
            models.Index(
                fields=["stripe_payment_intent_id"],
                name="donation_intent_idx",
                condition=~Q(stripe_payment_intent_id=""),
            ),
            models.Index(fields=["stripe_customer_id"], name="donation_customer_idx"),
            # Manage-my-gift looks donors up case-insensitively (iexact -> UPPER()).
            models.Index(Upper("donor_email"), name="donation_email_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=Q(fee_covered__lt=models.F("amount")), name="donation_fee_below_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"Donation {self.pk} ({self.get_status_display()})"

    @property
    def is_recurring(self) -> bool:
        return self.frequency != Frequency.ONCE

    @property
    def is_confirmed(self) -> bool:
        """Money arrived and the gift stands (a recurring one may have ended since)."""
        return self.paid_at is not None and self.status in (self.Status.PAID, self.Status.CANCELLED)

    @property
    def public_donor_name(self) -> str:
        return "Anonymous" if self.anonymous or not self.donor_name else self.donor_name

    # --- transitions ---------------------------------------------------------------
    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    def _apply(self, move: str) -> None:
        """Take one move of ``MOVES``; ``IllegalTransition`` if it cannot start here."""
        allowed = self.MOVES[move]
        if self.status in allowed:
            self.status = allowed[self.status]
        elif self.status not in allowed.values():
            # Already where the move lands: replays are normal with webhooks, not an error.
            raise IllegalTransition(f"donation {self.pk}: {move} is not allowed from {self.status}")

    def mark_processing(self) -> None:
        self._apply("processing")

    def mark_paid(self, *, at=None) -> None:
        self._apply("paid")
        self.paid_at = self.paid_at or at or timezone.now()
        self.last_error = ""

    def mark_failed(self, *, reason: str = "") -> None:
        self._apply("failed")
        if reason:
            self.last_error = reason

    def mark_expired(self) -> None:
        self._apply("expired")

    def mark_cancelled(self, *, at=None) -> None:
        self._apply("cancelled")
        self.ended_at = self.ended_at or at or timezone.now()

    def mark_refunded(self) -> None:
        self._apply("refunded")

    def mark_disputed(self) -> None:
        self._apply("disputed")

    def mark_dispute_won(self) -> None:
        """A dispute closed in our favour: the money is ours again (and a recurring gift
        that ended while disputed is cancelled, as it would have been)."""
        if self.status != self.Status.DISPUTED:
            raise IllegalTransition(f"donation {self.pk}: {self.status} has no dispute to win")
        self._apply("dispute_won")
        if self.ended_at:
            self._apply("cancelled")


# Stripe's dispute statuses (API version 2026-10-28.endive) and the moves between them.
# A simple stage number cannot order them: won and lost can come before and after an
# appeal. Events for one dispute arrive in any order and are retried late, so a status
# is applied only if it can follow the recorded one; anything else is a stale retry.
#
# - Inquiry (``warning_*``): the bank asks questions and takes no money. It closes
#   (``warning_closed``) or escalates into a chargeback.
# - ``prevented``: stopped before it became a chargeback (Stripe's dispute prevention,
#   e.g. Visa RDR or Order Insight). The dispute takes no money and the gift stands; if
#   the prevention gave the donor their money back, that arrives as a refund
#   (``charge.refunded``), which is recorded like any other refund.
# - Chargeback (``needs_response``, ``under_review``): the bank holds the money.
# - ``won``: the money is ours again, final. ``lost``: gone, unless an appeal
#   (``appeal_needs_response``, ``appeal_under_review``) ends ``won``. A loss after an
#   appeal is final; it is recorded as ``lost_after_appeal`` (our own name, the only value
#   of ``Payment.dispute_status`` that is not Stripe's) so that a late appeal or
#   chargeback event cannot reopen it. Only ``won`` may still follow it: nothing follows a
#   won dispute, so a ``won`` report is Stripe's last word, whereas the ``lost`` we took
#   for the appeal's outcome could have been the first loss delivered late.
DISPUTE_LOST = "lost"
DISPUTE_LOST_AFTER_APPEAL = "lost_after_appeal"
_INQUIRY = {"warning_needs_response", "warning_under_review", "warning_closed"}
_CHARGEBACK = {"needs_response", "under_review"}
_APPEAL = {"appeal_needs_response", "appeal_under_review"}
_AFTER_CHARGEBACK = _CHARGEBACK | {"won", DISPUTE_LOST} | _APPEAL
DISPUTE_STATUSES = _INQUIRY | _CHARGEBACK | _APPEAL | {"won", DISPUTE_LOST, "prevented"}

# Recorded status -> the Stripe statuses that may follow it (not only the next step:
# events skip ahead when an earlier one is late). "" is a payment with no dispute yet.
DISPUTE_TRANSITIONS: dict[str, set[str]] = {
    "": set(DISPUTE_STATUSES),
    "warning_needs_response": {"warning_under_review", "warning_closed", "prevented"}
    | _AFTER_CHARGEBACK,
    "warning_under_review": {"warning_closed", "prevented"} | _AFTER_CHARGEBACK,
    # A closed inquiry can still be escalated by the bank.
    "warning_closed": set(_AFTER_CHARGEBACK),
    "needs_response": {"under_review", "won", DISPUTE_LOST} | _APPEAL,
    "under_review": {"won", DISPUTE_LOST} | _APPEAL,
    # Only an appeal leads from lost to won; its own events may be the late ones.
    DISPUTE_LOST: {"won"} | _APPEAL,
    "appeal_needs_response": {"appeal_under_review", "won", DISPUTE_LOST},
    "appeal_under_review": {"won", DISPUTE_LOST},
    "won": set(),
    DISPUTE_LOST_AFTER_APPEAL: {"won"},
    "prevented": set(),
}

# The bank holds the money (an open chargeback, or one lost and not yet won on appeal).
DISPUTE_HOLDS_MONEY = _CHARGEBACK | {DISPUTE_LOST, DISPUTE_LOST_AFTER_APPEAL} | _APPEAL
# The money is lost to us: a lost dispute, also while its appeal runs.
DISPUTE_MONEY_LOST = {DISPUTE_LOST, DISPUTE_LOST_AFTER_APPEAL} | _APPEAL


def dispute_next_status(recorded: str, reported: str) -> str | None:
    """What to record when Stripe reports ``reported`` after ``recorded``: the status to
    store (the same one for a replay), or ``None`` for a stale or unknown report."""
    if reported == recorded or (reported == DISPUTE_LOST and recorded == DISPUTE_LOST_AFTER_APPEAL):
        return recorded
    if reported not in DISPUTE_TRANSITIONS.get(recorded, set()):
        return None
    if reported == DISPUTE_LOST and recorded in _APPEAL:
        return DISPUTE_LOST_AFTER_APPEAL
    return reported


class Payment(models.Model):
    """One successful charge: the first one of a gift and every renewal.

    ``stripe_id`` is the Stripe object the money belongs to (the PaymentIntent of a
    one-time gift, the Invoice of a recurring one). It is unique, so replayed or
    reordered events can never count the same money twice.
    """

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="payments")
    stripe_id = models.CharField(max_length=255, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True)
    amount = models.PositiveIntegerField(help_text=_("Minor units (cents)."))
    currency = models.CharField(max_length=3)
    amount_refunded = models.PositiveIntegerField(default=0)
    amount_disputed = models.PositiveIntegerField(default=0)
    dispute_status = models.CharField(max_length=30, blank=True)
    paid_at = models.DateTimeField(default=timezone.now)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-paid_at", "-pk"]
        indexes = [
            models.Index(fields=["paid_at"], name="payment_paid_at_idx"),
            models.Index(
                fields=["stripe_payment_intent_id"],
                name="payment_intent_idx",
                condition=~Q(stripe_payment_intent_id=""),
            ),
            models.Index(
                fields=["stripe_charge_id"],
                name="payment_charge_idx",
                condition=~Q(stripe_charge_id=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=models.F("amount")),
                name="payment_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.stripe_id}"

    @property
    def in_chargeback(self) -> bool:
        """The bank holds the money back (a chargeback that is open, lost or under appeal)."""
        return self.dispute_status in DISPUTE_HOLDS_MONEY

    @property
    def dispute_lost(self) -> int:
        """Money a lost dispute took back from us (minor units), until an appeal wins it."""
        return self.amount_disputed if self.dispute_status in DISPUTE_MONEY_LOST else 0

    @property
    def net_amount(self) -> int:
        # Stripe does not add a lost dispute to the charge's amount_refunded, so the two
        # never overlap: the bank took back what the refund did not.
        return self.amount - self.amount_refunded - self.dispute_lost


class StripeEvent(models.Model):
    """The webhook ledger: every verified event, stored before it is processed."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored (type we do not handle)")
        FAILED = "failed", _("Failed (Stripe will retry)")
        INVALID = "invalid", _("Invalid (signed, but not shaped as Stripe documents; not retried)")

    stripe_id = models.CharField("event id", max_length=255, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True, help_text=_("Traceback of the last failed attempt."))
    attempts = models.PositiveIntegerField(default=0)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="stripeevent_status_idx"),
            models.Index(fields=["type"], name="stripeevent_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"

    @property
    def done(self) -> bool:
        return self.status in (self.Status.PROCESSED, self.Status.IGNORED)


class ManageLinkUse(models.Model):
    """A redeemed "manage my gift" link: makes each signed link single-use."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.nonce


def _default_amounts() -> str:
    return "25, 50, 100, 250"


def _default_impact_lines() -> str:
    return "\n".join(
        [
            "once 25: Court records for one investigation",
            "once 50: A day of a reporter's fieldwork",
            "once 100: Secure phones for a source's interview",
            "once 250: A week of fact-checking before a story runs",
            "monthly 10: Keeps one story free to read for everyone",
            "monthly 25: Court records for one case every month",
            "monthly 50: A reporter's travel to the border each month",
            "annual 100: A year of data requests to public agencies",
            "annual 250: A month of a local fixer's work",
            "annual 500: Legal review of a year's investigations",
        ]
    )


def _default_impact_lines_es() -> str:
    return "\n".join(
        [
            "once 25: Registros judiciales para una investigación",
            "once 50: Un día de trabajo de campo de un reportero",
            "once 100: Teléfonos seguros para la entrevista con una fuente",
            "once 250: Una semana de verificación antes de publicar una historia",
            "monthly 10: Mantiene una historia gratuita para todos los lectores",
            "monthly 25: Registros judiciales de un caso cada mes",
            "monthly 50: El viaje de un reportero a la frontera cada mes",
            "annual 100: Un año de solicitudes de información a organismos públicos",
            "annual 250: Un mes de trabajo de un productor local",
            "annual 500: La revisión legal de un año de investigaciones",
        ]
    )


class DonationSettings(models.Model):
    """What the donate form offers; one row, edited by editors in the admin."""

    default_frequency = models.CharField(
        max_length=8, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    once_amounts = models.CharField(
        "suggested one-time amounts",
        max_length=200,
        default=_default_amounts,
        help_text=_("Whole units of the chosen currency, separated by commas, e.g. 25, 50, 100."),
    )
    monthly_amounts = models.CharField(
        "suggested monthly amounts", max_length=200, default="10, 25, 50"
    )
    annual_amounts = models.CharField(
        "suggested annual amounts", max_length=200, default="100, 250, 500"
    )
    default_amount_index = models.PositiveSmallIntegerField(
        default=1, help_text="Which suggested amount is pre-selected (0 = the first)."
    )
    # What a gift does, shown under the chosen amount: a donor who hesitates between two
    # amounts decides on what the money pays for, not on the number.
    impact_lines = models.TextField(
        _("impact lines"),
        blank=True,
        default=_default_impact_lines,
        help_text=_(
            "One line per amount: the frequency (once, monthly or annual), the amount, "
            'a colon and a short sentence, e.g. "monthly 25: Court records for one case '
            'every month". Amounts without a line show none.'
        ),
    )
    # The same lines for the Spanish form: the sentences are prose, so an empty field shows
    # no lines on Spanish pages rather than English ones.
    impact_lines_es = models.TextField(
        _("impact lines in Spanish"),
        blank=True,
        default=_default_impact_lines_es,
        help_text=_(
            "The same format for the Spanish donate page, with the frequency words in English, "
            'e.g. "monthly 25: Registros judiciales de un caso cada mes". Left empty, Spanish '
            "pages show no impact lines."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("donation settings")
        verbose_name_plural = _("donation settings")

    def __str__(self) -> str:
        return "Donation settings"

    @classmethod
    def load(cls) -> DonationSettings:
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls()

    def amounts_for(self, frequency: str) -> list[int]:
        raw = {
            Frequency.ONCE: self.once_amounts,
            Frequency.MONTHLY: self.monthly_amounts,
            Frequency.ANNUAL: self.annual_amounts,
        }.get(frequency, "")
        return parse_amount_list(raw)

    def impacts_for(self, frequency: str) -> dict[int, str]:
        """``{25: "Court records for one investigation", ...}`` for one frequency, in the
        page's language."""
        spanish = translation.get_language() == "es"
        raw = self.impact_lines_es if spanish else self.impact_lines
        return parse_impact_lines(raw).get(frequency, {})

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        for field in ("once_amounts", "monthly_amounts", "annual_amounts"):
            try:
                if not parse_amount_list(getattr(self, field), strict=True):
                    errors[field] = "Give at least one amount."
            except ValueError:
                errors[field] = "Use whole positive numbers separated by commas, e.g. 25, 50, 100."
        for field in ("impact_lines", "impact_lines_es"):
            try:
                parse_impact_lines(getattr(self, field), strict=True)
            except ValueError as exc:
                errors[field] = _(
                    'Line "%(line)s" is not "frequency amount: sentence", '
                    'e.g. "monthly 25: Court records for one case every month".'
                ) % {"line": exc}
        if errors:
            raise ValidationError(errors)


def parse_amount_list(raw: str, *, strict: bool = False) -> list[int]:
    """``"25, 50,100"`` -> ``[25, 50, 100]`` (whole units, positive, unique, in order)."""
    amounts: list[int] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        value = parse_whole(part)
        if value is None:
            if strict:
                raise ValueError(part)
            continue
        if value not in amounts:
            amounts.append(value)
    return amounts


_IMPACT_LINE = re.compile(r"(once|monthly|annual)\s+([0-9]{1,9})\s*:\s*(\S.{0,159})")


def parse_impact_lines(raw: str, *, strict: bool = False) -> dict[str, dict[int, str]]:
    """``"monthly 25: Court records"`` lines -> ``{"monthly": {25: "Court records"}}``."""
    impacts: dict[str, dict[int, str]] = {}
    for line in (part.strip() for part in raw.splitlines()):
        if not line:
            continue
        match = _IMPACT_LINE.fullmatch(line)
        if match is None:
            if strict:
                raise ValueError(line)
            continue
        frequency, amount, text = match.groups()
        impacts.setdefault(frequency, {})[int(amount)] = text.strip()
    return impacts
