"""The editors' feedback dashboard: figures checked by hand on a seeded dataset, and a
query count that does not grow with the data."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles import feedback
from articles.models import HelpfulDaily, HelpfulRollup, HelpfulTotal, HelpfulVote
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/admin/articles/helpfulvote/dashboard/"
# The admin's session, user and the user's and groups' permissions (4), the donations
# app's admin banner check (1); then ours: totals, the grouped table, the least helpful
# stories, what readers wrote about them, and the weeks (5).
DASHBOARD_QUERIES = 10
MONDAY = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)  # weeks 2026-03-02 and 2026-03-09


def votes(article, yes: int, no: int, *, at: dt.datetime, reasons=(), comments=()) -> None:
    """Record ``yes`` + ``no`` votes at ``at``, the No's followed up with ``reasons``."""
    with time_machine.travel(at, tick=False):
        for i in range(yes + no):
            helpful = i < yes
            key = f"s-{article.pk}-{at.timestamp()}-{i}"
            feedback.helpful_vote_record(article=article, session_key=key, helpful=helpful)
            k = i - yes
            if not helpful and k < len(reasons):
                vote = HelpfulVote.objects.get(article=article, session_key=key)
                comment = comments[k] if k < len(comments) else ""
                feedback.helpful_followup_record(vote=vote, reason=reasons[k], comment=comment)


@pytest.fixture
def newsroom():
    brief = SectionFactory(name="Brief", slug="brief")
    investigations = SectionFactory(name="Investigations", slug="investigations")
    ana, luis = AuthorFactory(name="Ana"), AuthorFactory(name="Luis")
    mexico, honduras = CountryFactory(name="Mexico"), CountryFactory(name="Honduras")
    zetas = CriminalGroupFactory(name="Zetas")
    a = ArticleFactory(
        title="Port story", section=brief, authors=[ana, luis], countries=[mexico], groups=[zetas]
    )
    b = ArticleFactory(
        title="Prison story", section=investigations, authors=[ana], countries=[mexico, honduras]
    )
    c = ArticleFactory(title="Short brief", section=brief)
    # A: 7 of 10 helpful, over two weeks. B: 2 of 10, with reasons. C: 1 of 1.
    votes(a, 4, 1, at=MONDAY)
    votes(a, 3, 2, at=MONDAY + dt.timedelta(days=7))
    votes(
        b,
        2,
        8,
        at=MONDAY + dt.timedelta(days=8),
        reasons=["inaccurate"] * 5 + ["outdated"] * 2,
        comments=["The toll is wrong.", "Wrong prison named."],
    )
    votes(c, 1, 0, at=MONDAY + dt.timedelta(days=9))
    # Outside the period: must not count anywhere.
    votes(a, 0, 50, at=MONDAY - dt.timedelta(days=30))
    return {"a": a, "b": b, "c": c}


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(UserFactory(role="Editor"))
    return client


def period(**extra) -> dict:
    return {"start": "2026-03-01", "end": "2026-03-31", "by": "section", "min_votes": 10, **extra}


def test_wilson_interval_matches_hand_computed_bounds():
    # 7 of 10: p = 0.7, z = 1.96: centre (0.7 + 0.19207) / 1.38415 = 0.64449,
    # half-width 1.96 * sqrt(0.021 + 0.0096037) / 1.38415 = 0.24771.
    ci = feedback.wilson(7, 10)
    assert (round(ci.low, 3), round(ci.high, 3)) == (0.397, 0.892)
    # 2 of 10: centre 0.28326, half-width 0.22658.
    ci = feedback.wilson(2, 10)
    assert (round(ci.low, 3), round(ci.high, 3)) == (0.057, 0.510)
    # 1 of 1 is not "100% helpful": its interval reaches down to 0.207.
    assert round(feedback.wilson(1, 1).low, 3) == 0.207
    assert feedback.wilson(0, 0) is None


def test_totals_and_rates_per_section_over_the_period(editor_client, newsroom):
    response = editor_client.get(URL, period(by="section"))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals.yes, totals.no) == (10, 11)  # 7+2+1 yes, 3+8 no; March only
    rows = {row.label: row for row in response.context["rows"]}
    assert (rows["Brief"].yes, rows["Brief"].no) == (8, 3)
    assert round(rows["Brief"].rate, 3) == 0.727
    assert (rows["Investigations"].yes, rows["Investigations"].no) == (2, 8)
    ci = rows["Investigations"].interval
    assert (round(ci.low, 3), round(ci.high, 3)) == (0.057, 0.510)
    html = response.content.decode()
    assert "0.727" in html and "0.057–0.510" in html


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("article", {"Port story": (7, 3), "Prison story": (2, 8), "Short brief": (1, 0)}),
        ("author", {"Ana": (9, 11), "Luis": (7, 3)}),
        ("country", {"Mexico": (9, 11), "Honduras": (2, 8)}),
        ("group", {"Zetas": (7, 3)}),
    ],
)
def test_counts_per_article_author_country_and_group(editor_client, newsroom, by, expected):
    response = editor_client.get(URL, period(by=by, min_votes=1))
    rows = {row.label: (row.yes, row.no) for row in response.context["rows"]}
    assert rows == expected


