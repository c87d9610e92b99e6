"""The republish page (public, cacheable) and the counting pixel (fast, anonymous)."""

from __future__ import annotations

import base64

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from articles.models import Article, Byline
from newsroom.pagecache import public_page
from republish import content, counters

# A transparent 1x1 GIF (42 bytes).
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def republishable():
    """Public articles whose licence lets partners republish them, with their bylines."""
    from articles.licences import LICENCES

    codes = [code for code, licence in LICENCES.items() if licence.allows_republication]
    return (
        Article.objects.published()
        .filter(licence__in=codes)
        .prefetch_related(
            Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author").only(
                    "article_id", "position", "author__name", "author__slug"
                ),
            )
        )
    )


@public_page
def republish_page(request: HttpRequest, slug: str) -> HttpResponse:
    # Drafts, scheduled and all-rights-reserved stories: 404, like any unknown page.
    article = republishable().filter(slug=slug).first()
    if article is None:
        raise Http404("No such article to republish")
    if article.language != request.LANGUAGE_CODE:
        # Beside its article, in the story's own language's scheme (/es/article/...).
        with translation.override(article.language):
            return redirect(reverse("republish_pages:page", args=[slug]), permanent=True)
    package = content.build(article)
    return render(request, "republish/page.html", {"article": article, "package": package})


# The pixel's headers, for the view and for the WSGI entry point alike (republish/wsgi.py).
PIXEL_HEADERS = {
    "Content-Type": "image/gif",
    # no-store: every page view fetches the pixel again, so every view counts. A short
    # private cache would merge a reader's reloads, but also hide the second partner page
    # a reader opens within the window (the pixel URL is the same on every site).
    "Cache-Control": "max-age=0, no-cache, no-store, must-revalidate, private",
    "Expires": "Thu, 01 Jan 1970 00:00:00 GMT",
    # Loaded by other sites' pages: allowed cross-origin, never sniffed, never indexed.
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
}


def count_hit(method: str, article_id: int, referer: str, user_agent: str) -> None:
    """A GET is a view; a HEAD (link checkers, proxies) gets the headers and counts nothing."""
    if method == "GET":
        counters.record_view(article_id=article_id, referer=referer, user_agent=user_agent)


@require_safe
def pixel(request: HttpRequest, article_id: int) -> HttpResponse:
    """A 1x1 GIF, and one view counted off the database (republish/counters.py).

    In production the WSGI entry point answers this URL before Django (republish/wsgi.py);
    this view is the same answer for ``runserver``, the test client and any other server.
    No cookie is read or set; nothing but the Referer's page and the day is kept.
    """
    count_hit(
        request.method,
        article_id,
        request.headers.get("referer", ""),
        request.headers.get("user-agent", ""),
    )
    response = HttpResponse(PIXEL_GIF)
    for name, value in PIXEL_HEADERS.items():
        response[name] = value
    return response
