"""An editor uploads a picture to the library, describes it, sets its focal point, uses it
as a story's featured image and inline in the body, publishes, and readers see the right
renditions on the home page, the article and another story's related cards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article
from images.models import Image
from related.rebuild import rebuild as rebuild_related
from tests.browser.test_editor_journey import _pick
from tests.factories import ArticleFactory, CountryFactory, SectionFactory, UserFactory
from tests.images.conftest import picture_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shown(page, selector: str) -> dict:
    """What the browser chose and loaded for the <img> under ``selector``."""
    return page.locator(selector).first.evaluate(
        """img => ({src: img.currentSrc, natural: img.naturalWidth, complete: img.complete,
                    width: img.getAttribute('width'), height: img.getAttribute('height'),
                    alt: img.alt, loading: img.getAttribute('loading'),
                    priority: img.getAttribute('fetchpriority')})"""
    )


def _loaded(page, selector: str) -> dict:
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i?.complete && i.naturalWidth > 0 }",
        arg=selector,
    )
    return _shown(page, selector)


def test_editor_uploads_a_picture_and_readers_see_its_renditions(page):
    section = SectionFactory(name="Investigations", slug="investigations")
    SectionFactory(name="The Organization", slug="the-organization")
    mexico = CountryFactory(name="Mexico", slug="mexico")
    older = ArticleFactory(
        title="Port authorities under scrutiny in Manzanillo",
        dek="Container inspections at the port are under review.",
        body="<p>Container inspections at the port of Manzanillo are under review.</p>",
        section=section,
        countries=[mexico],
        publish_at=timezone.now() - dt.timedelta(days=2),
    )
    rebuild_related()
    UserFactory(username="edith", role="Editor")

    page.goto("/admin/login/?next=/admin/images/image/add/")
    page.get_by_label("Username").fill("edith")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/images/image/add/")

    # 1. Upload and describe the picture (2:1, its subject in the right-hand part).
    page.locator("#id_file").set_input_files(
        {"name": "port.jpg", "mimeType": "image/jpeg", "buffer": picture_bytes((2000, 1000))}
    )
    page.locator("#id_alt_text").fill("Containers stacked on the dock at dusk")
    page.locator("#id_caption").fill("The container terminal in Manzanillo.")
    page.locator("#id_credit").fill("Photo: Port Desk")
    page.locator("input[name=_continue]").click()
    page.wait_for_url("**/admin/images/image/*/change/")
    image = Image.objects.get()
    assert image.display["crops"]["card"], "renditions are made after the upload's commit"

    # 2. The focal point: a click on the preview, at the right-hand part of the picture.
    preview = page.locator(".focal-preview img")
    box = preview.bounding_box()
    preview.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.5})
    assert float(page.locator("#id_focal_x").input_value()) == pytest.approx(0.8, abs=0.02)
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/images/image/")
    image.refresh_from_db()
    assert image.focal_x == pytest.approx(0.8, abs=0.02)
    card_file = image.display["crops"]["card"][0]["webp"]

    # 3. A story with the picture as featured image and inline in the body.
    page.goto("/admin/articles/article/add/")
    page.locator("#id_title").fill("Cocaine shipments rerouted through Pacific ports")
    page.locator("#id_dek").fill("Traffickers moved containers after new port inspections.")
    editor = page.locator("[contenteditable=true].ProseMirror")
    editor.click()
    editor.type("Inspectors at the port of Manzanillo found the containers.")
    editor.press("Enter")
    page.get_by_title("Insert image from the library").click()
    dialog = page.locator("dialog.prose-editor-dialog")
    dialog.locator("input[name=id]").fill(str(image.pk))
    dialog.get_by_role("button", name="Insert").click()
    # The editor shows the picture it will insert.
    page.locator(".ProseMirror figure.library-image img").wait_for()
    _pick(page, "id_featured_image", "Containers", "Container")
    page.locator("#id_section").select_option(label="Investigations")
    _pick(page, "id_countries", "Mex", "Mexico")
    page.locator("#id_status").select_option("published")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/articles/article/")
    story = Article.objects.get(title="Cocaine shipments rerouted through Pacific ports")
    assert story.is_public and story.featured_image_id == image.pk
    assert f'<figure data-image="{image.pk}"></figure>' in story.body
    page.context.clear_cookies()  # from here on, a reader

    # 4. Home: the new story leads, with the 3:2 lead crop, fetched first.
    page.goto("/")
    lead = _loaded(page, ".lead-story figure img")
    assert f"/renditions/{image.pk}/" in lead["src"] and "/lead-" in lead["src"]
    assert lead["src"].endswith(".webp")  # Chromium takes the WebP <source>
    assert lead["priority"] == "high" and lead["loading"] is None
    assert lead["alt"] == "Containers stacked on the dock at dusk"
    assert "Photo: Port Desk" in page.locator(".lead-story figcaption").inner_text()

    # 5. The article: featured image (full shape) and the inline one with caption and credit.
    page.goto(story.get_absolute_url())
    featured = _loaded(page, ".article > figure.picture img")
    assert f"/renditions/{image.pk}/" in featured["src"] and "/full-" in featured["src"]
    assert (featured["width"], featured["height"]) == ("1600", "800")
    inline = _loaded(page, ".article-body figure.inline-image img")
    assert f"/renditions/{image.pk}/" in inline["src"] and inline["loading"] == "lazy"
    caption = page.locator(".article-body figure.inline-image figcaption").inner_text()
    assert "The container terminal in Manzanillo." in caption and "Photo: Port Desk" in caption
    og = page.locator("meta[property='og:image']").get_attribute("content")
    assert og.startswith("http") and f"/renditions/{image.pk}/" in og and og.endswith(".jpeg")

    # 6. The older story's related cards show the new one with its 16:9 card crop.
    page.goto(older.get_absolute_url())
    related = page.locator(".related .teaser", has_text=story.title)
    assert related.count() == 1
    card = _loaded(page, ".related figure.picture-card img")
    assert f"/renditions/{image.pk}/" in card["src"] and "/card-" in card["src"]
    assert card["loading"] == "lazy" and (card["width"], card["height"]) == ("960", "540")
    assert card_file.rsplit("/", 1)[0] in card["src"]  # the crop made for the focal point
