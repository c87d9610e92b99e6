"""A reader goes home -> article -> related article -> answers "helpful"."""

import pytest

from articles.models import HelpfulVote
from tests.factories import ArticleFactory, CountryFactory, CriminalGroupFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_reads_a_story_follows_related_content_and_votes_helpful(page):
    news = SectionFactory(name="News", slug="news")
    brief = SectionFactory(name="Brief", slug="brief", parent=news)
    SectionFactory(name="Investigations", slug="investigations")
    SectionFactory(name="The Organization", slug="the-organization")
    guatemala = CountryFactory(name="Guatemala", slug="guatemala")
    zetas = CriminalGroupFactory(name="Zetas", slug="zetas")
    earlier = ArticleFactory(
        title="Zetas cell dismantled near the border",
        section=brief,
        countries=[guatemala],
        groups=[zetas],
        primary_group=zetas,
    )
    lead = ArticleFactory(
        title="Guatemala tightens border controls",
        section=brief,
        countries=[guatemala],
        groups=[zetas],
        primary_country=guatemala,
    )
    assert lead.publish_at > earlier.publish_at

    page.goto("/")
    page.get_by_role("link", name=lead.title).first.click()
    page.wait_for_url(f"**{lead.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == lead.title

    related = page.locator("section.related")
    related.get_by_role("link", name=earlier.title).click()
    page.wait_for_url(f"**{earlier.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == earlier.title

    page.locator("#helpful").get_by_role("button", name="Yes").click()
    page.wait_for_url(f"**{earlier.get_absolute_url()}#helpful")
    assert "Thank you" in page.locator("#helpful").inner_text()
    vote = HelpfulVote.objects.get()
    assert vote.article == earlier and vote.helpful is True
