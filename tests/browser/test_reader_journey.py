"""A reader goes home -> article -> related article -> answers "helpful"."""

import pytest

from articles.models import HelpfulVote
from related.rebuild import rebuild as rebuild_related
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
    rebuild_related()  # related lists are precomputed (related app)

    page.goto("/")
    page.get_by_role("link", name=lead.title).first.click()
    page.wait_for_url(f"**{lead.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == lead.title

    related = page.locator("section.related")
    related.get_by_role("link", name=earlier.title).click()
    page.wait_for_url(f"**{earlier.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == earlier.title

    page.locator("#helpful").get_by_role("button", name="Yes").click()
    # The optional "what helped" page (issue 12), then back to the story.
    page.wait_for_url(f"**{earlier.get_absolute_url()}helpful/why/")
    page.get_by_label("What helped? (optional)").fill("The map of the border crossings.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"**{earlier.get_absolute_url()}#helpful")
    assert "Thank you" in page.locator("#helpful").inner_text()
    vote = HelpfulVote.objects.get()
    assert vote.article == earlier and vote.helpful is True
    assert vote.comment == "The map of the border crossings."


def test_votes_from_a_cached_article_page_work_with_and_without_javascript(
    page, chromium, live_server, settings
):
    from django.core.cache import cache

    from newsroom.pagecache import forget_local

    settings.PAGE_CACHE = True
    cache.clear()
    forget_local()
    story = ArticleFactory(title="Extortion networks move into the bus routes")
    url = story.get_absolute_url()
    page.goto(url)
    page.goto(url)  # the second visit is the cached page, which carries no CSRF token
    assert "csrfmiddlewaretoken" not in page.content()

    page.locator("#helpful").get_by_role("button", name="Yes").click()
    page.wait_for_url(f"**{url}helpful/why/")
    page.get_by_role("link", name="No thanks, back to the article").click()
    page.wait_for_url(f"**{url}#helpful")
    assert "Thank you" in page.locator("#helpful").inner_text()

    # A reader without JavaScript: the GET form opens a confirmation page with a token.
    no_js = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    other = no_js.new_page()
    other.goto(url)
    other.locator("#helpful").get_by_role("button", name="No").click()
    other.get_by_role("button", name="No, it was not").click()
    # Why not, without JavaScript: a plain form with its own token.
    other.wait_for_url(f"**{url}helpful/why/")
    other.get_by_label("It is outdated").check()
    other.get_by_role("button", name="Send").click()
    other.wait_for_url(f"**{url}#helpful")
    assert "Thank you" in other.locator("#helpful").inner_text()
    no_js.close()
    cache.clear()
    forget_local()

    assert sorted(HelpfulVote.objects.values_list("helpful", "reason")) == [
        (False, "outdated"),
        (True, ""),
    ]
