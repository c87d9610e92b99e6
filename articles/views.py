"""Reader-facing pages. Thin: parse, ask a QuerySet or a service, render."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override as translation_override
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from articles import feedback, reads, services
from articles import search as search_module
from articles.forms import HelpfulFollowUpForm, ReaderCommentForm, SearchForm
from articles.models import (
    Article,
    Correction,
    SlugRedirect,
    url_with_slug,
)
from articles.permissions import can_preview
from newsroom import language, ratelimit
from newsroom.pagecache import public_page

TOO_MANY_COMMENTS = _(
    "You have sent several messages in a short time. Please wait a few minutes and send "
    "this one again: your text is still in the form below."
)
CORRECTIONS_PER_PAGE = 25
TOO_MANY_VOTES = _("Too many answers from your network just now. Please try again later.")


@public_page
def home(request: HttpRequest) -> HttpResponse:
    page = reads.home(now=timezone.now())
    return render(
        request,
        "articles/home.html",
        {"lead": page.lead, "by_section": page.by_section, "organization": page.organization},
    )


def _paginate(request: HttpRequest, queryset: QuerySet, per_page: int | None = None):
    paginator = Paginator(queryset, per_page or settings.ARTICLES_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


@dataclass(frozen=True)
class HubKind:
    """What differs between hubs: the kicker above the name, where the profile text is."""

    label: str | None  # None: a section shows its breadcrumb instead
    profile: str | None  # the object's field holding its profile text


HUB_KINDS = {
    "section": HubKind(label=None, profile="local_description"),
    "country": HubKind(label=pgettext_lazy("hub kind", "Country"), profile="local_description"),
    "group": HubKind(
        label=pgettext_lazy("hub kind", "Criminal group"), profile="local_description"
    ),
    "topic": HubKind(label=pgettext_lazy("hub kind", "Topic"), profile=None),
    "author": HubKind(label=pgettext_lazy("hub kind", "Author"), profile="local_bio"),
}


@public_page
def hub(request: HttpRequest, slug: str, *, kind: str) -> HttpResponse:
    """A section, country, group, topic or author and a page of its stories: one view.

    The urls name the kind (``kwargs={"kind": ...}``); reads.hub() is the one read for all.
    """
    per_page = settings.ARTICLES_PER_PAGE
    found = reads.hub(kind, slug, now=timezone.now(), per_page=per_page)
    if found is None:
        raise Http404(f"No such {kind}")
    obj, articles = found
    page = Paginator(articles, per_page).get_page(request.GET.get("page"))
    shape = HUB_KINDS[kind]
    context = {
        "heading": getattr(obj, "local_name", obj.name),
        "page": page,
        "profile": getattr(obj, shape.profile) if shape.profile else "",
    }
    if kind == "section":
        context.update(section=obj, breadcrumb=obj.lineage())
    else:
        context.update(hub=obj, hub_kind=shape.label)
    if kind != "topic":  # topics have no feed of their own
        context["feeds"] = _feeds(kind, slug)
    return render(request, "articles/listing.html", context)


def _feeds(kind: str, slug: str) -> dict[str, str]:
    """The hub's own RSS and Atom feeds, linked from its <head> (patterns reversed once
    per process, not twice per render)."""
    return {
        "rss": url_with_slug(f"articles:{kind}_feed", slug),
        "atom": url_with_slug(f"articles:{kind}_feed_atom", slug),
    }


def _page_number(request: HttpRequest) -> int:
    number = request.GET.get("page", "1")
    return int(number) if number.isdigit() and 0 < len(number) < 6 else 1


def search(request: HttpRequest) -> HttpResponse:
    # Never cached (PAGE_CACHE_SKIP_PREFIXES): the combinations of words and filters are
    # endless. Two queries whatever the results: the filter choices; the page with its count.
    form = SearchForm(request.GET, choices=search_module.facet_choices())
    query, filters = form.query_and_filters()
    page = None
    if query:
        results = search_module.search(query, filters)
        page = results.page(_page_number(request), settings.ARTICLES_PER_PAGE)
    return render(request, "articles/search.html", {"form": form, "query": query, "page": page})


def _render_article(
    request: HttpRequest, article: Article, *, preview: bool = False, status: int = 200
):
    # Bylines, tags, the blocks other apps add (related content) and the organization
    # block: one query.
    blocks = reads.article_blocks(article, now=timezone.now())
    article._labels = blocks.labels
    translation = article.public_translation
    context = {
        "article": article,
        "breadcrumb": article.section.lineage(),
        "translation": translation,
        **_article_languages(article, translation),
        "below_story": blocks.below_story,
        "organization": blocks.organization,
        "corrections": blocks.corrections,
        "helpful_vote": services.helpful_vote_for(article, request.session.session_key),
        "preview": preview,
    }
    return render(request, "articles/detail.html", context, status=status)


def _article_languages(article: Article, translation: Article | None) -> dict:
    """hreflang links and the header's switch for an article: its translation, if public."""
    if translation is None:
        # No counterpart: no alternates; the switch goes to the other language's home.
        other = language.other_language(article.language)
        return {
            "alternates": [],
            "language_switch": language.LanguageSwitch(
                other, language.language_name(other), language.home_url(other)
            ),
        }
    versions = {version.language: version.get_canonical_url() for version in (article, translation)}
    return {
        "alternates": language.alternates_for(versions),
        "language_switch": language.LanguageSwitch(
            translation.language,
            language.language_name(translation.language),
            translation.get_absolute_url(),
        ),
    }


