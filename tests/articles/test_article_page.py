"""The article page carries the full anatomy readers expect."""

import re
from itertools import pairwise

import pytest
from django.test import override_settings

from articles.models import Article, SlugRedirect
from related.rebuild import rebuild as rebuild_related
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    news = SectionFactory(name="News", slug="news")
    brief = SectionFactory(name="Brief", slug="brief", parent=news)
    org = SectionFactory(name="The Organization", slug="the-organization")
    guatemala = CountryFactory(name="Guatemala", slug="guatemala")
    mexico = CountryFactory(name="Mexico", slug="mexico")
    zetas = CriminalGroupFactory(name="Zetas", slug="zetas")
    authors = [AuthorFactory(name="Ana Lopez"), AuthorFactory(name="Ben Ortiz")]
    main = ArticleFactory(
        title="Border pact targets trafficking routes",
        slug="border-pact",
        section=brief,
        countries=[guatemala, mexico],
        groups=[zetas],
        authors=authors,
        primary_country=guatemala,
        body="<p>Officials signed the pact on Tuesday.</p>",
    )
    for n in range(3):
        ArticleFactory(title=f"Earlier Zetas story {n}", section=brief, groups=[zetas])
    ArticleFactory(title="Our team presents at a regional forum", section=org)
    rebuild_related()  # related lists are precomputed (related app)
    return main


