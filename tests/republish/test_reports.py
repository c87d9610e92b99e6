"""The republication reports in the admin: figures on known rows, CSV, queries, access."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from republish.models import Republication
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

OVERVIEW = "admin:republish_republication_changelist"


@pytest.fixture
def editor() -> Client:
    client = Client()
    client.force_login(UserFactory(role="Editor"))
    return client


def _row(article, site, path, day, views):
    return Republication.objects.create(
        article=article, site=site, page_url=f"https://{site}{path}", day=day, views=views
    )


@pytest.fixture
def seeded(time_machine):
    # A fixed day well inside its month, so "this month" holds two distinct days.
    time_machine.move_to(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC))
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = first - dt.timedelta(days=3)
    ports = ArticleFactory(title="Port brokers")
    prisons = ArticleFactory(title='=HYPERLINK("http://evil.example")')
    _row(ports, "partner.example", "/a", first, 10)
    _row(ports, "partner.example", "/a", today, 5)
    _row(ports, "other.example", "/b", today, 7)
    _row(prisons, "partner.example", "/c", today, 4)
    _row(prisons, "old.example", "/d", last_month, 100)  # not this month
    return {"ports": ports, "prisons": prisons, "first": first, "today": today}


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_top_stories_this_month_and_partner_sites(editor, seeded):
    response = editor.get(reverse(OVERVIEW))
    assert response.status_code == 200
    top = [
        (r["article__title"], r["views"], r["sites"], r["pages"]) for r in response.context["top"]
    ]
    assert top == [("Port brokers", 22, 2, 2), ('=HYPERLINK("http://evil.example")', 4, 1, 1)]
    sites = [(r["site"], r["views"], r["stories"]) for r in response.context["sites"]]
    assert sites == [("partner.example", 19, 2), ("other.example", 7, 1)]


def test_another_period_can_be_chosen_and_nonsense_falls_back(editor, seeded):
    last_month = (seeded["first"] - dt.timedelta(days=3)).isoformat()
    response = editor.get(reverse(OVERVIEW), {"start": last_month, "end": last_month})
    assert [r["views"] for r in response.context["top"]] == [100]
    response = editor.get(reverse(OVERVIEW), {"start": "2026-13-40"})
    assert [r["views"] for r in response.context["top"]] == [22, 4]
    assert "That period was not understood" in response.content.decode()


def test_one_article_by_page_and_by_day(editor, seeded):
    url = reverse("admin:republish_republication_article", args=[seeded["ports"].pk])
    response = editor.get(url)
    pages = [(r["site"], r["page_url"], r["views"]) for r in response.context["pages"]]
    assert pages == [
        ("partner.example", "https://partner.example/a", 15),
        ("other.example", "https://other.example/b", 7),
    ]
    days = [(r["day"], r["views"], r["sites"]) for r in response.context["days"]]
    assert days == [(seeded["first"], 10, 1), (seeded["today"], 12, 2)]
    assert response.context["total"] == 22


def test_one_partner_site(editor, seeded):
    response = editor.get(reverse("admin:republish_republication_site", args=["partner.example"]))
    stories = {(r["article__title"], r["views"]) for r in response.context["stories"]}
    assert stories == {("Port brokers", 15), ('=HYPERLINK("http://evil.example")', 4)}


def test_csv_exports_are_safe_to_open_in_a_spreadsheet(editor, seeded):
    rows = _csv(editor.get(reverse(OVERVIEW), {"export": "stories"}))
    assert rows[0] == ["article_id", "title", "views", "sites", "pages", "last_day"]
    assert rows[1][1:4] == ["Port brokers", "22", "2"]
    assert rows[2][1] == '\'=HYPERLINK("http://evil.example")'
    sites = _csv(editor.get(reverse(OVERVIEW), {"export": "sites"}))
    assert sites[1][:3] == ["partner.example", "19", "2"]
    url = reverse("admin:republish_republication_article", args=[seeded["ports"].pk])
    pages = _csv(editor.get(url, {"export": "pages"}))
    assert pages[1][:3] == ["partner.example", "https://partner.example/a", "15"]


def test_report_pages_cost_the_same_queries_whatever_the_rows(editor, seeded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    urls = [
        reverse(OVERVIEW),
        reverse("admin:republish_republication_article", args=[seeded["ports"].pk]),
        reverse("admin:republish_republication_site", args=["partner.example"]),
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert editor.get(url).status_code == 200
            found.append(len(ctx))
        return found

    before = counts()
    for n in range(40):
        article = ArticleFactory()
        _row(article, f"site{n}.example", "/x", seeded["today"], n + 1)
        _row(seeded["ports"], f"site{n}.example", f"/p{n}", seeded["today"], 1)
    assert counts() == before


def test_writers_cannot_see_the_reports(seeded):
    writer = Client()
    writer.force_login(UserFactory(role="Writer"))
    assert writer.get(reverse(OVERVIEW)).status_code == 403
    url = reverse("admin:republish_republication_article", args=[seeded["ports"].pk])
    assert writer.get(url).status_code == 403
    assert Client().get(reverse(OVERVIEW)).status_code == 302  # to the sign-in page
