"""Factories for donation records (tests that start from an existing gift)."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from donations.models import Donation, Frequency, Payment


class DonationFactory(DjangoModelFactory):
    class Meta:
        model = Donation

    amount = 2500
    currency = "usd"
    frequency = Frequency.ONCE
    donor_name = factory.Sequence(lambda n: f"Donor {n}")
    donor_email = factory.Sequence(lambda n: f"donor{n}@example.org")


class PaidDonationFactory(DonationFactory):
    status = Donation.Status.PAID
    paid_at = factory.LazyFunction(timezone.now)


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = Payment

    donation = factory.SubFactory(PaidDonationFactory)
    stripe_id = factory.Sequence(lambda n: f"pi_test_factory{n}")
    amount = factory.LazyAttribute(lambda p: p.donation.amount)
    currency = factory.LazyAttribute(lambda p: p.donation.currency)
    paid_at = factory.LazyFunction(timezone.now)
