"""Writers and editors in the admin: rules enforced on the server, via real POSTs."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"


def change_url(article: Article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def form_data(section, **overrides) -> dict:
    data = {
        "title": "Prison break exposes gang control",
        "slug": "prison-break-exposes-gang-control",
        "dek": "A mass escape shows who runs the cell blocks.",
        "body": "<p>Guards said the gang controlled the wing.</p>",
        "section": section.pk,
        "language": "en",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "licence": "cc-by-nc-4.0",
        "topics": [],
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def section():
    return SectionFactory(name="Brief", slug="brief")


@pytest.fixture
def writer(client):
    user = UserFactory(role="Writer")
    return user


@pytest.fixture
def editor():
    return UserFactory(role="Editor")


def test_writer_can_save_a_draft_and_submit_it_for_review(client, writer, section):
    prisons, extortion = TopicFactory(name="prisons"), TopicFactory(name="extortion")
    client.force_login(writer)
    response = client.post(ADD_URL, form_data(section, topics=[prisons.pk, extortion.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT and article.created_by == writer
    assert set(article.topics.names()) == {"prisons", "extortion"}
    assert article.submitted_at is None
    data = form_data(section, status="review")
    response = client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert article.submitted_by == writer and article.submitted_at is not None


def test_writer_cannot_publish_by_forging_a_post(client, writer, section):
    client.force_login(writer)
    response = client.post(ADD_URL, form_data(section, status="published"))
    assert response.status_code == 200  # re-rendered with an error
    assert not Article.objects.exists()


def test_writer_cannot_schedule(client, writer, section):
    client.force_login(writer)
    future = timezone.localtime(timezone.now() + dt.timedelta(days=3))
    response = client.post(
        ADD_URL,
        form_data(
            section,
            publish_at_0=future.strftime("%Y-%m-%d"),
            publish_at_1=future.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 200
    assert "Only editors can set the publish time." in response.content.decode()
    assert not Article.objects.exists()


def test_writer_cannot_edit_or_delete_published_work(client, writer, section):
    published = ArticleFactory(section=section)
    published.created_by = writer
    published.save()
    client.force_login(writer)
    response = client.post(change_url(published), form_data(section, title="Rewritten"))
    assert response.status_code == 403
    response = client.post(f"/admin/articles/article/{published.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.title != "Rewritten"


def test_writer_cannot_edit_someone_elses_draft(client, writer, section):
    other = ArticleFactory(section=section, status=Article.Status.DRAFT, publish_at=None)
    client.force_login(writer)
    response = client.post(change_url(other), form_data(section, title="Hijacked"))
    assert response.status_code == 403


def test_writer_cannot_use_publish_action(client, writer, section):
    draft = ArticleFactory(section=section, status=Article.Status.DRAFT, publish_at=None)
    draft.created_by = writer
    draft.save()
    client.force_login(writer)
    client.post(
        "/admin/articles/article/",
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_editor_can_publish_with_countries_and_groups(client, editor, section):
    guatemala = CountryFactory(name="Guatemala", slug="guatemala")
    zetas = CriminalGroupFactory(name="Zetas", slug="zetas")
    client.force_login(editor)
    response = client.post(
        ADD_URL,
        form_data(
            section,
            status="published",
            countries=[guatemala.pk],
            groups=[zetas.pk],
            primary_group=zetas.pk,
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.is_public
    assert list(article.countries.all()) == [guatemala]
    assert list(article.groups.all()) == [zetas]
    assert client.get(article.get_absolute_url()).status_code == 200


def test_editor_can_schedule(client, editor, section):
    client.force_login(editor)
    future = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    response = client.post(
        ADD_URL,
        form_data(
            section,
            status="published",
            publish_at_0=future.strftime("%Y-%m-%d"),
            publish_at_1=future.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.is_scheduled and not article.is_public


def test_unknown_country_cannot_be_created_by_a_typo(client, editor, section):
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(section, countries=["Guatamala"]))
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_primary_tag_must_be_one_of_the_articles_tags(client, editor, section):
    guatemala = CountryFactory(name="Guatemala", slug="guatemala")
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(section, primary_country=guatemala.pk))
    assert response.status_code == 200
    assert "The primary country must be one of the countries." in response.content.decode()


def test_country_autocomplete_answers_writers(client, writer):
    CountryFactory(name="Guatemala", slug="guatemala")
    client.force_login(writer)
    response = client.get(
        "/admin/autocomplete/",
        {
            "term": "Guat",
            "app_label": "articles",
            "model_name": "article",
            "field_name": "countries",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Guatemala"]


def test_changelist_shows_helpful_counts_and_filters(client, editor, section):
    ArticleFactory(section=section, title="Counted story")
    client.force_login(editor)
    response = client.get("/admin/articles/article/?state=live")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Counted story" in html and "0 / 0" in html


def test_preview_is_staff_only_never_cached_and_noindexed(client, editor, section):
    draft = ArticleFactory(
        section=section, status=Article.Status.DRAFT, publish_at=None, title="Draft under embargo"
    )
    preview_url = f"/preview/{draft.pk}/"
    anonymous = client.get(preview_url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(editor)
    response = client.get(preview_url)
    assert response.status_code == 200
    assert "Draft under embargo" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_writer_cannot_clear_a_publish_time_set_by_an_editor(client, writer, section):
    future = timezone.now() + dt.timedelta(days=5)
    draft = ArticleFactory(section=section, status=Article.Status.DRAFT, publish_at=future)
    draft.created_by = writer
    draft.save()
    client.force_login(writer)
    response = client.post(change_url(draft), form_data(section, slug=draft.slug))
    assert response.status_code == 200
    assert "Only editors can set the publish time." in response.content.decode()
    draft.refresh_from_db()
    assert draft.publish_at == future


def test_writer_cannot_attach_a_draft_as_translation_of_published_work(client, writer, section):
    spanish = ArticleFactory(section=section, language="es")
    client.force_login(writer)
    response = client.post(ADD_URL, form_data(section, translation=spanish.pk))
    assert response.status_code == 200
    assert "You can only link a translation you may edit." in response.content.decode()
    assert not Article.objects.filter(translation=spanish).exists()


def test_publish_now_action_publishes_even_with_a_stale_future_time(client, editor, section):
    draft = ArticleFactory(
        section=section,
        status=Article.Status.DRAFT,
        publish_at=timezone.now() + dt.timedelta(days=30),
    )
    client.force_login(editor)
    client.post(
        "/admin/articles/article/", {"action": "publish_now", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.is_public


def test_section_cannot_become_its_own_ancestor(client, editor):
    news = SectionFactory(name="News", slug="news")
    brief = SectionFactory(name="Brief", slug="brief", parent=news)
    client.force_login(editor)
    response = client.post(
        f"/admin/articles/section/{news.pk}/change/",
        {"name": "News", "slug": "news", "parent": brief.pk, "position": 0, "description": ""},
    )
    assert response.status_code == 200
    assert "A section cannot sit inside itself." in response.content.decode()
    news.refresh_from_db()
    assert news.parent is None


def test_review_queue_shows_who_submitted_and_when(client, writer, editor, section):
    writer.first_name, writer.last_name = "Rita", "Writer"
    writer.save()
    draft = ArticleFactory(section=section, status=Article.Status.DRAFT, publish_at=None)
    draft.created_by = writer
    draft.save()
    client.force_login(writer)
    client.post(change_url(draft), form_data(section, slug=draft.slug, status="review"))
    draft.refresh_from_db()
    assert draft.submitted_by == writer

    client.force_login(editor)
    html = client.get("/admin/articles/article/?state=review").content.decode()
    assert "Rita Writer" in html
    assert timezone.localtime(draft.submitted_at).strftime("%-d %b %Y") in html
    # Outside the queue the column is not there: the list stays narrow.
    assert "column-submission" not in client.get("/admin/articles/article/").content.decode()


def test_writer_sees_no_publish_time_control_but_editor_does(client, writer, editor, section):
    client.force_login(writer)
    html = client.get(ADD_URL).content.decode()
    assert 'type="hidden" name="publish_at_0"' in html
    assert "Set by an editor when the story is published or scheduled." in html
    client.force_login(editor)
    html = client.get(ADD_URL).content.decode()
    assert 'type="text" name="publish_at_0"' in html


def test_writer_reading_published_work_sees_the_body_rendered(client, writer, section):
    published = ArticleFactory(section=section, body="<p>Guards <strong>ran</strong> the wing.</p>")
    client.force_login(writer)
    html = client.get(change_url(published)).content.decode()
    assert '<div class="body-preview"><p>Guards <strong>ran</strong> the wing.</p></div>' in html
    assert "&lt;strong&gt;" not in html


def test_topics_are_picked_with_type_ahead(client, editor, section):
    client.force_login(editor)
    html = client.get(ADD_URL).content.decode()
    select = re.search(r'<select name="topics"[^>]*>', html)
    assert select and "admin-autocomplete" in select.group(0)
    assert 'data-ajax--url="/admin/autocomplete/"' in select.group(0)
