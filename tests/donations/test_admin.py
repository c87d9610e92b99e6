"""Editors' view of the money: lists, CSV, the ledger and the attribution report."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from donations.models import Donation, DonationSettings, Payment, StripeEvent
from donations.reports import attribution_report
from tests.donations.factories import PaidDonationFactory, PaymentFactory
from tests.donations.stripe_fakes import event
from tests.factories import (
    ArticleFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(role="Editor"))
    return client


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_donation_list_hides_anonymous_donors_names(editor_client):
    PaidDonationFactory(donor_name="Visible Person", campaign="spring")
    PaidDonationFactory(donor_name="Secret Benefactor", anonymous=True)

    response = editor_client.get("/admin/donations/donation/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Visible Person" in html
    assert "Secret Benefactor" not in html
    assert "Anonymous" in html
    assert "Attribution report" in html


def test_writers_cannot_see_donations(client):
    client.force_login(UserFactory(role="Writer"))

    assert client.get("/admin/donations/donation/").status_code == 403
    assert client.get("/admin/donations/donation/report/").status_code == 403


def test_donations_are_not_added_or_deleted_by_hand(editor_client):
    donation = PaidDonationFactory()

    assert editor_client.get("/admin/donations/donation/add/").status_code == 403
    assert (
        editor_client.post(
            f"/admin/donations/donation/{donation.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    page = editor_client.get(f"/admin/donations/donation/{donation.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()  # status only moves via Stripe


def test_donations_csv_export(editor_client):
    article = ArticleFactory(title="Cartel money trail")
    first = PaidDonationFactory(
        amount=2550,
        source=f"article-{article.pk}",
        source_article=article,
        campaign="spring",
        donor_name="Ana Reyes",
    )
    second = PaidDonationFactory(amount=10000, currency="eur", frequency="monthly")

    response = editor_client.post(
        "/admin/donations/donation/",
        {"action": "export_csv", "_selected_action": [first.pk, second.pk]},
    )

    rows = {row["id"]: row for row in _csv(response)}
    assert response["Content-Type"].startswith("text/csv")
    assert rows[str(first.pk)]["amount"] == "25.50"
    assert rows[str(first.pk)]["currency"] == "USD"
    assert rows[str(first.pk)]["source_article"] == "Cartel money trail"
    assert rows[str(first.pk)]["campaign"] == "spring"
    assert rows[str(second.pk)]["amount"] == "100.00"
    assert rows[str(second.pk)]["frequency"] == "monthly"


def test_csv_exports_leave_out_the_name_of_anonymous_donors(editor_client):
    hidden = PaidDonationFactory(donor_name="Secret Giver", anonymous=True)
    shown = PaidDonationFactory(donor_name="Ana Reyes")
    PaymentFactory(donation=hidden, stripe_id="pi_hidden")
    PaymentFactory(donation=shown, stripe_id="pi_shown")

    donations = editor_client.post(
        "/admin/donations/donation/",
        {"action": "export_csv", "_selected_action": [hidden.pk, shown.pk]},
    )
    payments = editor_client.post(
        "/admin/donations/payment/",
        {
            "action": "export_csv",
            "_selected_action": list(Payment.objects.values_list("pk", flat=True)),
        },
    )

    by_donation = {row["id"]: row for row in _csv(donations)}
    by_payment = {row["stripe_id"]: row for row in _csv(payments)}
    assert by_donation[str(hidden.pk)]["donor_name"] == ""
    assert by_donation[str(hidden.pk)]["anonymous"] == "True"
    assert by_donation[str(shown.pk)]["donor_name"] == "Ana Reyes"
    assert by_payment["pi_hidden"]["donor_name"] == ""
    assert by_payment["pi_shown"]["donor_name"] == "Ana Reyes"


def test_payments_csv_export(editor_client):
    payment = PaymentFactory(amount=2500, amount_refunded=500, stripe_id="in_test_csv")

    response = editor_client.post(
        "/admin/donations/payment/", {"action": "export_csv", "_selected_action": [payment.pk]}
    )

    [row] = _csv(response)
    assert (row["stripe_id"], row["amount"], row["amount_refunded"]) == (
        "in_test_csv",
        "25.00",
        "5.00",
    )


def test_failed_ledger_entries_can_be_reprocessed_from_the_admin(editor_client):
    donation = PaidDonationFactory(frequency="monthly", stripe_subscription_id="")
    payload = event("evt_customer_subscription_deleted", donation=donation)
    entry = StripeEvent.objects.create(
        stripe_id=payload["id"],
        type=payload["type"],
        payload=payload,
        status=StripeEvent.Status.FAILED,
        attempts=1,
        error="Traceback ...",
    )

    response = editor_client.post(
        "/admin/donations/stripeevent/",
        {"action": "reprocess", "_selected_action": [entry.pk]},
        follow=True,
    )

    entry.refresh_from_db()
    donation.refresh_from_db()
    assert "Reprocessed: 1 processed" in response.content.decode()
    assert entry.status == StripeEvent.Status.PROCESSED and entry.attempts == 2
    assert donation.status == Donation.Status.CANCELLED


def test_ledger_is_read_only(editor_client):
    entry = StripeEvent.objects.create(stripe_id="evt_1", type="customer.created", payload={})

    response = editor_client.post(
        f"/admin/donations/stripeevent/{entry.pk}/change/", {"type": "forged"}
    )

    entry.refresh_from_db()
    assert response.status_code == 403
    assert entry.type == "customer.created"


def test_editors_change_the_suggested_amounts_the_form_offers(editor_client, client):
    editor_client.post(
        "/admin/donations/donationsettings/add/",
        {
            "default_frequency": "annual",
            "once_amounts": "20, 40",
            "monthly_amounts": "5, 15",
            "annual_amounts": "120, 240, 480",
            "default_amount_index": "0",
        },
    )

    html = client.get("/donate/").content.decode()

    assert DonationSettings.objects.count() == 1
    assert 'value="120"' in html and 'value="480"' in html
    assert "Give $120 every year" in html


def test_bad_suggested_amounts_are_refused(editor_client):
    response = editor_client.post(
        "/admin/donations/donationsettings/add/",
        {
            "default_frequency": "once",
            "once_amounts": "20, lots",
            "monthly_amounts": "5",
            "annual_amounts": "100",
            "default_amount_index": "0",
        },
    )

    assert response.status_code == 200
    assert "whole positive numbers" in response.content.decode()
    assert DonationSettings.objects.count() == 0


# --- the attribution report ----------------------------------------------------------------


@pytest.fixture
def newsroom():
    """Two articles in two sections, tagged with countries and groups, and their money."""
    news = SectionFactory(name="News", slug="news")
    brief = SectionFactory(name="Brief", slug="brief", parent=news)
    investigations = SectionFactory(name="Investigations", slug="investigations")
    mexico, guatemala = CountryFactory(name="Mexico"), CountryFactory(name="Guatemala")
    cjng = CriminalGroupFactory(name="CJNG")
    brief_story = ArticleFactory(
        title="Brief story", section=brief, countries=[mexico, guatemala], groups=[cjng]
    )
    long_read = ArticleFactory(title="Long read", section=investigations, countries=[mexico])
    now = timezone.now()

    def pay(article, amount, *, currency="usd", campaign="", refunded=0, days_ago=1):
        donation = PaidDonationFactory(
            source_article=article, campaign=campaign, amount=amount, currency=currency
        )
        return PaymentFactory(
            donation=donation,
            amount=amount,
            currency=currency,
            amount_refunded=refunded,
            paid_at=now - dt.timedelta(days=days_ago),
        )

    pay(brief_story, 2500, campaign="spring")
    pay(brief_story, 5000, refunded=1000)
    pay(long_read, 10000, campaign="spring")
    pay(long_read, 3000, currency="eur")
    pay(None, 700, campaign="newsletter")
    pay(long_read, 99900, days_ago=400)  # outside the range
    return {"brief_story": brief_story, "long_read": long_read}


def _rows(report, key):
    return {
        (row["label"], row["currency"]): (
            row["payments"],
            row["gross"],
            row["refunded"],
            row["net"],
        )
        for row in report.sections[key][1]
    }


def test_report_totals_by_article_section_country_group_and_campaign(newsroom):
    today = timezone.localdate()
    report = attribution_report(start=today - dt.timedelta(days=30), end=today)

    assert {(r["currency"], r["payments"], r["net"]) for r in report.totals} == {
        ("usd", 4, 2500 + 4000 + 10000 + 700),
        ("eur", 1, 3000),
    }
    assert _rows(report, "article") == {
        ("Brief story", "usd"): (2, 7500, 1000, 6500),
        ("Long read", "usd"): (1, 10000, 0, 10000),
        ("Long read", "eur"): (1, 3000, 0, 3000),
    }
    assert _rows(report, "section") == {
        ("News \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Brief", "usd"): (2, 7500, 1000, 6500),
        ("Investigations", "usd"): (1, 10000, 0, 10000),
        ("Investigations", "eur"): (1, 3000, 0, 3000),
    }
    assert _rows(report, "country") == {
        ("Mexico", "usd"): (3, 17500, 1000, 16500),
        ("Mexico", "eur"): (1, 3000, 0, 3000),
        ("Guatemala", "usd"): (2, 7500, 1000, 6500),
    }
    assert _rows(report, "group") == {("CJNG", "usd"): (2, 7500, 1000, 6500)}
    assert _rows(report, "campaign") == {
        ("spring", "usd"): (2, 12500, 0, 12500),
        ("newsletter", "usd"): (1, 700, 0, 700),
    }


def test_report_date_range_includes_both_ends(newsroom):
    today = timezone.localdate()
    report = attribution_report(
        start=today - dt.timedelta(days=400), end=today - dt.timedelta(days=400)
    )

    assert [(r["currency"], r["gross"]) for r in report.totals] == [("usd", 99900)]


def test_report_page_runs_a_fixed_number_of_queries(
    editor_client, newsroom, django_assert_max_num_queries
):
    today = timezone.localdate()
    url = f"/admin/donations/donation/report/?start={today - dt.timedelta(days=30)}&end={today}"

    with django_assert_max_num_queries(12):
        response = editor_client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Brief story" in html and "Guatemala" in html and "CJNG" in html
    assert "$65" in html and "$165" in html and "€30" in html


def test_report_rejects_an_inverted_range(editor_client):
    response = editor_client.get(
        "/admin/donations/donation/report/?start=2026-02-01&end=2026-01-01"
    )

    assert response.status_code == 200
    assert "start date must be on or before" in response.content.decode()


def test_a_lost_dispute_is_not_counted_as_income_in_the_report(newsroom):
    lost = PaymentFactory(amount=4000, dispute_status="lost", amount_disputed=4000)
    # An open dispute may still be won, and a won one gave the money back: both count.
    PaymentFactory(amount=1500, dispute_status="needs_response", amount_disputed=1500)
    PaymentFactory(amount=2000, dispute_status="won", amount_disputed=0)
    today = timezone.localdate()

    report = attribution_report(start=today - dt.timedelta(days=30), end=today)

    [usd] = [row for row in report.totals if row["currency"] == "usd"]
    assert usd["lost"] == 4000
    assert usd["net"] == 2500 + 4000 + 10000 + 700 + 1500 + 2000
    assert lost.net_amount == 0


def test_a_checkout_that_never_reached_stripe_is_labelled_as_such(editor_client):
    PaidDonationFactory(
        donor_name="Never Sent",
        status=Donation.Status.PENDING,
        stripe_checkout_session_id="",
        paid_at=None,
    )
    PaidDonationFactory(
        donor_name="At Stripe",
        status=Donation.Status.PENDING,
        stripe_checkout_session_id="cs_test_open",
        paid_at=None,
    )

    rows = {
        row.split("</tr>")[0]
        for row in editor_client.get("/admin/donations/donation/").content.decode().split("<tr")
    }

    def status_cell(name: str) -> str:
        row = next(row for row in rows if name in row)
        return row.split('class="field-status_label">')[1].split("</td>")[0]

    assert status_cell("Never Sent") == "Never reached Stripe (checkout not opened)"
    assert status_cell("At Stripe") == "Pending (donor sent to Stripe)"


def test_report_totals_show_the_currency_once(editor_client, newsroom):
    today = timezone.localdate()
    url = f"/admin/donations/donation/report/?start={today - dt.timedelta(days=30)}&end={today}"
    html = editor_client.get(url).content.decode()
    totals = html.split('<table class="report-table">', 2)[1].split("</table>")[0]
    header = totals.split("</thead>")[0]
    assert header.count(">Currency<") == 1
    first_row = totals.split("<tbody>")[1].split("</tr>")[0]
    assert first_row.count("USD") + first_row.count("EUR") == 1
