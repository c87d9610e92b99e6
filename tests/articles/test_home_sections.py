"""The home page's lead and its four stories per top-level section, whatever the mix.

``reads.home()`` reads only the rows the page can show (ranked per top-level section in
the database); these tests compare it with the rule written plainly over the ORM.
"""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.utils import timezone

from articles import reads
from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _expected(now: dt.datetime) -> tuple[int | None, list[tuple[str, list[int]]]]:
    """The rule: the newest public story leads; each top-level section then shows its
    newest four others among the latest HOME_LATEST, sections by position and name."""
    latest = list(
        Article.objects.published(at=now)
        .exclude(section__slug=reads.ORGANIZATION_SECTION)
        .newest_first()
        .select_related("section__parent")[: reads.HOME_LATEST]
    )
    if not latest:
        return None, []
    buckets: dict[int, list[int]] = {}
    roots = {}
    for article in latest[1:]:
        root = article.section.parent or article.section
        roots[root.pk] = root
        bucket = buckets.setdefault(root.pk, [])
        if len(bucket) < reads.HOME_PER_SECTION:
            bucket.append(article.pk)
    order = sorted(roots.values(), key=lambda section: (section.position, section.name))
    return latest[0].pk, [(root.slug, buckets[root.pk]) for root in order]


def _actual(now: dt.datetime) -> tuple[int | None, list[tuple[str, list[int]]]]:
    page = reads.home(now=now)
    return (
        page.lead.pk if page.lead else None,
        [(section.slug, [card.pk for card in cards]) for section, cards in page.by_section],
    )


def _sections():
    news = SectionFactory(name="News", slug="news", position=1)
    brief = SectionFactory(name="Brief", slug="brief", position=1, parent=news)
    analysis = SectionFactory(name="Analysis", slug="analysis", position=2)
    investigations = SectionFactory(name="Investigations", slug="investigations", position=3)
    organization = SectionFactory(name="The Organization", slug="the-organization")
    return [news, brief, analysis, investigations], organization


def test_home_shows_the_lead_and_four_per_top_level_section_as_the_plain_rule_says():
    sections, organization = _sections()
    rng = random.Random(8)
    now = timezone.now()
    for n in range(70):
        ArticleFactory(
            title=f"Story {n}",
            section=rng.choice(sections),
            publish_at=now - dt.timedelta(minutes=rng.randrange(1, 5000)),
        )
    # Hidden ones in between, and the organization's own, never among the cards.
    for n in range(6):
        ArticleFactory(section=rng.choice(sections), status=Article.Status.DRAFT)
        ArticleFactory(section=rng.choice(sections), publish_at=now + dt.timedelta(hours=n + 1))
        ArticleFactory(section=organization, publish_at=now - dt.timedelta(minutes=n))
    assert _actual(now) == _expected(now)


def test_the_leads_section_shows_four_more_besides_the_lead():
    sections, _ = _sections()
    news, _, analysis, _ = sections
    now = timezone.now()
    # Nine in News (the newest first), two in Analysis: News shows the lead plus four.
    for n in range(9):
        ArticleFactory(section=news, publish_at=now - dt.timedelta(minutes=n + 1))
    for n in range(2):
        ArticleFactory(section=analysis, publish_at=now - dt.timedelta(hours=n + 1))
    lead, by_section = _actual(now)
    assert (lead, by_section) == _expected(now)
    assert [(slug, len(pks)) for slug, pks in by_section] == [("news", 4), ("analysis", 2)]


def test_a_section_with_many_new_stories_leaves_the_others_their_cards():
    sections, _ = _sections()
    _, brief, analysis, investigations = sections
    now = timezone.now()
    # Thirty new briefs (under News) and one older story in each other section: the
    # sections past the busy one still show theirs, within the latest HOME_LATEST.
    for n in range(30):
        ArticleFactory(section=brief, publish_at=now - dt.timedelta(minutes=n + 1))
    for n, section in enumerate((analysis, investigations)):
        ArticleFactory(section=section, publish_at=now - dt.timedelta(hours=n + 2))
    assert _actual(now) == _expected(now)
    assert [slug for slug, _ in _actual(now)[1]] == ["news", "analysis", "investigations"]


def test_the_rendered_home_page_puts_each_card_under_its_section(client):
    sections, _ = _sections()
    rng = random.Random(3)
    now = timezone.now()
    for n in range(40):
        ArticleFactory(
            title=f"Headline number {n}",
            section=rng.choice(sections),
            publish_at=now - dt.timedelta(minutes=rng.randrange(1, 3000)),
        )
    html = client.get("/").content.decode()
    _, expected = _expected(timezone.now())
    titles = dict(Article.objects.values_list("pk", "title"))
    for slug, pks in expected:
        block = re.search(rf'aria-labelledby="home-{slug}">(.*?)</section>', html, re.S).group(1)
        assert re.findall(r"Headline number \d+", block) == [titles[pk] for pk in pks]
