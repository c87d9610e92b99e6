"""``manage.py seed_demo``: the demo corpus is large, coherent, deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from articles.models import (
    Article,
    Author,
    Byline,
    Country,
    CriminalGroup,
    Section,
    TaggedCountry,
    TaggedGroup,
    TaggedTopic,
    Topic,
)
from demo import corpus as demo_content
from images.models import Image

REFERENCE_PAGE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "seed-article.txt"


def seed(*args: str, pictures: bool = False) -> tuple[str, str]:
    # Drawing and encoding 299 pictures takes most of a seed's time: only the tests about
    # pictures ask for them.
    out, err = StringIO(), StringIO()
    if not pictures:
        args = (*args, "--without-pictures")
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> dict[str, object]:
    return {
        "sections": Section.objects.count(),
        "countries": Country.objects.count(),
        "groups": CriminalGroup.objects.count(),
        "topics": Topic.objects.count(),
        "authors": Author.objects.count(),
        "articles": Article.objects.count(),
        "bylines": Byline.objects.count(),
        "tagged": (
            TaggedCountry.objects.count(),
            TaggedGroup.objects.count(),
            TaggedTopic.objects.count(),
        ),
        "rows": sorted(
            Article.objects.values_list(
                "slug", "title", "status", "language", "licence", "translation__slug"
            )
        ),
        "published_times": sorted(Article.objects.published().values_list("slug", "publish_at")),
        "pictures": sorted(
            Article.objects.values_list("slug", "featured_image_id", "featured_image__renditions")
        ),
        "images": Image.objects.count(),
    }


@pytest.fixture
def seeded(db) -> None:
    seed()


@pytest.mark.django_db
def test_seeding_twice_duplicates_nothing_and_draws_each_picture_once(settings):
    first_out, _ = seed(pictures=True)
    before = snapshot()
    files_before = sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    second_out, _ = seed(pictures=True)
    assert snapshot() == before
    assert sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == files_before
    assert "0 articles created" not in first_out
    assert "0 articles created, 0 updated" in second_out
    assert "299 pictures drawn, 299 given renditions" in first_out
    assert "0 pictures drawn, 0 given renditions" in second_out

    # Every article has its own picture, described and credited, with renditions on disk.
    articles = list(Article.objects.select_related("featured_image"))
    assert all(a.featured_image is not None for a in articles)
    assert len({a.featured_image_id for a in articles}) == len(articles)
    for article in articles:
        image = article.featured_image
        assert image.alt_text and image.credit.endswith(("Newsroom demo", "demo de Newsroom"))
        cards = image.display["crops"]["card"]
        assert [c["w"] for c in cards] == [420, 840]
        assert (Path(settings.MEDIA_ROOT) / cards[0]["webp"]).is_file()
    spanish = next(a for a in articles if a.language == "es")
    assert spanish.featured_image.alt_text.startswith("Ilustración")
    # Drawn from the slug: different articles, different pictures.
    originals = {hashlib.sha256(a.featured_image.file.read()).hexdigest() for a in articles[:20]}
    assert len(originals) == 20


@pytest.mark.django_db
def test_corpus_is_deterministic():
    now = timezone.now()
    first, second = demo_content.build_corpus(now), demo_content.build_corpus(now)
    assert [(s.slug, s.body, s.publish_at, s.authors) for s in first] == [
        (s.slug, s.body, s.publish_at, s.authors) for s in second
    ]
    assert len({s.slug for s in first}) == len(first)
    assert len({s.title for s in first}) == len(first)


@pytest.mark.django_db
def test_corpus_size(seeded):
    assert Article.objects.published().count() >= 200
    assert Country.objects.exclude(description="").count() >= 8
    assert CriminalGroup.objects.exclude(description="").count() >= 10
    assert Topic.objects.count() >= 12
    assert Author.objects.exclude(bio="").count() >= 6
    # Every country and group has a hub with published articles.
    for tag in [*Country.objects.all(), *CriminalGroup.objects.all()]:
        assert (
            Article.objects.published()
            .filter(**{"countries" if isinstance(tag, Country) else "groups": tag})
            .exists()
        ), tag


@pytest.mark.django_db
def test_section_tree(seeded):
    sections = {s.slug: s for s in Section.objects.select_related("parent")}
    assert sections["news"].parent is None
    assert sections["investigations"].parent is None
    assert sections["the-organization"].parent is None
    assert sections["brief"].parent == sections["news"]
    assert sections["analysis"].parent == sections["news"]
    for slug in ("brief", "analysis", "investigations", "the-organization"):
        assert Article.objects.published().filter(section__slug=slug).exists(), slug
    assert Article.objects.published().filter(section__slug="the-organization").count() >= 8


@pytest.mark.django_db
def test_languages_and_translations(seeded):
    published = Article.objects.published()
    english = published.filter(language="en").count()
    spanish = published.filter(language="es").count()
    assert english and spanish
    assert 0.2 <= spanish / (english + spanish) <= 0.45
    translated = Article.objects.filter(translation__isnull=False).select_related("translation")
    assert translated.count() >= 10
    for article in translated:
        assert article.translation.language != article.language
        assert article.translation.section_id == article.section_id


@pytest.mark.django_db
def test_work_in_progress_is_not_public(seeded):
    published_ids = set(Article.objects.published().values_list("pk", flat=True))
    drafts = Article.objects.filter(status=Article.Status.DRAFT)
    in_review = Article.objects.filter(status=Article.Status.IN_REVIEW)
    scheduled = Article.objects.scheduled()
    assert drafts.count() >= 3
    assert in_review.count() >= 2
    assert scheduled.count() >= 3
    for article in [*drafts, *in_review, *scheduled]:
        assert article.pk not in published_ids
    assert all(a.publish_at > timezone.now() for a in scheduled)


@pytest.mark.django_db
def test_scheduled_times_are_kept_on_rerun(seeded):
    before = dict(Article.objects.scheduled().values_list("slug", "publish_at"))
    seed()
    assert dict(Article.objects.scheduled().values_list("slug", "publish_at")) == before


@pytest.mark.django_db
def test_tags_bylines_and_primary_tag(seeded):
    articles = Article.objects.prefetch_related("countries", "groups", "topics", "bylines")
    for article in articles:
        countries, groups = set(article.countries.all()), set(article.groups.all())
        assert 1 <= len(countries) <= 3, article
        assert len(groups) <= 2, article
        assert 1 <= len(article.topics.all()) <= 3, article
        positions = sorted(b.position for b in article.bylines.all())
        assert positions == list(range(len(positions))) and 1 <= len(positions) <= 4, article
        # Exactly one primary tag, and it is one of the article's own tags.
        assert (article.primary_country is None) != (article.primary_group is None), article
        if article.primary_country:
            assert article.primary_country in countries, article
        else:
            assert article.primary_group in groups, article


@pytest.mark.django_db
def test_licence_mix_and_bodies(seeded):
    licences = set(Article.objects.values_list("licence", flat=True))
    assert licences == {"cc-by-nc-4.0", "cc-by-4.0", "cc-by-nc-nd-4.0", "all-rights-reserved"}
    assert Article.objects.filter(licence="cc-by-nc-4.0").count() > Article.objects.count() / 2
    stories = Article.objects.exclude(section__slug="the-organization")
    for article in stories:
        assert 3 <= article.body.count("<p>") <= 8, article
        assert article.dek
    assert stories.filter(body__contains="<h2>").exists()
    assert stories.filter(body__contains="<blockquote>").exists()
    spanish = Article.objects.filter(language="es").exclude(section__slug="the-organization")
    assert all(" the " not in a.body for a in spanish)


@pytest.mark.django_db
def test_no_sentence_copied_from_the_reference_page(seeded):
    if not REFERENCE_PAGE.exists():
        pytest.skip("reference page not available")
    reference = " ".join(REFERENCE_PAGE.read_text().split()).lower()
    corpus = " ".join(
        " ".join(fields) for fields in Article.objects.values_list("title", "dek", "body")
    ).lower()
    corpus = re.sub(r"<[^>]+>", " ", corpus)
    words = reference.split()
    # No run of eight consecutive words from the reference appears in the corpus.
    for i in range(len(words) - 8):
        assert " ".join(words[i : i + 8]) not in corpus


@pytest.mark.django_db
def test_accounts_are_refused_without_debug(settings):
    settings.DEBUG = False
    out, err = seed("--with-accounts")
    assert "Refusing" in err
    assert "login" not in out
    assert not get_user_model().objects.filter(username__in=["editor", "writer"]).exists()
    assert Article.objects.published().count() >= 200


@pytest.mark.django_db
def test_accounts_with_debug(settings):
    settings.DEBUG = True
    seed("--with-accounts")
    out, _ = seed("--with-accounts")
    assert "Editor login: editor / newsroom-demo" in out
    assert "Writer login: writer / newsroom-demo" in out
    users = get_user_model().objects
    assert users.filter(username__in=["editor", "writer"]).count() == 2
    editor, writer = users.get(username="editor"), users.get(username="writer")
    assert editor.is_staff and writer.is_staff
    assert editor.check_password("newsroom-demo") and writer.check_password("newsroom-demo")
    assert list(editor.groups.values_list("name", flat=True)) == ["Editor"]
    assert list(writer.groups.values_list("name", flat=True)) == ["Writer"]
    assert writer.author_profile.slug == demo_content.WRITER_AUTHOR_SLUG
    assert writer.has_perm("articles.add_article")
    assert not writer.has_perm("articles.publish_article")
    assert editor.has_perm("articles.publish_article")


def test_scheduled_specs_follow_now():
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    scheduled = [s for s in demo_content.build_corpus(later) if s.scheduled]
    assert len(scheduled) >= 3
    assert all(s.publish_at and s.publish_at > later for s in scheduled)
    assert all(
        s.publish_at and s.publish_at <= demo_content.LATEST + dt.timedelta(hours=3)
        for s in demo_content.build_corpus(later)
        if s.status == "published" and not s.scheduled
    )