@public_page
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = reads.published_article(slug, now=timezone.now())
    if article is not None and article.language != request.LANGUAGE_CODE:
        # Each article lives in its own language's scheme (/es/article/...); the other
        # scheme's address, and every pre-/es/ address of a Spanish article, moves there.
        return redirect(article.get_absolute_url(), permanent=True)
    if article is None:
        moved = SlugRedirect.objects.filter(old_slug=slug).select_related("article").first()
        if moved and moved.article.is_public:
            return redirect(moved.article, permanent=True)
        raise Http404("No such article")
    return _render_article(request, article)


@never_cache
@staff_member_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.for_page(), pk=pk)
    if not can_preview(request.user, article):
        raise Http404("No such article")
    if article.language != request.LANGUAGE_CODE:
        # The preview shows the page as readers will get it: in the article's language.
        with translation_override(article.language):
            return redirect("articles:preview", pk=article.pk)
    response = _render_article(request, article, preview=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def helpful_vote(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if request.method == "GET":
        # The no-JavaScript path from a cached article page (which carries no CSRF
        # token): a confirmation form with this reader's token. GET never votes.
        answer = request.GET.get("helpful", "")
        return render(
            request, "articles/helpful_confirm.html", {"article": article, "answer": answer}
        )
    answer = request.POST.get("helpful")
    if answer not in {"yes", "no"}:
        messages.error(request, _("Please choose yes or no."))
        return redirect(f"{article.get_absolute_url()}#helpful")
    if not ratelimit.allow(
        request,
        scope="helpful",
        limit=settings.HELPFUL_VOTE_RATE_LIMIT,
        window=settings.HELPFUL_VOTE_RATE_WINDOW,
    ):
        # Fresh sessions cost nothing, so the one-vote-per-session rule alone does not stop
        # a script; the per-IP window does. The reader gets the page back with the reason.
        messages.error(request, TOO_MANY_VOTES)
        page_article = Article.objects.published().for_page().get(pk=article.pk)
        return _render_article(request, page_article, status=429)
    if not request.session.session_key:
        request.session.save()
    created = services.helpful_vote_record(
        article=article, session_key=request.session.session_key, helpful=answer == "yes"
    )
    if created:
        # The optional "why" / "what helped" page, with or without JavaScript.
        return redirect("articles:helpful_more", slug=article.slug)
    messages.info(request, _("You have already answered for this article. Thank you."))
    return redirect(f"{article.get_absolute_url()}#helpful")


@never_cache
@require_http_methods(["GET", "POST"])
def helpful_more(request: HttpRequest, slug: str) -> HttpResponse:
    """After a vote: the reader may say why not (or what helped). Never on a cached page:
    it belongs to this reader's session and carries its own CSRF token."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    vote = services.helpful_vote_for(article, request.session.session_key)
    if vote is None or vote.followed_up_at is not None:
        return redirect(f"{article.get_absolute_url()}#helpful")
    form = HelpfulFollowUpForm(request.POST or None, vote=vote)
    status = 200
    if request.method == "POST":
        if not ratelimit.allow(
            request,
            scope="helpful-more",
            limit=settings.HELPFUL_VOTE_RATE_LIMIT,
            window=settings.HELPFUL_VOTE_RATE_WINDOW,
        ):
            messages.error(request, TOO_MANY_VOTES)
            status = 429
        elif form.is_valid():
            feedback.helpful_followup_record(
                vote=vote,
                reason=form.cleaned_data.get("reason", ""),
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, gettext("Thank you for your feedback."))
            return redirect(f"{article.get_absolute_url()}#helpful")
    return render(
        request,
        "articles/helpful_more.html",
        {"article": article, "vote": vote, "form": form},
        status=status,
    )


@public_page
def corrections(request: HttpRequest) -> HttpResponse:
    """Corrections and updates on published stories in the page's language, newest first."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    notes = (
        Correction.objects.filter(
            article__in=Article.objects.published().in_language(language).values("pk")
        )
        .select_related("article")
        .only("kind", "text", "noted_at", "article__title", "article__slug")
        .order_by("-noted_at", "-pk")
    )
    return render(
        request,
        "articles/corrections.html",
        {"page": _paginate(request, notes, per_page=CORRECTIONS_PER_PAGE)},
    )


def comment(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published().for_listing(), slug=slug)
    if request.method == "POST":
        form = ReaderCommentForm(request.POST)
        if not ratelimit.allow(
            request,
            scope="comment",
            limit=settings.COMMENT_RATE_LIMIT,
            window=settings.COMMENT_RATE_WINDOW,
        ):
            # Re-render the bound form so the reader's text is not lost.
            messages.error(request, TOO_MANY_COMMENTS)
            return render(
                request, "articles/comment.html", {"article": article, "form": form}, status=429
            )
        if form.is_valid():
            if not form.is_bot():
                services.reader_comment_submit(article=article, **form.comment_fields())
            # Bots get the same thanks as people, so the honeypot teaches them nothing.
            messages.success(request, _("Thank you. Your comments reached our editors."))
            return redirect(article)
    else:
        form = ReaderCommentForm()
    return render(request, "articles/comment.html", {"article": article, "form": form})


def _path_before(viewname: str, *args) -> str:
    """The fixed start of a URL pattern ("/preview/" of "/preview/<pk>/")."""
    return reverse(viewname, args=args).rsplit("/", 2)[0] + "/"


@public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers: everything public, not the admin, previews or searches with words; the
    sitemaps' addresses. Each language's URL scheme is listed (they differ under /es/)."""
    disallow = {reverse("admin:index")}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            disallow.add(_path_before("articles:preview", 0))
            disallow.add(reverse("articles:search") + "?")
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in sorted(disallow)), ""]
    for name, args in (("sitemap", []), ("sitemap-section", ["news"])):
        lines.append(f"Sitemap: {settings.SITE_URL}{reverse(name, args=args)}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