def test_the_per_article_table_keeps_stories_with_the_minimum_votes(editor_client, newsroom):
    rows = editor_client.get(URL, period(by="article", min_votes=10)).context["rows"]
    assert [(row.label, row.votes) for row in rows] == [("Port story", 10), ("Prison story", 10)]
    rows = editor_client.get(URL, period(by="article", min_votes=11)).context["rows"]
    assert rows == []  # 10 in March each; A's 50 February votes are outside the period


def test_rebuilding_the_aggregates_gives_what_the_votes_kept(newsroom):
    def state():
        return (
            sorted(
                HelpfulDaily.objects.values_list(
                    "article_id", "day", "monthly", "yes", "no", "inaccurate"
                )
            ),
            sorted(HelpfulRollup.objects.values_list("kind", "ref", "day", "yes", "no")),
            sorted(HelpfulTotal.objects.values_list("article_id", "yes", "no")),
        )

    kept = state()
    call_command("rebuild_helpful_aggregates", stdout=io.StringIO())
    assert state() == kept
    assert len(kept[1]) > 0 and len(kept[2]) == 3


def test_a_period_with_whole_months_and_edge_days_counts_each_vote_once(editor_client, newsroom):
    # 15 Jan - 10 Mar: days 15-31 Jan (A's 50 No's on 31 Jan), all of February (monthly
    # rows), days 1-10 Mar (A's 10 votes, B's 10); C's vote on 11 Mar is outside.
    start, end = dt.date(2026, 1, 15), dt.date(2026, 3, 10)
    rows = {row.label: (row.yes, row.no) for row in feedback.by_group("article", start, end)}
    assert rows == {"Port story": (7, 53), "Prison story": (2, 8)}
    # The same from the daily rows alone, and for a period inside one month.
    inside = feedback.period_rows(dt.date(2026, 3, 3), dt.date(2026, 3, 9))
    assert ("monthly", False) in inside.children and ("monthly", True) not in inside.children
    rows = {
        row.label: (row.yes, row.no)
        for row in feedback.by_group("article", *(dt.date(2026, 3, 3), dt.date(2026, 3, 9)))
    }
    assert rows == {"Port story": (3, 2)}
    # Whole months only: January to March.
    months = feedback.by_group("article", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert {row.label: (row.yes, row.no) for row in months} == {
        "Port story": (7, 53),
        "Prison story": (2, 8),
        "Short brief": (1, 0),
    }


def test_least_helpful_stories_come_by_lower_bound_with_their_reasons(editor_client, newsroom):
    response = editor_client.get(URL, period())
    least = response.context["least"]
    # C (1 of 1) has too few votes; B's lower bound 0.057 is below A's 0.397.
    assert [row.label for row in least] == ["Prison story", "Port story"]
    assert least[0].reasons == {"inaccurate": 5, "outdated": 2}
    assert sorted(least[0].comments) == ["The toll is wrong.", "Wrong prison named."]
    assert least[1].reasons == {}
    html = response.content.decode()
    assert "It is inaccurate: 5" in html and "“Wrong prison named.”" in html


def test_minimum_votes_filters_the_least_helpful_list(editor_client, newsroom):
    response = editor_client.get(URL, period(min_votes=1))
    assert [row.label for row in response.context["least"]] == [
        "Prison story",
        "Short brief",  # 1 of 1: lower bound 0.207
        "Port story",
    ]


def test_trend_per_week(editor_client, newsroom):
    weeks = editor_client.get(URL, period()).context["weeks"]
    assert [(row.key, row.yes, row.no) for row in weeks] == [
        (dt.date(2026, 3, 2), 4, 1),
        (dt.date(2026, 3, 9), 3 + 2 + 1, 2 + 8),
    ]


def test_a_bad_period_is_refused_with_a_message(editor_client, newsroom):
    response = editor_client.get(URL, period(start="2026-04-01", end="2026-03-01"))
    assert response.status_code == 200
    assert "The start date is after the end date." in response.content.decode()


def test_writers_cannot_see_the_dashboard(client, newsroom):
    client.force_login(UserFactory(role="Writer"))
    assert client.get(URL).status_code == 403
    assert Client().get(URL).status_code == 302  # to the login page


def test_dashboard_query_count_does_not_grow_with_the_data(
    editor_client, newsroom, django_assert_num_queries
):
    for by in ("article", "section", "author", "country", "group"):
        with django_assert_num_queries(DASHBOARD_QUERIES):
            editor_client.get(URL, period(by=by))
    sections = [SectionFactory() for _ in range(5)]
    for n in range(30):
        extra = ArticleFactory(
            section=sections[n % 5],
            authors=[AuthorFactory()],
            countries=[CountryFactory()],
            groups=[CriminalGroupFactory()],
        )
        votes(extra, n % 7, 10, at=MONDAY + dt.timedelta(days=n % 20))
    for by in ("article", "section", "author", "country", "group"):
        with django_assert_num_queries(DASHBOARD_QUERIES):
            editor_client.get(URL, period(by=by))


def test_the_default_period_is_the_last_90_days(editor_client):
    article = ArticleFactory()
    votes(article, 1, 0, at=timezone.now())
    votes(article, 0, 1, at=timezone.now() - dt.timedelta(days=120))
    totals = editor_client.get(URL).context["totals"]
    assert (totals.yes, totals.no) == (1, 0)