@override_settings(SITE_NAME="Crime Desk", SITE_URL="https://news.example.org")
def test_article_page_has_every_block(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    # Breadcrumb from the section tree.
    crumbs = html[html.index('aria-label="Breadcrumb"') :]
    assert crumbs.index(">Home<") < crumbs.index(">News<") < crumbs.index(">Brief<")
    # Primary tag, countries, headline, byline with date and language.
    assert 'class="tag-label"' in html and ">Guatemala<" in html and ">Mexico<" in html
    assert "<h1" in html and article.title in html
    assert "Ana Lopez</a> and <a" in html and "Ben Ortiz" in html
    assert article.publish_at.strftime("%Y") in html
    # An English story on the English site with no translation: the badge would say nothing.
    assert 'class="lang"' not in html
    assert "Officials signed the pact on Tuesday." in html
    # Share links without third-party scripts.
    assert "https://x.com/intent/post?" in html and "mailto:?subject=" in html
    assert "Copy link" in html
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/") for src in scripts)  # our own files only
    # Helpful widget, comments link, donation CTA with attribution source.
    assert "Was this content helpful?" in html and 'name="helpful" value="yes"' in html
    assert f"/article/{article.slug}/comment/" in html
    assert f"/donate/?source=article-{article.pk}" in html
    # Related content and organization blocks.
    assert "Related Content" in html and "Earlier Zetas story" in html
    assert "About Crime Desk" in html and "Our team presents at a regional forum" in html


@override_settings(SITE_NAME="Crime Desk", SITE_URL="https://news.example.org")
def test_attribution_footer_names_licence_authors_and_canonical_url(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    footer = html[html.index('class="attribution"') :]
    assert 'rel="license" href="https://creativecommons.org/licenses/by-nc/4.0/"' in footer
    assert "CC BY-NC 4.0" in footer
    assert "Ana Lopez, Ben Ortiz" in footer and "Crime Desk" in footer
    assert "https://news.example.org/article/border-pact/" in footer
    assert "non-commercial" in footer


def test_all_rights_reserved_article_has_no_republication_text(client, article):
    article.licence = "all-rights-reserved"
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    footer = html[html.index('class="attribution"') :]
    assert "All rights reserved" in footer
    assert "copy and distribute" not in footer
    assert 'rel="license"' not in footer


def test_licence_choice_changes_the_footer(client, article):
    article.licence = "cc-by-nc-nd-4.0"
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "creativecommons.org/licenses/by-nc-nd/4.0/" in html
    assert "without changes" in html


def test_old_slug_of_published_article_redirects_permanently(client, article):
    old_url = article.get_absolute_url()
    article.slug = "border-pact-signed"
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/article/border-pact-signed/"
    assert SlugRedirect.objects.filter(old_slug="border-pact").exists()


def test_old_slug_of_unpublished_article_does_not_leak_it(client, article):
    article.slug = "border-pact-v2"
    article.save()
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get("/article/border-pact/").status_code == 404


def test_translation_is_linked_both_ways(client, article):
    spanish = ArticleFactory(
        title="Pacto fronterizo contra rutas de trafico",
        language="es",
        section=article.section,
    )
    article.translation = spanish
    article.save()
    english_html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{spanish.get_absolute_url()}" hreflang="es"' in english_html
    spanish_html = client.get(spanish.get_absolute_url()).content.decode()
    assert f'href="{article.get_absolute_url()}" hreflang="en"' in spanish_html
    assert '<div class="article-body" lang="es">' in spanish_html


def test_translation_link_never_points_at_an_unpublished_article(client, article):
    draft = ArticleFactory(
        title="Embargoed Spanish version",
        slug="secret-informant-named",
        language="es",
        status=Article.Status.DRAFT,
        publish_at=None,
    )
    article.translation = draft
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "secret-informant-named" not in html and "Leer en español" not in html
    # And the other way round: a public Spanish page linked from an English draft.
    spanish = ArticleFactory(language="es", slug="public-es")
    english_draft = ArticleFactory(
        slug="embargoed-en-story", status=Article.Status.IN_REVIEW, publish_at=None
    )
    english_draft.translation = spanish
    english_draft.save()
    assert "embargoed-en-story" not in client.get(spanish.get_absolute_url()).content.decode()


def test_related_block_shows_only_same_language_published_items(client, article):
    zetas = article.groups.get()
    ArticleFactory(title="Spanish Zetas item", language="es", groups=[zetas])
    ArticleFactory(
        title="Draft Zetas item", status=Article.Status.DRAFT, publish_at=None, groups=[zetas]
    )
    rebuild_related()
    html = client.get(article.get_absolute_url()).content.decode()
    related = html[html.index('id="related-heading"') :]
    assert "Spanish Zetas item" not in related and "Draft Zetas item" not in related
    assert related.count('class="teaser"') >= 3


@pytest.mark.parametrize("length", range(30, 60))
def test_excerpt_is_cut_at_a_word_boundary_with_an_ellipsis(length):
    dek = "Authorities described the arrests as a blow to the network, officials said today."
    excerpt = ArticleFactory.build(dek=dek).excerpt(length)
    assert excerpt.endswith("…") and len(excerpt) <= length
    words = excerpt[:-1].split(" ")
    assert dek.startswith(excerpt[:-1])
    assert all(word.strip(",") in dek.replace(",", "").split(" ") for word in words)


def test_short_text_is_not_cut():
    assert ArticleFactory.build(dek="Short &amp; whole.").excerpt(40) == "Short & whole."


def test_old_url_survives_unpublish_rename_republish(client, article):
    article.status = Article.Status.DRAFT
    article.save()
    article.slug = "border-pact-renamed"
    article.save()
    article.status = Article.Status.PUBLISHED
    article.save()
    response = client.get("/article/border-pact/")
    assert response.status_code == 301 and response["Location"] == "/article/border-pact-renamed/"


def test_topic_with_accents_gets_an_ascii_url(client, article):
    article.topics.add("migración")
    topic = article.topics.get()
    assert topic.slug == "migracion"
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.title in client.get("/topic/migracion/").content.decode()


@pytest.mark.parametrize("url", ["/", "/country/guatemala/", "/section/brief/", "/search/?q=pact"])
def test_headings_do_not_skip_levels(client, article, url):
    html = client.get(url).content.decode()
    levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels and levels[0] == 1
    for before, after in pairwise(levels):
        assert after <= before + 1, levels


def test_unknown_page_gets_a_helpful_404(client):
    response = client.get("/article/does-not-exist/")
    assert response.status_code == 404
    assert "Search our coverage" in response.content.decode()


def test_language_badge_only_when_it_helps(client, article):
    spanish = ArticleFactory(title="Pacto fronterizo", section=article.section, language="es")
    # Served under /es/, a Spanish story matches the site around it: no badge.
    html = client.get(spanish.get_absolute_url(), follow=True).content.decode()
    assert 'class="lang"' not in html.split('<p class="byline">')[1].split("</p>")[0]
    # On the English home page its card says it is in Spanish.
    home = client.get("/").content.decode()
    card = home[home.index("Pacto fronterizo") - 600 : home.index("Pacto fronterizo")]
    assert '<span class="lang">ES</span>' in card
    # Once a translation exists, the badge tells the two versions apart.
    article.translation = spanish
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="lang" title="English">EN</span>' in html


def test_no_stray_separator_before_the_date_without_a_primary_tag(client, article):
    article.primary_country = None
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    byline = html[html.index('<p class="byline">') :].split("</p>")[0]
    assert 'class="sep"' not in byline and "<time" in byline
