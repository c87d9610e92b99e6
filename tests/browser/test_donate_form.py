"""The donate form as a hesitant donor meets it: with JavaScript and without.

The choice buttons are real radios, the "other amount" and dedication fields appear only
once chosen (by CSS, so also without JavaScript), errors move focus to a summary, and the
amounts keep to one row on a 390 px phone.
"""

import re

import pytest

from donations.models import Donation, DonationSettings
from tests.browser.test_donation_journey import stripe_stub  # noqa: F401 (fixture)
from tests.donations.stripe_fakes import WEBHOOK_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stripe_keys(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    DonationSettings.objects.create(
        default_frequency="monthly",
        monthly_amounts="10, 25, 50",
        annual_amounts="100, 250, 500",
        impact_lines="monthly 25: Court records for one case every month\n"
        "annual 100: A year of data requests",
    )


@pytest.fixture
def no_js_page(chromium, live_server, settings):
    settings.SITE_URL = live_server.url
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _pill(page, name: str):
    """The visible button of a choice: its label (the radio inside is what gets checked)."""
    return page.locator("label.donate-pill").filter(has=page.get_by_role("radio", name=name))


def test_without_javascript_a_donor_reveals_other_amount_and_dedication_and_reaches_stripe(
    no_js_page,
    stripe_stub,  # noqa: F811 (the fixture imported above)
    stripe_keys,
):
    page = no_js_page
    page.goto("/donate/")
    # Scripts really are off: the button keeps the server's label whatever is chosen.
    amount = page.get_by_role("radio", name=re.compile(r"^\$25\b"))
    assert amount.is_checked()
    impacts = page.locator("#donate-impacts")
    assert impacts.inner_text().strip() == "Court records for one case every month"
    assert page.get_by_label("Other amount").is_hidden()
    assert page.get_by_label("Name of the person").is_hidden()

    _pill(page, "Other").click()
    assert page.get_by_role("radio", name="Other").is_checked()
    assert impacts.inner_text().strip() == ""
    assert page.get_by_label("Other amount").is_visible()
    page.get_by_label("Other amount").fill("30,50")
    page.get_by_label("Dedicate this gift").select_option("memory")
    assert page.get_by_label("Name of the person").is_visible()
    page.get_by_label("Name of the person").fill("Rosa")
    page.get_by_label("Your name").fill("Ana Reyes")
    page.get_by_label("Email").fill("ana@example.org")
    assert page.locator("#donate-submit").inner_text() == "Give $25 every month"
    page.locator("#donate-submit").click()

    page.wait_for_url("**/c/pay/*")
    donation = Donation.objects.get()
    assert (donation.amount, donation.frequency) == (3050, "monthly")
    assert (donation.dedication_type, donation.dedication_name) == ("memory", "Rosa")


def test_without_javascript_errors_take_focus_and_mark_the_fields(no_js_page, stripe_keys):
    page = no_js_page
    page.goto("/donate/")
    _pill(page, "Other").click()
    page.get_by_label("Other amount").fill("2")
    page.locator("#donate-submit").click()
    page.wait_for_load_state()

    summary = page.locator("#donate-errors")
    # autofocus, not a script, moved focus: it works with JavaScript off.
    assert summary.evaluate("el => el === document.activeElement")
    assert "must be between $5 and $10,000" in summary.inner_text()
    email = page.get_by_label("Email")
    assert email.get_attribute("aria-invalid") == "true"
    assert "id_donor_email_error" in email.get_attribute("aria-describedby")
    assert page.locator("#id_donor_email_error").inner_text() == "This field is required."
    other = page.get_by_label("Other amount")
    assert other.is_visible() and other.input_value() == "2"
    assert other.get_attribute("aria-invalid") == "true"
    assert not Donation.objects.exists()


def test_with_javascript_amounts_follow_frequency_and_currency_and_errors_take_focus(
    page, live_server, stripe_keys
):
    page.goto("/donate/")
    page.get_by_role("radio", name="Annual").focus()
    page.keyboard.press("Space")  # keyboard alone: the radios are real
    assert page.get_by_role("radio", name="Annual").is_checked()
    hundred = page.get_by_role("radio", name=re.compile(r"^\$100\b"))
    _pill(page, "$100").click()
    assert hundred.is_checked()
    assert page.locator("#donate-impacts").inner_text().strip() == "A year of data requests"
    assert page.locator("#donate-submit").inner_text() == "Give $100 every year"

    page.get_by_label("Currency").select_option("eur")
    assert page.get_by_role("radio", name=re.compile(r"^€100\b")).is_checked()
    assert page.locator("#donate-submit").inner_text() == "Give €100 every year"

    page.get_by_label("Dedicate this gift").select_option("honour")
    page.get_by_label("Email").fill("not-an-address")
    page.locator("#donate-submit").click()
    page.wait_for_load_state()
    summary = page.locator("#donate-errors")
    assert summary.evaluate("el => el === document.activeElement")
    assert page.get_by_label("Name of the person").get_attribute("aria-invalid") == "true"
    summary.get_by_role("link", name=re.compile("^Email")).click()
    assert page.get_by_label("Email").evaluate("el => el === document.activeElement")
    assert not Donation.objects.exists()


def test_on_a_phone_the_choices_keep_to_one_row(page, stripe_keys):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/donate/")
    for group in ("#donate-amounts", ".donate-form fieldset:first-of-type .donate-choices"):
        tops = {
            round(box["y"])
            for box in (pill.bounding_box() for pill in page.locator(f"{group} .donate-pill").all())
        }
        assert len(tops) == 1, f"{group} wraps onto {len(tops)} rows"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
